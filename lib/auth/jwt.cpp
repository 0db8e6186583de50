#include "auth/jwt.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/hmac.h>

#include "auth/base64.hpp"
#include "crypto/pem_keys.hpp"
#include "crypto/signature.hpp"

namespace ros::auth {
namespace {

using nlohmann::json;

struct Parts {
  std::string_view header, payload, signature;
};

std::optional<Parts> split(std::string_view token) {
  auto a = token.find('.');
  if (a == std::string_view::npos) return std::nullopt;
  auto b = token.find('.', a + 1);
  if (b == std::string_view::npos || token.find('.', b + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  return Parts{token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)};
}

// Strict base64url: only the URL alphabet, no padding or white space, so one
// token has one spelling.
bool is_base64url(std::string_view s) {
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return !s.empty();
}

std::optional<json> decode_object(std::string_view part) {
  if (!is_base64url(part)) return std::nullopt;
  auto bytes = base64_decode(part);
  if (!bytes) return std::nullopt;
  json j = json::parse(*bytes, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

Error bad(const std::string& what) { return make_error(Errc::invalid_argument, what); }
Error denied(const std::string& what) { return make_error(Errc::permission_denied, what); }

std::optional<std::int64_t> int_claim(const json& payload, const char* name) {
  auto it = payload.find(name);
  if (it == payload.end() || !it->is_number()) return std::nullopt;
  if (it->is_number_float()) return static_cast<std::int64_t>(it->get<double>());
  return it->get<std::int64_t>();
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &length) ==
      nullptr) {
    ERR_clear_error();
    return {};
  }
  return std::string(reinterpret_cast<char*>(out), length);
}

}  // namespace

std::string encode_jwt_rs256(EVP_PKEY* key, const json& payload) {
  static const std::string header = base64url_encode(R"({"alg":"RS256","typ":"JWT"})");
  std::string signed_part =
      header + "." +
      base64url_encode(payload.dump(-1, ' ', false, json::error_handler_t::replace));
  auto signature = crypto::sign_sha256(key, signed_part);
  if (!signature) throw std::runtime_error("OpenSSL failed to sign a token");
  return signed_part + "." + base64url_encode(*signature);
}

std::optional<json> jwt_payload(std::string_view token) {
  auto parts = split(token);
  if (!parts) return std::nullopt;
  return decode_object(parts->payload);
}

Result<CustomTokenKey> CustomTokenKey::load(std::string_view algorithm,
                                            const std::filesystem::path& key_file) {
  CustomTokenKey key;
  key.algorithm_ = std::string(algorithm);
  if (algorithm == "RS256") {
    auto pkey = crypto::load_rsa_public_key(key_file);
    if (!pkey) return pkey.error();
    key.public_key_ = std::shared_ptr<EVP_PKEY>(pkey->release(), crypto::PkeyFree{});
    return key;
  }
  if (algorithm == "HS256") {
    std::ifstream in(key_file, std::ios::binary);
    if (!in) {
      return make_error(Errc::unavailable,
                        "cannot read the custom-token secret '" + key_file.string() + "'");
    }
    std::ostringstream text;
    text << in.rdbuf();
    key.secret_ = text.str();
    if (!key.secret_.empty() && key.secret_.back() == '\n') key.secret_.pop_back();
    if (key.secret_.size() < 32) {
      return make_error(Errc::invalid_argument,
                        "the custom-token secret in '" + key_file.string() +
                            "' is shorter than 32 bytes (use e.g. openssl rand -hex 32)");
    }
    return key;
  }
  return make_error(Errc::invalid_argument, "custom-token algorithm '" + std::string(algorithm) +
                                                "' is not supported (use RS256 or HS256)");
}

Result<json> CustomTokenKey::verify(std::string_view token,
                                    const std::optional<std::string>& audience,
                                    const std::optional<std::string>& issuer,
                                    std::int64_t now) const {
  if (token.size() > 16 * 1024) return bad("longer than 16384 bytes");
  auto parts = split(token);
  if (!parts) return bad("not a JWT (three parts separated by '.')");
  auto header = decode_object(parts->header);
  if (!header) return bad("the JWT header is not base64url JSON");
  auto payload = decode_object(parts->payload);
  if (!payload) return bad("the JWT payload is not base64url JSON");
  auto alg = header->find("alg");
  if (alg == header->end() || !alg->is_string() || *alg != algorithm_) {
    return bad("the JWT algorithm must be " + algorithm_);
  }
  if (!is_base64url(parts->signature)) return bad("the JWT signature is not base64url");
  auto signature = base64_decode(parts->signature);
  if (!signature) return bad("the JWT signature is not base64url");
  std::string_view signed_part = token.substr(0, parts->header.size() + 1 + parts->payload.size());
  bool good = false;
  if (public_key_) {
    good = crypto::verify_sha256(public_key_.get(), signed_part, *signature);
  } else {
    std::string expected = hmac_sha256(secret_, signed_part);
    good = !expected.empty() && expected.size() == signature->size() &&
           CRYPTO_memcmp(expected.data(), signature->data(), expected.size()) == 0;
  }
  if (!good) return denied("signature does not verify");

  auto exp = int_claim(*payload, "exp");
  if (!exp) return bad("the token has no numeric 'exp' claim");
  if (now > *exp + kClockSkew) return denied("the token expired");
  if (auto nbf = int_claim(*payload, "nbf"); nbf && now + kClockSkew < *nbf) {
    return denied("the token is not valid yet");
  }
  if (audience) {
    auto aud = payload->find("aud");
    bool found = false;
    if (aud != payload->end() && aud->is_string()) found = *aud == *audience;
    if (aud != payload->end() && aud->is_array()) {
      for (const auto& a : *aud) found = found || (a.is_string() && a == *audience);
    }
    if (!found) return denied("the token's audience ('aud') is not '" + *audience + "'");
  }
  if (issuer) {
    auto iss = payload->find("iss");
    if (iss == payload->end() || !iss->is_string() || *iss != *issuer) {
      return denied("the token's issuer ('iss') is not '" + *issuer + "'");
    }
  }
  return std::move(*payload);
}

}  // namespace ros::auth
