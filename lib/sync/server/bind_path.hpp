// The Realm a BIND names (protocol.md 2.3): the server path as a client sends
// it, mapped to the resolved Realm path of storage/realm_path.hpp.
//
// Clients send "/tasks", "/~/tasks" (the user's own Realm), or, from SDKs, an
// extended-JSON partition value ("\"user-123\"", {"$oid":...}, null), which
// partition.hpp maps to a Realm path. For anything else that is not JSON the
// reference server strips '"' and tolerates a missing leading '/', and so do
// we; then "~" is expanded to the token's identity and the path is checked
// (segments of [A-Za-z0-9_.-], nothing that could leave realms/). A path that
// fails is answered with session ERROR 204, never 205 (which crashes 14.x
// clients).
//
// Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace ros::sync::server {

// The resolved path, or invalid_argument with a message for the ERROR text.
Result<std::string> resolve_bind_path(std::string_view server_path, std::string_view identity);

}  // namespace ros::sync::server
