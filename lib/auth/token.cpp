#include "auth/token.hpp"

#include "crypto/signature.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <limits>
#include <stdexcept>

#include <openssl/err.h>

#include "auth/base64.hpp"

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

// A classic, JWT or bare token, decoded but not verified.
struct Decoded {
  enum class Form { classic, jwt, bare } form = Form::bare;
  std::string signed_bytes;  // what the signature covers
  std::string signature;     // raw bytes; empty for a bare token
  std::string payload;       // the claims' JSON text
  json jwt_header;           // JWT only
};

Result<Decoded> decode(std::string_view token) {
  if (token.size() > kMaxTokenSize) {
    return malformed("longer than " + std::to_string(kMaxTokenSize) + " bytes");
  }
  token = trim(token);
  if (token.empty()) return malformed("empty");
  Decoded d;
  if (auto colon = token.find(':'); colon != std::string_view::npos) {
    d.form = Decoded::Form::classic;
    auto payload = base64_decode(token.substr(0, colon));
    if (!payload) return malformed("claims part: " + payload.error().message);
    auto signature = base64_decode(token.substr(colon + 1));
    if (!signature) return malformed("signature part: " + signature.error().message);
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
    auto header = base64_decode(token.substr(0, dot));
    if (!header) return malformed("JWT header: " + header.error().message);
    auto payload = base64_decode(token.substr(dot + 1, dot2 - dot - 1));
    if (!payload) return malformed("JWT payload: " + payload.error().message);
    auto signature = base64_decode(token.substr(dot2 + 1));
    if (!signature) return malformed("JWT signature: " + signature.error().message);
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

Result<TokenVerifier> TokenVerifier::load(const std::filesystem::path& public_key) {
  auto key = crypto::load_rsa_public_key(public_key);
  if (!key) return key.error();
  return TokenVerifier(std::move(*key));
}

TokenVerifier::TokenVerifier(crypto::Pkey key) : key_(share(std::move(key))) {}

Result<TokenClaims> TokenVerifier::verify(std::string_view token, std::int64_t now_unix) const {
  auto decoded = decode(token);
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
  auto decoded = decode(token);
  if (!decoded) return decoded.error();
  return parse_claims(std::string_view(decoded->payload));
}

}  // namespace ros::auth
