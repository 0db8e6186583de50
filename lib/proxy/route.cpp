#include "proxy/route.hpp"

namespace ros::proxy {
namespace {

// `path` is `prefix` exactly, or `prefix` followed by "/".
bool is_at_or_under(std::string_view path, std::string_view prefix) {
  if (!path.starts_with(prefix)) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '/';
}

}  // namespace

bool is_sync_path(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  if (is_at_or_under(path, "/realm-sync")) return true;
  constexpr std::string_view kApp = "/api/client/v2.0/app/";
  if (!path.starts_with(kApp)) return false;
  std::string_view rest = path.substr(kApp.size());
  auto slash = rest.find('/');
  if (slash == 0 || slash == std::string_view::npos) return false;  // no app id
  return is_at_or_under(rest.substr(slash), "/realm-sync");
}

Route route_request(std::string_view target, bool websocket_upgrade) {
  return websocket_upgrade || is_sync_path(target) ? Route::sync : Route::http;
}

}  // namespace ros::proxy
