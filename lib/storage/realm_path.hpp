// Realm paths as clients name them ("/catalog", "/<user id>/settings",
// "/~/settings"): validation, "~" expansion, and ownership.
//
// A valid path is "/" followed by 1 to 16 segments separated by "/"; each
// segment is 1 to 64 characters of [A-Za-z0-9_-.], does not start with "."
// (no hidden files, no "." or ".."), and the whole path is at most 512
// characters. So a valid path, placed under realms/, never leaves it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace ros::storage {

// The path with a first segment "~" replaced by `user_id`, checked as above.
// Errors: invalid_argument naming the path and the rule it breaks.
Result<std::string> resolve_realm_path(std::string_view path, std::string_view user_id);

// The user id that owns `path` (its first segment) when the path has at
// least two segments and the first one has the form of a user id (32
// lowercase hex characters); nullopt otherwise.
std::optional<std::string> realm_owner(std::string_view path);

}  // namespace ros::storage
