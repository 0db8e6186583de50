// Realm signed user tokens (protocol.md section 5): the claims they carry,
// signing them, and verifying them.
//
// Wire forms accepted by TokenVerifier::verify:
//   classic  base64(JSON) ":" base64(signature)     signature over the JSON bytes
//   JWT      b64url(header) "." b64url(payload) "." b64url(signature), alg RS256,
//            signature over the ASCII text "header.payload"
// The signature is RSASSA-PKCS1-v1_5 with SHA-256 in both. TokenSigner makes
// the classic form only, signing the JSON bytes exactly as they are encoded.
//
// One token, one byte form (issue 14): verify() accepts only the canonical
// encoding of each part, the standard alphabet with `=` padding for the
// classic form, the URL alphabet without padding for a JWT, and nothing
// around or inside it (no whitespace). Otherwise the same signed token would
// have many spellings, and anything keyed on the text (a revocation, a
// cache) could be walked around by re-encoding it. inspect() stays lenient
// (base64.hpp), since it grants nothing.
//
// Not errors: unknown claims (skipped, whatever their value), `null` for
// `expires`/`timestamp` (absent). Errors: everything else malformed
// (Errc::invalid_argument, "malformed token: ..."), a signature that does not
// verify and an expired token (Errc::permission_denied). Tokens longer than
// kMaxTokenSize are refused unread. Bad input never crashes or throws.
//
// Thread safety: TokenClaims is a plain value. TokenSigner and TokenVerifier
// are immutable after construction; sign()/verify() may be called from any
// number of threads at once, and copies share the key.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "common/result.hpp"
#include "crypto/pem_keys.hpp"

namespace ros::auth {

// Longest token accepted by verify() and inspect(), in bytes.
inline constexpr std::size_t kMaxTokenSize = 16 * 1024;

// The rights a token's `access` may name (protocol.md 5.2). Other strings are
// kept but grant nothing; "refresh" marks a refresh token (see mint.hpp).
inline constexpr std::string_view kAccessDownload = "download";
inline constexpr std::string_view kAccessUpload = "upload";
inline constexpr std::string_view kAccessManage = "manage";
inline constexpr std::string_view kAccessRefresh = "refresh";

struct TokenClaims {
  std::string identity;                  // "identity" (alias "sub"); required, non-empty
  std::vector<std::string> access;       // "access": array of strings; absent = empty
  std::optional<std::string> path;       // "path": valid for this server path only
  std::optional<std::int64_t> expires;   // "expires" ("exp"): Unix seconds; absent = never
  std::optional<std::int64_t> timestamp; // "timestamp" ("iat"): Unix seconds of issue
  std::optional<std::string> app_id;     // "app_id" ("appId")
  std::optional<bool> admin;             // "admin" ("isAdmin")
  std::optional<std::string> sync_label; // "sync_label" ("syncLabel")
  std::optional<std::string> token_id;   // "token_id": random per issued refresh or admin token

  // True when `access` names `right`.
  bool has(std::string_view right) const;

  // The reference rule (protocol.md 5.2): the `admin` flag if present;
  // otherwise a token without `path` is admin; otherwise `manage` makes it one.
  // Tokens minted by ros always set `admin` explicitly (see mint.hpp).
  bool is_admin() const;

  // The canonical JSON object (canonical key names, absent fields omitted,
  // `access` always present). parse_claims(to_json()) gives back the same claims.
  nlohmann::json to_json() const;

  bool operator==(const TokenClaims&) const = default;
};

// Claims from a JSON value: the top level must be an object; aliases are
// accepted; a field given under both its name and its alias is an error; a
// wrong type is an error naming the field, e.g.
// "malformed token: field 'expires' must be a number or null".
// Fractional `expires`/`timestamp` (allowed in JWT) are rounded down.
Result<TokenClaims> parse_claims(const nlohmann::json& json);

// The same from JSON text (at most kMaxTokenSize bytes).
Result<TokenClaims> parse_claims(std::string_view json_text);

// "2026-11-26T14:00:00Z" for a Unix time in seconds (UTC).
std::string iso_time(std::int64_t unix_seconds);

// The identity of a verified token, for revoking it: "id:" + its token_id
// claim when it has one (every token ros-authd issues as a refresh or admin
// token does), else "sha256:" + the SHA-256 (hex) of its text, which is its
// one accepted byte form.
std::string token_identity(const TokenClaims& claims, std::string_view token);

// A new random token_id: 32 lowercase hex characters. Throws
// std::runtime_error only when the system has no randomness.
std::string new_token_id();

class TokenSigner {
 public:
  // The RSA private key in `private_key` (PEM), as auth.private_key_path.
  // Errors are those of crypto::load_rsa_private_key (they name the file).
  static Result<TokenSigner> load(const std::filesystem::path& private_key);

  // REQUIRES: `key` is an RSA private key (as load_rsa_private_key returns).
  explicit TokenSigner(crypto::Pkey key);

  // base64(JSON) ":" base64(signature), the JSON being claims.to_json().dump().
  // Throws std::runtime_error only if OpenSSL itself fails (out of memory or
  // a key that breaks the REQUIRES above); never for any claims value.
  std::string sign(const TokenClaims& claims) const;

  // The same for JSON bytes given as they are (signed exactly as given). For
  // tools and tests that need a token of a particular shape.
  std::string sign_json(std::string_view json_text) const;

  // An RS256 JWT of `payload` (jwt.hpp, encode_jwt_rs256): the form App
  // Services clients need (app-services.md 2.1). verify() accepts it.
  std::string sign_jwt(const nlohmann::json& payload) const;

 private:
  std::shared_ptr<EVP_PKEY> key_;
};

class TokenVerifier {
 public:
  // The RSA public key in `public_key` (PEM), as auth.public_key_path.
  static Result<TokenVerifier> load(const std::filesystem::path& public_key);

  // REQUIRES: `key` is an RSA key (public, or private: its public half is used).
  explicit TokenVerifier(crypto::Pkey key);

  // The claims of `token` when its signature verifies with this key and it has
  // not expired at `now_unix` (expired means now_unix > expires). Errors:
  //   invalid_argument   "malformed token: <what>" (size, base64, JSON, claims, JWT header)
  //   permission_denied  "token signature does not verify"
  //   permission_denied  "token expired at 2026-11-26T14:00:00Z"
  //   permission_denied  "token not valid before 2026-11-26T14:00:00Z" (a JWT-style
  //                      numeric "nbf" claim, honoured in either form when present)
  // A bare base64 JSON without any signature is "malformed token: no signature";
  // a part not in its canonical encoding (see the top) is "malformed token:
  // <part> is not in canonical base64 (...)".
  Result<TokenClaims> verify(std::string_view token, std::int64_t now_unix) const;

 private:
  std::shared_ptr<EVP_PKEY> key_;
};

// The claims of `token` WITHOUT checking its signature or its expiry, for
// displaying a token (ros-token inspect). Never use the result to grant
// anything. Accepts the classic form, a JWT, and bare base64 JSON; errors as
// verify()'s "malformed token: ...".
Result<TokenClaims> inspect(std::string_view token);

}  // namespace ros::auth
