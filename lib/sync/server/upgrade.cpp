#include "sync/server/upgrade.hpp"

#include "auth/mint.hpp"

namespace ros::sync::server {
namespace {

constexpr std::string_view kSyncPath = "/realm-sync";
constexpr std::string_view kAppPrefix = "/api/client/v2.0/app/";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The raw value of parameter `name` in `query` (without the '?'), if present.
std::optional<std::string_view> query_parameter(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    std::size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::optional<std::string> token_of_query(std::string_view query) {
  auto raw = query_parameter(query, "baas_at");
  if (!raw) return std::nullopt;
  auto decoded = percent_decode(*raw);
  // A malformed escape: keep the raw bytes, the verifier refuses them anyway.
  return decoded ? *decoded : std::string(*raw);
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int hi = hex_value(text[i + 1]);
    int lo = hex_value(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::optional<SyncTarget> parse_sync_target(std::string_view target) {
  std::size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);

  SyncTarget out;
  if (path == kSyncPath) {
    // the current form
  } else if (path.starts_with(std::string(kSyncPath) + "/%2F") ||
             path.starts_with(std::string(kSyncPath) + "/%2f")) {
    auto decoded = percent_decode(path.substr(kSyncPath.size() + 1));
    if (!decoded) return std::nullopt;
    out.legacy_path = *decoded;
  } else if (path.starts_with(kAppPrefix) && path.ends_with(kSyncPath) &&
             path.size() > kAppPrefix.size() + kSyncPath.size()) {
    std::string_view app = path.substr(kAppPrefix.size(),
                                       path.size() - kAppPrefix.size() - kSyncPath.size());
    if (app.empty() || app.find('/') != std::string_view::npos) return std::nullopt;
    out.app_id = std::string(app);
  } else {
    return std::nullopt;
  }
  out.query_token = token_of_query(query);
  return out;
}

std::optional<std::string> request_token(const SyncTarget& target, std::string_view authorization) {
  if (target.query_token) return target.query_token;
  constexpr std::string_view bearer = "Bearer ";
  if (authorization.starts_with(bearer)) return std::string(authorization.substr(bearer.size()));
  constexpr std::string_view realm = "Realm-Access-Token ";
  if (authorization.starts_with(realm)) {
    constexpr std::string_view key = "token=\"";
    std::size_t start = authorization.find(key);
    if (start == std::string_view::npos) return std::nullopt;
    start += key.size();
    std::size_t end = authorization.find('"', start);
    if (end == std::string_view::npos) return std::nullopt;
    return std::string(authorization.substr(start, end - start));
  }
  return std::nullopt;
}

Result<auth::TokenClaims> authorize_upgrade(const auth::TokenVerifier& verifier,
                                            const std::optional<std::string>& token,
                                            std::int64_t now_unix) {
  if (!token || token->empty()) {
    return make_error(Errc::permission_denied, "no access token in the request");
  }
  auto claims = verifier.verify(*token, now_unix);
  if (!claims) return claims.error();
  if (auth::is_refresh_token(*claims)) {
    return make_error(Errc::permission_denied,
                      "a refresh token cannot open a sync connection; use an access token");
  }
  return claims;
}

}  // namespace ros::sync::server
