// JSON forms of scalar values, shared by the changeset rendering and the
// state dump (the "Values" table of the vectors' README), and their readers.
//
// Promises: renderers produce exactly the vectors' text forms; readers accept
// exactly those forms (numbers given as JSON integers are accepted where a
// double is expected) and return nullopt otherwise. Integers go through
// int64/uint64, never through a double.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "sync/changeset/types.hpp"

namespace ros::sync::changeset {

using Json = nlohmann::ordered_json;

std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

std::string object_id_to_string(const ObjectId& oid);
std::optional<ObjectId> object_id_from_string(std::string_view text);
std::string uuid_to_string(const Uuid& uuid);
std::optional<Uuid> uuid_from_string(std::string_view text);

// A double, or "NaN"/"Infinity"/"-Infinity". Floats are widened first.
Json double_to_json(double value);
std::optional<double> double_from_json(const Json& j);

Json timestamp_to_json(const Timestamp& ts);
std::optional<Timestamp> timestamp_from_json(const Json& j);

// {"hi": n, "lo": n}
Json global_key_to_json(const GlobalKey& key);
std::optional<GlobalKey> global_key_from_json(const Json& j);

std::optional<int64_t> int_from_json(const Json& j);
std::optional<uint64_t> uint_from_json(const Json& j);

// Whether `j` is an object with exactly one member, whose key is returned.
std::optional<std::string> single_key(const Json& j);

}  // namespace ros::sync::changeset
