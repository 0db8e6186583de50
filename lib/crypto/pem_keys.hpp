// Loading the RSA keys that sign and verify Realm tokens from PEM files, and
// proving that a private and a public key belong together.
//
// Every failure is an Error whose message names the file and the cause, ready
// to be prefixed with the configuration key that pointed at it.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <openssl/evp.h>

#include "common/result.hpp"

namespace ros::crypto {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

// Smallest RSA modulus accepted for token keys (the original server used 2048).
inline constexpr int kMinRsaBits = 2048;

// An unencrypted PEM private key of any algorithm (the TLS key of a
// certificate, say).
Result<Pkey> load_private_key(const std::filesystem::path& path);

// A private RSA key (PKCS#8 or traditional "RSA PRIVATE KEY"), unencrypted.
Result<Pkey> load_rsa_private_key(const std::filesystem::path& path);

// A public RSA key ("PUBLIC KEY" or "RSA PUBLIC KEY"). A file holding a
// private key is refused: the public key path must not hold a secret.
Result<Pkey> load_rsa_public_key(const std::filesystem::path& path);

// True when a probe signed (RSA, SHA-256) with `private_key` verifies with
// `public_key`.
bool keys_match(EVP_PKEY* private_key, EVP_PKEY* public_key);

// The whole content of a file, or an Error naming it and the system's reason.
Result<std::string> read_small_file(const std::filesystem::path& path);

}  // namespace ros::crypto
