// RSA signatures with SHA-256 (RSASSA-PKCS1-v1_5, the padding of RSA keys by
// default): what Realm tokens are signed with, and the probe that proves a
// configured key pair matches.
//
// Thread safety: both functions may be called from any thread with the same
// key at once. Both clear the thread's OpenSSL error queue.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <openssl/evp.h>

namespace ros::crypto {

// The signature of `data` with private `key`; nullopt only if OpenSSL fails.
std::optional<std::string> sign_sha256(EVP_PKEY* key, std::string_view data);

// True when `signature` is `key`'s signature of `data`. A malformed signature
// is not an error, just false.
bool verify_sha256(EVP_PKEY* key, std::string_view data, std::string_view signature);

}  // namespace ros::crypto
