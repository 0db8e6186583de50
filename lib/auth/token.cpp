#include "auth/token.hpp"

#include "crypto/signature.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <limits>
#include <stdexcept>

#include <openssl/err.h>
#include <openssl/rand.h>

#include "auth/base64.hpp"
#include "auth/jwt.hpp"

namespace ros::auth {
namespace {

using nlohmann::json;

Error malformed(const std::string& what) {
  return make_error(Errc::invalid_argument, "malformed token: " + what);
}

std::string_view trim(std::string_view s) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// The value of the field named `name` or `alias`, or nullptr; an error when
// both are present.
Result<const json*> field(const json& object, const char* name, const char* alias) {
  auto a = object.find(name);
  auto b = alias ? object.find(alias) : object.end();
  if (a != object.end() && b != object.end()) {
    return malformed(std::string("field '") + name + "' is given twice (as '" + name +
                     "' and as '" + alias + "')");
  }
  if (a != object.end()) return &*a;
  if (b != object.end()) return &*b;
  return static_cast<const json*>(nullptr);
}

Error wrong_type(const char* name, const char* expected) {
  return malformed(std::string("field '") + name + "' must be " + expected);
}

Result<std::optional<std::string>> string_field(const json& o, const char* name,
                                                const char* alias) {
  auto f = field(o, name, alias);
  if (!f) return f.error();
  if (*f == nullptr) return std::optional<std::string>{};
  if (!(*f)->is_string()) return wrong_type(name, "a string");
  return std::optional<std::string>((*f)->get<std::string>());
}

Result<std::optional<std::int64_t>> time_field(const json& o, const char* name, const char* alias) {
  auto f = field(o, name, alias);
  if (!f) return f.error();
  const json* v = *f;
  if (v == nullptr || v->is_null()) return std::optional<std::int64_t>{};
  if (v->is_number_integer() && !v->is_number_unsigned()) {
    return std::optional<std::int64_t>(v->get<std::int64_t>());
  }
  if (v->is_number_unsigned()) {
    auto u = v->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return malformed(std::string("field '") + name + "' is out of range");
    }
    return std::optional<std::int64_t>(static_cast<std::int64_t>(u));
  }
  if (v->is_number_float()) {
    double d = std::floor(v->get<double>());
    // 2^63 is exactly representable; anything at or past it does not fit.
    if (!std::isfinite(d) || d >= 9223372036854775808.0 || d < -9223372036854775808.0) {
      return malformed(std::string("field '") + name + "' is out of range");
    }
    return std::optional<std::int64_t>(static_cast<std::int64_t>(d));
  }
  return wrong_type(name, "a number or null");
}

// The bytes of `part` when it is their canonical encoding (standard and
// padded, or URL-safe and unpadded): decoding and encoding again must give
// the same text back.
Result<std::string> canonical_decode(std::string_view part, bool url, const char* what) {
  auto bytes = base64_decode(part);
  if (!bytes) return malformed(std::string(what) + ": " + bytes.error().message);
  std::string again = url ? base64url_encode(*bytes) : base64_encode(*bytes);
  if (again != part) {
    return malformed(std::string(what) + " is not in canonical base64 (" +
                     (url ? "URL alphabet, no '=' padding" : "standard alphabet, '=' padding") +
                     ", no spaces)");
  }
  return bytes;
}

// A classic, JWT or bare token, decoded but not verified.
struct Decoded {
  enum class Form { classic, jwt, bare } form = Form::bare;
  std::string signed_bytes;  // what the signature covers
  std::string signature;     // raw bytes; empty for a bare token
  std::string payload;       // the claims' JSON text
  json jwt_header;           // JWT only
};

// `strict`: only the canonical byte form (verify); else lenient (inspect).
Result<Decoded> decode(std::string_view token, bool strict) {
  if (token.size() > kMaxTokenSize) {
    return malformed("longer than " + std::to_string(kMaxTokenSize) + " bytes");
  }
  if (trim(token).empty()) return malformed("empty");
  if (!strict) token = trim(token);
  auto part = [strict](std::string_view text, bool url, const char* what) -> Result<std::string> {
    if (strict) return canonical_decode(text, url, what);
    auto bytes = base64_decode(text);
    if (!bytes) return malformed(std::string(what) + ": " + bytes.error().message);
    return bytes;
  };
  Decoded d;
  if (auto colon = token.find(':'); colon != std::string_view::npos) {
    d.form = Decoded::Form::classic;
    auto payload = part(token.substr(0, colon), false, "claims part");
    if (!payload) return payload.error();
    auto signature = part(token.substr(colon + 1), false, "signature part");
    if (!signature) return signature.error();
    if (signature->empty()) return malformed("empty signature");
    d.payload = std::move(*payload);
    d.signed_bytes = d.payload;
    d.signature = std::move(*signature);
    return d;
  }
  if (auto dot = token.find('.'); dot != std::string_view::npos) {
    d.form = Decoded::Form::jwt;
    auto dot2 = token.find('.', dot + 1);
    if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
      return malformed("a JWT must have three parts separated by '.'");
    }
    auto header = part(token.substr(0, dot), true, "JWT header");
    if (!header) return header.error();
    auto payload = part(token.substr(dot + 1, dot2 - dot - 1), true, "JWT payload");
    if (!payload) return payload.error();
    auto signature = part(token.substr(dot2 + 1), true, "JWT signature");
    if (!signature) return signature.error();
    d.jwt_header = json::parse(*header, nullptr, false);
    if (d.jwt_header.is_discarded() || !d.jwt_header.is_object()) {
      return malformed("JWT header is not a JSON object");
    }
    d.signed_bytes = std::string(token.substr(0, dot2));
    d.payload = std::move(*payload);
    d.signature = std::move(*signature);
    return d;
  }
  auto payload = base64_decode(token);
  if (!payload) return malformed(payload.error().message);
  d.payload = std::move(*payload);
  return d;
}

std::string der_sign(EVP_PKEY* key, std::string_view data) {
  auto signature = crypto::sign_sha256(key, data);
  if (!signature) throw std::runtime_error("OpenSSL failed to sign a token");
  return std::move(*signature);
}

std::shared_ptr<EVP_PKEY> share(crypto::Pkey key) {
  return std::shared_ptr<EVP_PKEY>(key.release(), crypto::PkeyFree{});
}

}  // namespace

bool TokenClaims::has(std::string_view right) const {
  return std::find(access.begin(), access.end(), right) != access.end();
}

bool TokenClaims::is_admin() const {
  if (admin) return *admin;
  if (!path) return true;
  return has(kAccessManage);
}

nlohmann::json TokenClaims::to_json() const {
  json j = json::object();
  j["identity"] = identity;
  j["access"] = access;
  if (path) j["path"] = *path;
  if (expires) j["expires"] = *expires;
  if (timestamp) j["timestamp"] = *timestamp;
  if (app_id) j["app_id"] = *app_id;
  if (admin) j["admin"] = *admin;
  if (sync_label) j["sync_label"] = *sync_label;
  if (token_id) j["token_id"] = *token_id;
  return j;
}

Result<TokenClaims> parse_claims(const nlohmann::json& j) {
  if (!j.is_object()) return malformed("the claims are not a JSON object");
  TokenClaims c;

  auto identity = string_field(j, "identity", "sub");
  if (!identity) return identity.error();
  if (!*identity) return malformed("field 'identity' is missing");
  if ((*identity)->empty()) return malformed("field 'identity' is empty");
  c.identity = std::move(**identity);

  auto access = field(j, "access", nullptr);
  if (!access) return access.error();
  if (*access != nullptr) {
    if (!(*access)->is_array()) return wrong_type("access", "an array of strings");
    for (const auto& right : **access) {
      if (!right.is_string()) return wrong_type("access", "an array of strings");
      c.access.push_back(right.get<std::string>());
    }
  }

  auto path = string_field(j, "path", nullptr);
  if (!path) return path.error();
  c.path = std::move(*path);

  auto expires = time_field(j, "expires", "exp");
  if (!expires) return expires.error();
  c.expires = *expires;

  auto timestamp = time_field(j, "timestamp", "iat");
  if (!timestamp) return timestamp.error();
  c.timestamp = *timestamp;

  auto app_id = string_field(j, "app_id", "appId");
  if (!app_id) return app_id.error();
  c.app_id = std::move(*app_id);

  auto admin = field(j, "admin", "isAdmin");
  if (!admin) return admin.error();
  if (*admin != nullptr) {
    if (!(*admin)->is_boolean()) return wrong_type("admin", "true or false");
    c.admin = (*admin)->get<bool>();
  }

  auto sync_label = string_field(j, "sync_label", "syncLabel");
  if (!sync_label) return sync_label.error();
  c.sync_label = std::move(*sync_label);

  auto token_id = string_field(j, "token_id", nullptr);
  if (!token_id) return token_id.error();
  c.token_id = std::move(*token_id);
  return c;
}

Result<TokenClaims> parse_claims(std::string_view json_text) {
  if (json_text.size() > kMaxTokenSize) {
    return malformed("longer than " + std::to_string(kMaxTokenSize) + " bytes");
  }
  json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded()) return malformed("the claims are not valid JSON");
  return parse_claims(j);
}

std::string token_identity(const TokenClaims& claims, std::string_view token) {
  if (claims.token_id) return "id:" + *claims.token_id;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(token.data(), token.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    // Cannot happen short of a broken OpenSSL; the text itself still names the token.
    ERR_clear_error();
    return "text:" + std::string(token);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

std::string new_token_id() {
  unsigned char random[16];
  if (RAND_bytes(random, sizeof random) != 1) throw std::runtime_error("RAND_bytes failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (unsigned char b : random) {
    id += kHex[b >> 4];
    id += kHex[b & 15];
  }
  return id;
}

std::string iso_time(std::int64_t unix_seconds) {
  std::tm tm{};
  auto t = static_cast<std::time_t>(unix_seconds);
  char buffer[64];
  if (gmtime_r(&t, &tm) == nullptr ||
      std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
    return "@" + std::to_string(unix_seconds);
  }
  return buffer;
}

Result<TokenSigner> TokenSigner::load(const std::filesystem::path& private_key) {
  auto key = crypto::load_rsa_private_key(private_key);
  if (!key) return key.error();
  return TokenSigner(std::move(*key));
}

TokenSigner::TokenSigner(crypto::Pkey key) : key_(share(std::move(key))) {}

std::string TokenSigner::sign(const TokenClaims& claims) const {
  // Invalid UTF-8 in a claim is replaced (U+FFFD) rather than thrown.
  return sign_json(claims.to_json().dump(-1, ' ', false, json::error_handler_t::replace));
}

std::string TokenSigner::sign_json(std::string_view json_text) const {
  return base64_encode(json_text) + ":" + base64_encode(der_sign(key_.get(), json_text));
}

std::string TokenSigner::sign_jwt(const nlohmann::json& payload) const {
  return encode_jwt_rs256(key_.get(), payload);
}

Result<TokenVerifier> TokenVerifier::load(const std::filesystem::path& public_key) {
  auto key = crypto::load_rsa_public_key(public_key);
  if (!key) return key.error();
  return TokenVerifier(std::move(*key));
}

TokenVerifier::TokenVerifier(crypto::Pkey key) : key_(share(std::move(key))) {}

Result<TokenClaims> TokenVerifier::verify(std::string_view token, std::int64_t now_unix) const {
  auto decoded = decode(token, true);
  if (!decoded) return decoded.error();
  switch (decoded->form) {
    case Decoded::Form::bare:
      return malformed("no signature");
    case Decoded::Form::jwt: {
      auto alg = decoded->jwt_header.find("alg");
      if (alg == decoded->jwt_header.end() || !alg->is_string()) {
        return malformed("JWT header has no 'alg'");
      }
      if (*alg != "RS256") {
        return malformed("JWT algorithm '" + alg->get<std::string>() +
                         "' is not supported (only RS256)");
      }
      if (decoded->signature.empty()) return malformed("empty JWT signature");
      break;
    }
    case Decoded::Form::classic:
      break;
  }
  if (!crypto::verify_sha256(key_.get(), decoded->signed_bytes, decoded->signature)) {
    return make_error(Errc::permission_denied, "token signature does not verify");
  }
  json payload = json::parse(decoded->payload, nullptr, false);
  if (payload.is_discarded()) return malformed("the claims are not valid JSON");
  auto claims = parse_claims(payload);
  if (!claims) return claims.error();
  if (claims->expires && now_unix > *claims->expires) {
    return make_error(Errc::permission_denied, "token expired at " + iso_time(*claims->expires));
  }
  // "nbf" (not before, RFC 7519 4.1.5) is not part of the Realm claims; it is
  // honoured when present, as JWT issuers expect.
  auto not_before = payload.is_object() ? time_field(payload, "nbf", nullptr)
                                        : Result<std::optional<std::int64_t>>(std::nullopt);
  if (!not_before) return not_before.error();
  if (*not_before && now_unix < **not_before) {
    return make_error(Errc::permission_denied, "token not valid before " + iso_time(**not_before));
  }
  return claims;
}

Result<TokenClaims> inspect(std::string_view token) {
  auto decoded = decode(token, false);
  if (!decoded) return decoded.error();
  return parse_claims(std::string_view(decoded->payload));
}

}  // namespace ros::auth
