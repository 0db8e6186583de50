#include "sync/client/url.hpp"

#include <charconv>

namespace ros::sync::client {
namespace {

constexpr std::string_view kPrefix = "com.mongodb.realm-sync#";

Error bad_url(std::string_view url, const std::string& why) {
  return make_error(Errc::invalid_argument,
                    "cannot use sync URL '" + std::string(url) + "': " + why);
}

}  // namespace

std::string SyncUrl::host_header() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != (tls ? 443 : 80)) h += ":" + std::to_string(port);
  return h;
}

Result<SyncUrl> parse_sync_url(std::string_view url) {
  SyncUrl out;
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return bad_url(url, "it has no scheme (ws://, wss://)");
  std::string_view scheme = url.substr(0, scheme_end);
  if (scheme == "ws" || scheme == "realm") {
    out.tls = false;
  } else if (scheme == "wss" || scheme == "realms") {
    out.tls = true;
  } else {
    return bad_url(url, "unknown scheme '" + std::string(scheme) + "' (use ws, wss, realm or realms)");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return bad_url(url, "a query or fragment is not allowed (the token is added by the client)");
  }
  auto path_start = rest.find('/');
  std::string_view authority = rest.substr(0, path_start);
  out.path = path_start == std::string_view::npos ? "/realm-sync" : std::string(rest.substr(path_start));
  if (authority.find('@') != std::string_view::npos) return bad_url(url, "user info is not allowed");
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return bad_url(url, "unterminated IPv6 address");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad_url(url, "junk after the IPv6 address");
      port_text = after.substr(1);
    }
  } else {
    auto colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (out.host.empty()) return bad_url(url, "it has no host");
  out.port = out.tls ? 443 : 80;
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || value == 0 || value > 65535) {
      return bad_url(url, "bad port '" + std::string(port_text) + "'");
    }
    out.port = static_cast<std::uint16_t>(value);
  }
  return out;
}

std::string app_sync_path(std::string_view app_id) {
  return "/api/client/v2.0/app/" + std::string(app_id) + "/realm-sync";
}

std::string request_target(std::string_view path, std::string_view token) {
  std::string target(path);
  target += path.find('?') == std::string_view::npos ? "?baas_at=" : "&baas_at=";
  target += token;
  return target;
}

std::string offered_protocols() {
  std::string out;
  for (int v = kNewestProtocol; v >= kOldestProtocol; --v) {
    if (!out.empty()) out += ", ";
    out += kPrefix;
    out += std::to_string(v);
  }
  return out;
}

Result<int> check_server_protocol(std::optional<std::string_view> header_value) {
  if (!header_value) {
    return make_error(Errc::invalid_argument, "missing protocol info from server (no Sec-WebSocket-Protocol)");
  }
  std::string_view v = *header_value;
  auto bad = [&] {
    return make_error(Errc::invalid_argument,
                      "bad protocol info from server: '" + std::string(v) + "'");
  };
  if (v.substr(0, kPrefix.size()) != kPrefix) return bad();
  std::string_view num = v.substr(kPrefix.size());
  int n = 0;
  auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), n);
  if (num.empty() || ec != std::errc() || p != num.data() + num.size()) return bad();
  if (n < kOldestProtocol || n > kNewestProtocol) return bad();
  return n;
}

}  // namespace ros::sync::client
