// Which service a request goes to. ros-proxy knows two: the sync service
// (ros-syncd) takes every WebSocket upgrade and the sync paths, the HTTP
// service (ros-authd) everything else.
//
// Sync paths (all generations of Realm clients): "/realm-sync" and anything
// under it ("/realm-sync?...", "/realm-sync/<path>"), and
// "/api/client/v2.0/app/<app id>/realm-sync" with an optional query or
// sub-path. The match is on the path only, exact and case-sensitive; the
// service itself judges the rest (token, protocol).
//
// Pure functions; thread-safe.
#pragma once

#include <string_view>

namespace ros::proxy {

enum class Route { http, sync };

// True when `target` (the request line's path and query) is a sync path.
bool is_sync_path(std::string_view target);

Route route_request(std::string_view target, bool websocket_upgrade);

}  // namespace ros::proxy
