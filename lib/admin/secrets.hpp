// Random identifiers and digests for what admin.db stores about secrets:
// ids and tokens from the system's CSPRNG as lowercase hex, and SHA-256 in
// hex (admin.db keeps the digest of a secret, never the secret).
//
// Pure functions over OpenSSL; thread-safe. Errors (Errc::internal) only when
// OpenSSL cannot give random bytes or a digest.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace ros::admin {

// 2 * bytes lowercase hex characters of fresh randomness. `what` names the
// value in the error ("an API key id").
Result<std::string> random_hex(std::size_t bytes, const char* what);

// The SHA-256 of `data`, 64 lowercase hex characters.
Result<std::string> sha256_hex(std::string_view data);

}  // namespace ros::admin
