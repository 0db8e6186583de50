// Key pairs shared by the auth tests: generated once per test binary into a
// temporary directory (RSA generation is slow), never checked into the tree.
#pragma once

#include <string>
#include <string_view>

#include "auth/token.hpp"
#include "support/pki.hpp"

namespace ros::test {

// The main pair, and a second, unrelated one ("the wrong key").
const KeyPairFiles& token_keys();
const KeyPairFiles& other_keys();

auth::TokenSigner test_signer();
auth::TokenVerifier test_verifier();

// RSASSA-PKCS1-v1_5 SHA-256 signature of `data` with the private key in
// `key_file`, made with OpenSSL directly (not through ros::auth).
std::string openssl_sign(const std::filesystem::path& key_file, std::string_view data);

}  // namespace ros::test
