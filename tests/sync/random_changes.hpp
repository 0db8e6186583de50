// Random changes for sync property tests (the network convergence test and
// the in-process simulation): a class Item (Int primary key) with an Int n,
// a String s, a List<Int> l and a Set<Int> t, and changes that are valid on a
// given state dump and that realm-core's own merge makes converge: objects
// created and erased, properties set, counters incremented, the list
// inserted into, erased from and set, the set changed. Schema changes and
// nested moves are left out: realm-core itself does not converge on some of
// them (merge.md's quirks; the transform vectors mark them).
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <string>

#include "sync/changeset/value_json.hpp"

namespace ros::test {

using Json = sync::changeset::Json;

inline Json random_item_schema() {
  return Json::parse(R"({"instructions": [
    {"type": "AddTable", "table": "Item", "embedded": false, "primaryKey": {"field": "_id", "type": "Int", "nullable": false}, "asymmetric": false},
    {"type": "AddColumn", "table": "Item", "field": "n", "valueType": "Int", "nullable": false, "collectionType": "Single"},
    {"type": "AddColumn", "table": "Item", "field": "s", "valueType": "String", "nullable": true, "collectionType": "Single"},
    {"type": "AddColumn", "table": "Item", "field": "l", "valueType": "Int", "nullable": false, "collectionType": "List"},
    {"type": "AddColumn", "table": "Item", "field": "t", "valueType": "Int", "nullable": false, "collectionType": "Set"}],
    "internStrings": ["Item", "_id", "n", "", "s", "l", "t"]})");
}

inline Json item_ref(std::int64_t key) { return Json{{"int", key}}; }

inline Json one_instruction(Json instruction) {
  Json strings = Json::array({"Item"});
  if (instruction.contains("field")) strings.push_back(instruction["field"]);
  return Json{{"instructions", Json::array({std::move(instruction)})}, {"internStrings", strings}};
}

inline std::map<std::int64_t, Json> item_objects(const Json& state) {
  std::map<std::int64_t, Json> out;
  if (!state.contains("classes") || !state["classes"].contains("Item")) return out;
  for (const auto& o : state["classes"]["Item"]["objects"]) {
    out[o["_id"]["int"].get<std::int64_t>()] = o;
  }
  return out;
}

// A random change valid on `state` (the kinds of the convergence test), on
// one of the objects Item 0..keys-1.
inline Json random_item_change(std::mt19937_64& rng, const Json& state, int keys) {
  auto objs = item_objects(state);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  for (;;) {
    const std::int64_t key = pick(keys);
    auto it = objs.find(key);
    if (it == objs.end()) {
      return one_instruction({{"type", "CreateObject"}, {"table", "Item"}, {"object", item_ref(key)}});
    }
    const Json& obj = it->second;
    const auto list_size = obj.contains("l") ? obj["l"]["list"].size() : 0;
    const int size = static_cast<int>(list_size);
    Json base{{"table", "Item"}, {"object", item_ref(key)}};
    switch (pick(9)) {
      case 0:
        base["type"] = "EraseObject";
        return one_instruction(base);
      case 1:
        base.update({{"type", "Update"},
                     {"field", "s"},
                     {"path", Json::array()},
                     {"value", {{"string", "v" + std::to_string(pick(1000))}}},
                     {"isDefault", false}});
        return one_instruction(base);
      case 2:
        base.update({{"type", "Update"},
                     {"field", "n"},
                     {"path", Json::array()},
                     {"value", {{"int", pick(100)}}},
                     {"isDefault", false}});
        return one_instruction(base);
      case 3:
      case 4:
        base.update({{"type", "AddInteger"},
                     {"field", "n"},
                     {"path", Json::array()},
                     {"value", pick(10) + 1}});
        return one_instruction(base);
      case 5:
        base.update({{"type", "ArrayInsert"},
                     {"field", "l"},
                     {"path", Json::array({pick(size + 1)})},
                     {"value", {{"int", pick(1000)}}},
                     {"priorSize", list_size}});
        return one_instruction(base);
      case 6:
        if (size == 0) continue;
        base.update({{"type", "ArrayErase"},
                     {"field", "l"},
                     {"path", Json::array({pick(size)})},
                     {"priorSize", list_size}});
        return one_instruction(base);
      case 7:
        if (size == 0) continue;
        base.update({{"type", "Update"},
                     {"field", "l"},
                     {"path", Json::array({pick(size)})},
                     {"value", {{"int", pick(1000)}}},
                     {"priorSize", list_size}});
        return one_instruction(base);
      default:
        base.update({{"type", pick(3) == 0 ? "SetErase" : "SetInsert"},
                     {"field", "t"},
                     {"path", Json::array()},
                     {"value", {{"int", pick(6)}}}});
        return one_instruction(base);
    }
  }
}

}  // namespace ros::test
