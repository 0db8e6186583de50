// JSON Web Tokens (RFC 7519) as App Services clients and identity systems use
// them (app-services.md section 2): making ros's own RS256 JWTs, and
// verifying the JWTs of an app's own identity system (custom-token login).
//
// ros's tokens: header {"alg":"RS256","typ":"JWT"}, each part base64url
// without padding, signature RSASSA-PKCS1-v1_5 SHA-256 over "header.payload"
// (TokenVerifier in token.hpp verifies them, so ros-syncd needs nothing new).
//
// Custom tokens: the header's `alg` must be the one configured (RS256 or
// HS256), so a token cannot choose its own algorithm ("none", or HS256 keyed
// with a public key); `exp` is required and enforced with kClockSkew of
// leeway, as `nbf`; `aud` (a string or an array of strings) must hold the
// configured audience and `iss` equal the configured issuer when those are
// set. Errors are invalid_argument or permission_denied with a message that
// starts with what was wrong ("signature does not verify", "expired at ...").
//
// Thread safety: CustomTokenKey is immutable after load(); verify may run on
// any thread at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "common/result.hpp"

namespace ros::auth {

// Seconds of clock difference tolerated on exp/nbf of custom tokens.
inline constexpr std::int64_t kClockSkew = 60;

// header.payload.signature of `payload` (compact JSON) signed with the RSA
// private `key`. Throws std::runtime_error only if OpenSSL fails to sign.
std::string encode_jwt_rs256(EVP_PKEY* key, const nlohmann::json& payload);

// The payload object of a JWT, decoded but not verified (nullopt for
// anything that is not three base64url parts with a JSON object in the
// middle).
std::optional<nlohmann::json> jwt_payload(std::string_view token);

class CustomTokenKey {
 public:
  // algorithm "RS256": `key_file` holds a PEM public key (RSA); "HS256": the
  // file's bytes (one trailing newline dropped) are the shared secret, at
  // least 32 bytes. Errors name the file.
  static Result<CustomTokenKey> load(std::string_view algorithm,
                                     const std::filesystem::path& key_file);

  // The verified payload of `token` at `now` (see the header comment).
  Result<nlohmann::json> verify(std::string_view token, const std::optional<std::string>& audience,
                                const std::optional<std::string>& issuer, std::int64_t now) const;

  const std::string& algorithm() const { return algorithm_; }

 private:
  std::string algorithm_;
  std::shared_ptr<EVP_PKEY> public_key_;  // RS256
  std::string secret_;                    // HS256
};

}  // namespace ros::auth
