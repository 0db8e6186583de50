// The changesets end-to-end tests write through the sync client: a class
// Item (primary key _id Int) with an Int counter n, objects created by key,
// and increments of the counter. Written as the JSON rendering of realm-core
// changesets (changeset_json.hpp) so a reader sees the instructions.
#pragma once

#include <cstdint>
#include <string>

#include <catch2/catch.hpp>

#include "sync/changeset/changeset_json.hpp"

namespace ros::test {

inline sync::changeset::Changeset changeset_from_json(const std::string& text) {
  auto cs = sync::changeset::from_json(sync::changeset::Json::parse(text));
  REQUIRE(cs.ok());
  return cs.value();
}

// AddTable Item and AddColumn n.
inline sync::changeset::Changeset item_schema() {
  return changeset_from_json(R"({"instructions": [
    {"type": "AddTable", "table": "Item", "embedded": false, "primaryKey": {"field": "_id", "type": "Int", "nullable": false}, "asymmetric": false},
    {"type": "AddColumn", "table": "Item", "field": "n", "valueType": "Int", "nullable": false, "collectionType": "Single"}],
    "internStrings": ["Item", "_id", "n", ""]})");
}

inline sync::changeset::Changeset create_item(std::int64_t key) {
  auto j = sync::changeset::Json::parse(R"({"instructions": [
    {"type": "CreateObject", "table": "Item", "object": {"int": 0}}], "internStrings": ["Item"]})");
  j["instructions"][0]["object"]["int"] = key;
  return sync::changeset::from_json(j).value();
}

inline sync::changeset::Changeset add_to_item(std::int64_t key, std::int64_t amount) {
  auto j = sync::changeset::Json::parse(R"({"instructions": [
    {"type": "AddInteger", "table": "Item", "object": {"int": 0}, "field": "n", "path": [], "value": 0}],
    "internStrings": ["Item", "n"]})");
  j["instructions"][0]["object"]["int"] = key;
  j["instructions"][0]["value"] = amount;
  return sync::changeset::from_json(j).value();
}

}  // namespace ros::test
