// The changesets the Functions tests write: a class Setting (primary key _id
// String) with an Int property `value`: created, set, erased by key. As the
// JSON rendering of realm-core changesets (changeset_json.hpp).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include <catch2/catch.hpp>

#include "sync/changeset/changeset_json.hpp"
#include "sync/changeset/encoder.hpp"

namespace ros::test {

inline sync::changeset::Changeset setting_changeset(sync::changeset::Json instructions) {
  sync::changeset::Json j = {{"instructions", std::move(instructions)},
                             {"internStrings", sync::changeset::Json::array()}};
  // from_json needs every string the instructions name in internStrings.
  std::vector<std::string> strings;
  auto intern = [&](const std::string& s) {
    if (std::find(strings.begin(), strings.end(), s) == strings.end()) strings.push_back(s);
  };
  for (const auto& in : j["instructions"]) {
    for (const char* key : {"table", "field"}) {
      if (in.contains(key)) intern(in[key].get<std::string>());
    }
    if (in.contains("primaryKey")) intern(in["primaryKey"]["field"].get<std::string>());
    if (in.contains("object") && in["object"].contains("string")) {
      intern(in["object"]["string"].get<std::string>());
    }
  }
  intern("");
  j["internStrings"] = strings;
  auto cs = sync::changeset::from_json(j);
  INFO((cs.ok() ? std::string() : cs.error().message) << "\n" << j.dump());
  REQUIRE(cs.ok());
  return cs.value();
}

inline sync::changeset::Json setting_schema_json() {
  return sync::changeset::Json::parse(R"([
    {"type": "AddTable", "table": "Setting", "embedded": false, "primaryKey": {"field": "_id", "type": "String", "nullable": false}, "asymmetric": false},
    {"type": "AddColumn", "table": "Setting", "field": "value", "valueType": "Int", "nullable": false, "collectionType": "Single"}])");
}

inline sync::changeset::Json create_setting_json(const std::string& key) {
  return {{"type", "CreateObject"}, {"table", "Setting"}, {"object", {{"string", key}}}};
}

inline sync::changeset::Json set_setting_json(const std::string& key, std::int64_t value) {
  return {{"type", "Update"},     {"table", "Setting"},
          {"object", {{"string", key}}}, {"field", "value"},
          {"path", sync::changeset::Json::array()}, {"value", {{"int", value}}},
          {"isDefault", false}};
}

inline sync::changeset::Json erase_setting_json(const std::string& key) {
  return {{"type", "EraseObject"}, {"table", "Setting"}, {"object", {{"string", key}}}};
}

// Single-instruction changesets and the schema.
inline sync::changeset::Changeset setting_schema() { return setting_changeset(setting_schema_json()); }
inline sync::changeset::Changeset create_setting(const std::string& key, std::int64_t value) {
  return setting_changeset({create_setting_json(key), set_setting_json(key, value)});
}
inline sync::changeset::Changeset set_setting(const std::string& key, std::int64_t value) {
  return setting_changeset({set_setting_json(key, value)});
}
inline sync::changeset::Changeset erase_setting(const std::string& key) {
  return setting_changeset({erase_setting_json(key)});
}

// The bytes of a changeset as the feed carries them (hoisted layout, base64).
inline std::string feed_bytes(const sync::changeset::Changeset& cs) {
  auto bytes = sync::changeset::encode(cs, sync::changeset::Layout::hoisted);
  REQUIRE(bytes.ok());
  return sync::changeset::base64_encode(bytes.value());
}

}  // namespace ros::test
