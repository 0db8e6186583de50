// Partition values of partition-based sync (app-services.md 3.3) and the
// Realm paths they name.
//
// SDKs built on App send the partition as the BIND server path, rendered as
// extended JSON, and different SDKs render one value differently ("42",
// {"$numberInt":"42"}, {"$numberLong": "42"}; $binary subtype 04 or $uuid).
// The value is parsed, reduced to a canonical (type, value) pair and mapped
// to one Realm path, so every rendering of a value reaches the same Realm:
//
//   string s     "/" + s when that is a valid Realm path ("~" is the user's
//                own id) that does not start with "/p/"; else
//                "/p/s/<lowercase hex of s's UTF-8 bytes>"
//   integer      "/p/i/<decimal>": int32, int64 and plain JSON integers are
//                one type (the value counts, not its width)
//   ObjectId     "/p/o/<24 lowercase hex>"
//   UUID         "/p/u/<8-4-4-4-12 lowercase hex>"
//   null         "/p/null"
//
// "/p/..." is reserved for this mapping: no string partition lands there
// except through its hex form, so two different values never share a Realm.
// Other JSON (booleans, floats, other objects, arrays) is not a partition
// value: invalid_argument, for session ERROR 204 (BadSyncPartitionValue).
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace ros::sync::server {

// The Realm path of a BIND server path that is a partition value (JSON), or
// nullopt when `server_path` is not JSON at all (a classic path such as
// "/tasks" or "tasks", for bind_path.hpp's rules). `identity` expands "~".
Result<std::optional<std::string>> partition_realm_path(std::string_view server_path,
                                                        std::string_view identity);

}  // namespace ros::sync::server
