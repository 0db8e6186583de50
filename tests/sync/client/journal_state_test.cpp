// JournalState: rollback undoes exactly what the transaction changed, and
// the applier sees the same behaviour as with MemoryState.
#include <catch2/catch.hpp>

#include "sync/changeset/applier.hpp"
#include "sync/changeset/changeset_json.hpp"
#include "sync/changeset/memory_state.hpp"
#include "sync/changeset/state_json.hpp"
#include "sync/client/journal_state.hpp"

using namespace ros::sync;
using ros::sync::client::JournalState;

namespace {

changeset::Changeset cs(const std::string& json) {
  auto parsed = changeset::from_json(changeset::Json::parse(json));
  REQUIRE(parsed.ok());
  return parsed.value();
}

const char* kSetup = R"({"instructions": [
  {"type": "AddTable", "table": "T", "embedded": false, "primaryKey": {"field": "_id", "type": "Int", "nullable": false}, "asymmetric": false},
  {"type": "AddColumn", "table": "T", "field": "n", "valueType": "Int", "nullable": false, "collectionType": "Single"},
  {"type": "CreateObject", "table": "T", "object": {"int": 1}},
  {"type": "Update", "table": "T", "object": {"int": 1}, "field": "n", "path": [], "value": {"int": 5}, "isDefault": false}],
  "internStrings": ["T", "_id", "n", ""]})";

// Changes everything a transaction can change, then fails (list index on a
// scalar column).
const char* kFailing = R"({"instructions": [
  {"type": "AddTable", "table": "U", "embedded": false, "primaryKey": {"field": "_id", "type": "Int", "nullable": false}, "asymmetric": false},
  {"type": "CreateObject", "table": "U", "object": {"int": 9}},
  {"type": "AddColumn", "table": "T", "field": "m", "valueType": "Int", "nullable": true, "collectionType": "Single"},
  {"type": "Update", "table": "T", "object": {"int": 1}, "field": "n", "path": [], "value": {"int": 7}, "isDefault": false},
  {"type": "CreateObject", "table": "T", "object": {"int": 2}},
  {"type": "EraseObject", "table": "T", "object": {"int": 1}},
  {"type": "EraseTable", "table": "T"},
  {"type": "ArrayInsert", "table": "U", "object": {"int": 9}, "field": "nope", "path": [0], "value": {"int": 1}, "priorSize": 0}],
  "internStrings": ["U", "_id", "T", "m", "", "n", "nope"]})";

}  // namespace

TEST_CASE("JournalState: a failed changeset is rolled back completely, as with MemoryState") {
  JournalState journal;
  changeset::MemoryState memory;
  REQUIRE(changeset::apply(journal, cs(kSetup)).ok());
  REQUIRE(changeset::apply(memory, cs(kSetup)).ok());
  auto before = changeset::state_to_json(journal).value();
  CHECK(before == changeset::state_to_json(memory).value());

  auto a = changeset::apply(journal, cs(kFailing));
  auto b = changeset::apply(memory, cs(kFailing));
  REQUIRE_FALSE(a.ok());
  REQUIRE_FALSE(b.ok());
  CHECK(a.error().message == b.error().message);
  CHECK_THAT(a.error().message, Catch::Contains("instruction 7"));
  CHECK(changeset::state_to_json(journal).value() == before);
  CHECK(changeset::state_to_json(memory).value() == before);
}

TEST_CASE("JournalState: undo in reverse order, commit keeps, changes outside a transaction stay") {
  JournalState s;
  changeset::ClassSpec spec;
  REQUIRE(s.put_class("A", spec).ok());
  REQUIRE(s.put_object("A", std::int64_t{1}, {}).ok());
  REQUIRE(s.begin().ok());
  REQUIRE(s.put_object("A", std::int64_t{2}, {}).ok());
  REQUIRE(s.erase_object("A", std::int64_t{1}).ok());
  REQUIRE(s.put_object("B", std::int64_t{3}, {}).ok());  // creates class B
  REQUIRE(s.erase_class("A").ok());
  REQUIRE(s.put_class("A", spec).ok());
  REQUIRE(s.rollback().ok());
  CHECK(s.class_names().value() == std::vector<std::string>{"A"});
  CHECK(s.object_keys("A").value() == std::vector<changeset::ObjectKey>{std::int64_t{1}});

  REQUIRE(s.begin().ok());
  REQUIRE(s.erase_object("A", std::int64_t{1}).ok());
  REQUIRE(s.commit().ok());
  REQUIRE(s.rollback().ok());  // nothing left to undo
  CHECK(s.object_keys("A").value().empty());
}
