#include "sync/changeset/applier.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "sync/changeset/changeset_json.hpp"
#include "sync/changeset/memory_state.hpp"
#include "sync/changeset/state_json.hpp"

using namespace ros::sync::changeset;

namespace {

void collect_strings(const Json& j, std::vector<std::string>& out, std::set<std::string>& seen) {
  if (j.is_string()) {
    if (seen.insert(j.get<std::string>()).second) out.push_back(j.get<std::string>());
  } else if (j.is_structured()) {
    for (const auto& [k, v] : j.items()) {
      if (k != "type" && k != "valueType" && k != "collectionType" && k != "keyType") {
        collect_strings(v, out, seen);
      }
    }
  }
}

// A changeset from a JSON array of instructions; every string in it is interned.
Changeset changeset(const std::string& instructions) {
  Json doc = Json::object();
  doc["instructions"] = Json::parse(instructions);
  std::vector<std::string> strings;
  std::set<std::string> seen;
  collect_strings(doc["instructions"], strings, seen);
  for (const auto& i : doc["instructions"]) {
    if (i.contains("primaryKey") &&
        seen.insert(i["primaryKey"]["field"].get<std::string>()).second) {
      strings.push_back(i["primaryKey"]["field"]);
    }
  }
  doc["internStrings"] = strings;
  auto cs = from_json(doc);
  REQUIRE(cs.ok());
  return *cs;
}

std::string apply_json(MemoryState& st, const std::string& instructions) {
  auto r = apply(st, changeset(instructions));
  return r.ok() ? "" : r.error().message;
}

const char* kSchema = R"([
  {"type":"AddTable","table":"Dog","embedded":false,"primaryKey":{"field":"_id","type":"Int","nullable":false},"asymmetric":false},
  {"type":"AddTable","table":"Address","embedded":true},
  {"type":"AddColumn","table":"Address","field":"street","valueType":"String","nullable":false,"collectionType":"Single"},
  {"type":"AddTable","table":"Note","embedded":false,"primaryKey":{"field":"","type":"GlobalKey","nullable":false},"asymmetric":false},
  {"type":"AddTable","table":"Log","embedded":false,"primaryKey":{"field":"_id","type":"ObjectId","nullable":false},"asymmetric":true},
  {"type":"AddTable","table":"Person","embedded":false,"primaryKey":{"field":"_id","type":"String","nullable":false},"asymmetric":false},
  {"type":"AddColumn","table":"Person","field":"name","valueType":"String","nullable":false,"collectionType":"Single"},
  {"type":"AddColumn","table":"Person","field":"age","valueType":"Int","nullable":false,"collectionType":"Single"},
  {"type":"AddColumn","table":"Person","field":"nick","valueType":"String","nullable":true,"collectionType":"Single"},
  {"type":"AddColumn","table":"Person","field":"opt","valueType":"Int","nullable":true,"collectionType":"Single"},
  {"type":"AddColumn","table":"Person","field":"any","valueType":"Mixed","nullable":true,"collectionType":"Single"},
  {"type":"AddColumn","table":"Person","field":"dog","valueType":"Link","nullable":true,"collectionType":"Single","linkTarget":"Dog"},
  {"type":"AddColumn","table":"Person","field":"dogs","valueType":"Link","nullable":false,"collectionType":"List","linkTarget":"Dog"},
  {"type":"AddColumn","table":"Person","field":"dogSet","valueType":"Link","nullable":false,"collectionType":"Set","linkTarget":"Dog"},
  {"type":"AddColumn","table":"Person","field":"dogDict","valueType":"Link","nullable":true,"collectionType":"Dictionary","keyType":"String","linkTarget":"Dog"},
  {"type":"AddColumn","table":"Person","field":"tags","valueType":"String","nullable":false,"collectionType":"Set"},
  {"type":"AddColumn","table":"Person","field":"scores","valueType":"Int","nullable":false,"collectionType":"List"},
  {"type":"AddColumn","table":"Person","field":"attrs","valueType":"Mixed","nullable":true,"collectionType":"Dictionary","keyType":"String"},
  {"type":"AddColumn","table":"Person","field":"ratings","valueType":"Double","nullable":false,"collectionType":"Dictionary","keyType":"String"},
  {"type":"AddColumn","table":"Person","field":"mixed","valueType":"Mixed","nullable":true,"collectionType":"List"},
  {"type":"AddColumn","table":"Person","field":"address","valueType":"Link","nullable":true,"collectionType":"Single","linkTarget":"Address"},
  {"type":"AddColumn","table":"Person","field":"past","valueType":"Link","nullable":false,"collectionType":"List","linkTarget":"Address"},
  {"type":"AddColumn","table":"Person","field":"places","valueType":"Link","nullable":true,"collectionType":"Dictionary","keyType":"String","linkTarget":"Address"},
  {"type":"CreateObject","table":"Person","object":{"string":"alice"}},
  {"type":"CreateObject","table":"Dog","object":{"int":1}}
])";

// "Person[alice].FIELD" path instruction JSON, for brevity.
std::string at(const std::string& type, const std::string& field, const std::string& path,
               const std::string& rest) {
  return R"({"type":")" + type + R"(","table":"Person","object":{"string":"alice"},"field":")" +
         field + R"(","path":)" + path + (rest.empty() ? "" : "," + rest) + "}";
}

Json person(MemoryState& st) {
  return state_to_json(st).value()["classes"]["Person"]["objects"][0];
}

}  // namespace

TEST_CASE("applier: rejects what realm-core rejects, naming the instruction", "[changeset]") {
  struct Case {
    std::string instruction;
    std::string message;
  };
  const std::string i5 = R"("value":{"int":5})";
  const Case cases[] = {
      // schema (12.3)
      {R"({"type":"AddTable","table":"Dog","embedded":false,"primaryKey":{"field":"id","type":"Int","nullable":false},"asymmetric":false})",
       "existing table 'Dog' has different properties"},
      {R"({"type":"AddTable","table":"Dog","embedded":true})",
       "existing table 'Dog' is not embedded"},
      {R"({"type":"EraseTable","table":"Cat"})", "table 'Cat' does not exist"},
      {R"({"type":"EraseTable","table":"Dog"})",
       "table 'Dog' is the target of link property 'Person.dog'"},
      {R"({"type":"AddColumn","table":"Cat","field":"x","valueType":"Int","nullable":false,"collectionType":"Single"})",
       "table 'Cat' does not exist"},
      {R"({"type":"AddColumn","table":"Person","field":"age","valueType":"String","nullable":false,"collectionType":"Single"})",
       "Schema mismatch: property 'Person.age' exists with another type"},
      {R"({"type":"AddColumn","table":"Person","field":"age","valueType":"Int","nullable":false,"collectionType":"List"})",
       "Schema mismatch: property 'Person.age' exists with another type"},
      {R"({"type":"AddColumn","table":"Person","field":"x","valueType":"ObjectValue","nullable":false,"collectionType":"Single"})",
       "invalid property type ObjectValue"},
      {R"({"type":"AddColumn","table":"Person","field":"x","valueType":"Int","nullable":false,"collectionType":"Dictionary","keyType":"Int"})",
       "dictionary keys must be String"},
      {R"({"type":"AddColumn","table":"Person","field":"x","valueType":"Link","nullable":true,"collectionType":"Single","linkTarget":"Cat"})",
       "table 'Cat' does not exist"},
      {R"({"type":"AddColumn","table":"Person","field":"x","valueType":"Link","nullable":true,"collectionType":"Single","linkTarget":""})",
       "untyped link properties are not supported"},
      {R"({"type":"AddColumn","table":"Person","field":"x","valueType":"Link","nullable":true,"collectionType":"Single","linkTarget":"Log"})",
       "links to asymmetric table 'Log' are not allowed"},
      {R"({"type":"AddColumn","table":"Person","field":"x","valueType":"Link","nullable":false,"collectionType":"Set","linkTarget":"Address"})",
       "sets of embedded objects are not supported"},
      {R"({"type":"EraseColumn","table":"Person","field":"x"})",
       "property 'Person.x' does not exist"},
      // objects (12.4)
      {R"({"type":"CreateObject","table":"Cat","object":{"int":1}})", "table 'Cat' does not exist"},
      {R"({"type":"CreateObject","table":"Person","object":{"int":1}})",
       "the object key does not fit the primary key of table 'Person'"},
      {R"({"type":"CreateObject","table":"Person","object":null})",
       "the object key does not fit the primary key of table 'Person'"},
      {R"({"type":"CreateObject","table":"Note","object":{"int":1}})",
       "the object key does not fit the primary key of table 'Note'"},
      {R"({"type":"CreateObject","table":"Dog","object":{"globalKey":{"hi":1,"lo":1}}})",
       "the object key does not fit the primary key of table 'Dog'"},
      {R"({"type":"CreateObject","table":"Address","object":{"globalKey":{"hi":1,"lo":1}}})",
       "cannot create an object in embedded table 'Address'"},
      {R"({"type":"EraseObject","table":"Dog","object":{"string":"x"}})",
       "the object key does not fit the primary key of table 'Dog'"},
      // paths (12.5)
      {R"({"type":"Update","table":"Person","object":{"string":"bob"},"field":"age","path":[],"value":null,"isDefault":false})",
       "No such object in table 'Person'"},
      {at("Update", "nope", "[]", i5 + R"(,"isDefault":false)"), "No such field 'nope'"},
      {at("Update", "scores", R"(["k"])", i5 + R"(,"isDefault":false)"),
       "a key in the path addresses list 'scores'"},
      {at("Update", "attrs", "[0]", i5 + R"(,"priorSize":0)"),
       "an index in the path addresses dictionary 'attrs'"},
      {at("Update", "tags", "[0]", i5 + R"(,"priorSize":0)"), "the path goes into set 'tags'"},
      {at("Update", "age", R"(["x"])", i5 + R"(,"isDefault":false)"),
       "the path goes through property 'age', which is not embedded or Mixed"},
      {at("Update", "dog", R"(["x"])", i5 + R"(,"isDefault":false)"),
       "the path goes through property 'dog', which is not embedded or Mixed"},
      {at("Update", "address", R"(["street"])", R"("value":{"string":"x"},"isDefault":false)"),
       "no embedded object at 'address' in the path"},
      {at("Update", "past", R"([0,"street"])", R"("value":{"string":"x"},"isDefault":false)"),
       "list index out of range in the path"},
      {at("Update", "any", "[0]", i5 + R"(,"priorSize":0)"),
       "the path goes into a Mixed value that is not a list or dictionary"},
      {at("Update", "attrs", R"(["a","b"])", i5 + R"(,"isDefault":false)"),
       "no dictionary key 'a' in the path"},
      {at("Update", "scores", "[0,1]", i5 + R"(,"priorSize":0)"),
       "list index out of range in the path"},
      // Update (12.7)
      {at("Update", "scores", "[]", i5 + R"(,"isDefault":false)"),
       "Invalid path for Update (a whole collection)"},
      {at("Update", "_id", "[]", R"("value":{"string":"x"},"isDefault":false)"),
       "Update of the primary key"},
      {at("Update", "age", "[]", R"("value":null,"isDefault":false)"),
       "null into a property that is not nullable"},
      {at("Update", "age", "[]", R"("value":{"double":5.0},"isDefault":false)"),
       "type mismatch: Double for a Int property"},
      {at("Update", "age", "[]", R"("value":{"embeddedObject":{}},"isDefault":false)"),
       "ObjectValue into a property that is not an embedded link"},
      {at("Update", "age", "[]", R"("value":{"list":[]},"isDefault":false)"),
       "nested collection into a property that is not Mixed"},
      {at("Update", "any", "[]", R"("value":{"set":[]},"isDefault":false)"),
       "Set payload in Update of a property"},
      {at("Update", "any", "[]", R"("value":{"erased":{}},"isDefault":false)"),
       "Erased payload in Update of a property"},
      {at("Update", "dog", "[]",
          R"("value":{"link":{"table":"Cat","pk":{"int":1}}},"isDefault":false)"),
       "table 'Cat' does not exist"},
      {at("Update", "dog", "[]",
          R"("value":{"link":{"table":"Address","pk":null}},"isDefault":false)"),
       "a link cannot point to embedded table 'Address'"},
      {at("Update", "dog", "[]",
          R"("value":{"link":{"table":"Dog","pk":{"string":"x"}}},"isDefault":false)"),
       "the object key does not fit the primary key of table 'Dog'"},
      {at("Update", "dog", "[]",
          R"("value":{"link":{"table":"Person","pk":{"string":"alice"}}},"isDefault":false)"),
       "link to 'Person' does not fit the property"},
      {at("Update", "scores", "[0]", i5 + R"(,"priorSize":0)"), "list index 0 out of bounds"},
      {at("Update", "attrs", R"(["$x"])", i5 + R"(,"isDefault":false)"),
       "dictionary key '$x' starts with '$'"},
      {at("Update", "attrs", R"(["a.b"])", i5 + R"(,"isDefault":false)"),
       "dictionary key 'a.b' contains '.'"},
      {at("Update", "ratings", R"(["a"])", R"("value":null,"isDefault":false)"),
       "null into a dictionary that is not nullable"},
      {at("Update", "ratings", R"(["a"])", i5 + R"(,"isDefault":false)"),
       "type mismatch: Int for a Double property"},
      {at("Update", "ratings", R"(["a"])", R"("value":{"embeddedObject":{}},"isDefault":false)"),
       "ObjectValue into a dictionary that does not hold embedded objects"},
      {at("Update", "ratings", R"(["a"])", R"("value":{"set":[]},"isDefault":false)"),
       "Set payload in Update of a dictionary entry"},
      // AddInteger (12.8)
      {at("AddInteger", "name", "[]", R"("value":1)"), "Not an integer field"},
      {at("AddInteger", "scores", "[]", R"("value":1)"), "Invalid path for AddInteger"},
      // lists (12.9-12.11)
      {at("ArrayInsert", "scores", "[1]", i5 + R"(,"priorSize":0)"), "index 1 beyond prior_size 0"},
      {at("ArrayInsert", "scores", "[1]", i5 + R"(,"priorSize":1)"),
       "index 1 beyond the list size 0"},
      {at("ArrayInsert", "scores", "[0]", i5 + R"(,"priorSize":1)"),
       "prior_size 1 is not the list size 0"},
      {at("ArrayInsert", "scores", "[0]", R"("value":null,"priorSize":0)"),
       "null into a list that is not nullable"},
      {at("ArrayInsert", "scores", "[0]", R"("value":{"string":"x"},"priorSize":0)"),
       "type mismatch: String for a Int property"},
      {at("ArrayInsert", "scores", "[0]", R"("value":{"embeddedObject":{}},"priorSize":0)"),
       "ObjectValue into a list that does not hold embedded objects"},
      {at("ArrayInsert", "scores", "[0]", R"("value":{"list":[]},"priorSize":0)"),
       "nested collection into a list that is not Mixed"},
      {at("ArrayInsert", "mixed", "[0]", R"("value":{"erased":{}},"priorSize":0)"),
       "Erased payload in ArrayInsert"},
      {at("ArrayInsert", "dogs", "[0]",
          R"("value":{"link":{"table":"Person","pk":{"string":"alice"}}},"priorSize":0)"),
       "link to 'Person' does not fit the property"},
      {at("ArrayMove", "scores", "[0]", R"("newIndex":0,"priorSize":0)"), "index 0 out of bounds"},
      {at("ArrayErase", "scores", "[0]", R"("priorSize":0)"), "index 0 not below prior_size 0"},
      {at("ArrayErase", "scores", "[0]", R"("priorSize":1)"), "index 0 out of bounds"},
      // Clear (12.12)
      {at("Clear", "scores", "[]", R"("collectionType":"Set")"), "Clear: Not a Set"},
      {at("Clear", "age", "[]", R"("collectionType":"List")"),
       "Invalid path for Clear (a property that is not Mixed)"},
      {at("Clear", "any", "[]", R"("collectionType":"Set")"),
       "Clear of a Mixed value needs collection type List or Dictionary"},
      {at("Clear", "any", "[]", R"("collectionType":"Single")"),
       "Clear of a Mixed value needs collection type List or Dictionary"},
      {at("Clear", "scores", "[0]", R"("collectionType":"List")"),
       "Invalid path for Clear (an element of a list that is not Mixed)"},
      {at("Clear", "mixed", "[0]", R"("collectionType":"List")"), "list index out of bounds"},
      {at("Clear", "attrs", R"(["k"])", R"("collectionType":"List")"), "no dictionary key 'k'"},
      {at("Clear", "ratings", R"(["k"])", R"("collectionType":"List")"),
       "Invalid path for Clear (an entry of a dictionary that is not Mixed)"},
      // sets (12.13)
      {at("SetInsert", "scores", "[]", i5), "Invalid path for SetInsert"},
      {at("SetErase", "scores", "[]", i5), "Invalid path for SetErase"},
      {at("SetInsert", "tags", "[]", i5), "type mismatch: Int for a String property"},
      {at("SetInsert", "tags", "[]", R"("value":null)"), "null into a set that is not nullable"},
      {at("SetInsert", "tags", "[]", R"("value":{"list":[]})"),
       "List payload in a set instruction"},
      {at("SetInsert", "dogSet", "[]",
          R"("value":{"link":{"table":"Person","pk":{"string":"alice"}}})"),
       "link to 'Person' does not fit the property"},
  };
  for (const auto& c : cases) {
    INFO(c.instruction);
    MemoryState st;
    REQUIRE(apply_json(st, kSchema) == "");
    const std::string before = dump(state_to_json(st).value());
    const std::string cs =
        "[" + std::string(R"({"type":"CreateObject","table":"Dog","object":{"int":2}},)") +
        c.instruction + "]";
    CHECK(apply_json(st, cs) == "bad changeset: instruction 1 (" +
                                    Json::parse(c.instruction)["type"].get<std::string>() +
                                    "): " + c.message);
    // Rolled back: the CreateObject before the failure is gone too.
    CHECK(dump(state_to_json(st).value()) == before);
  }
}

TEST_CASE("applier: ignores what realm-core ignores", "[changeset]") {
  MemoryState st;
  REQUIRE(apply_json(st, kSchema) == "");
  const std::string before = dump(state_to_json(st).value());
  CHECK(apply_json(st, R"([
    {"type":"AddTable","table":"Dog","embedded":false,"primaryKey":{"field":"_id","type":"String","nullable":false},"asymmetric":false},
    {"type":"AddTable","table":"Dog","embedded":false,"primaryKey":{"field":"","type":"GlobalKey","nullable":false},"asymmetric":false},
    {"type":"AddTable","table":"Address","embedded":true},
    {"type":"AddColumn","table":"Person","field":"age","valueType":"Int","nullable":true,"collectionType":"Single"},
    {"type":"CreateObject","table":"Person","object":{"string":"alice"}},
    {"type":"EraseObject","table":"Dog","object":{"int":99}},
    {"type":"EraseObject","table":"Address","object":{"globalKey":{"hi":1,"lo":1}}},
    {"type":"AddInteger","table":"Person","object":{"string":"alice"},"field":"opt","path":[],"value":5},
    {"type":"Update","table":"Person","object":{"string":"alice"},"field":"scores","path":[7],"value":{"embeddedObject":{}},"priorSize":0},
    {"type":"Update","table":"Person","object":{"string":"alice"},"field":"attrs","path":["gone"],"value":{"erased":{}},"isDefault":false},
    {"type":"SetErase","table":"Person","object":{"string":"alice"},"field":"tags","path":[],"value":{"string":"absent"}}
  ])") == "");
  CHECK(dump(state_to_json(st).value()) == before);
}

TEST_CASE("applier: collections, counters and Mixed behave as in section 12", "[changeset]") {
  MemoryState st;
  REQUIRE(apply_json(st, kSchema) == "");
  REQUIRE(
      apply_json(
          st,
          "[" + at("ArrayInsert", "scores", "[0]", R"("value":{"int":1},"priorSize":0)") + "," +
              at("ArrayInsert", "scores", "[1]", R"("value":{"int":2},"priorSize":1)") + "," +
              at("ArrayInsert", "scores", "[2]", R"("value":{"int":3},"priorSize":2)") + "," +
              at("ArrayMove", "scores", "[2]", R"("newIndex":0,"priorSize":3)") + "," +
              at("Update", "scores", "[1]", R"("value":{"int":10},"priorSize":3)") + "," +
              at("ArrayErase", "scores", "[2]", R"("priorSize":3)") + "," +
              at("SetInsert", "tags", "[]", R"("value":{"string":"b"})") + "," +
              at("SetInsert", "tags", "[]", R"("value":{"string":"a"})") + "," +
              at("SetInsert", "tags", "[]", R"("value":{"string":"b"})") + "," +
              at("SetInsert", "tags", "[]", R"("value":{"string":"\u00e9"})") + "," +
              at("AddInteger", "age", "[]", R"("value":9223372036854775807)") + "," +
              at("AddInteger", "age", "[]", R"("value":2)") + "," +
              at("Update", "any", "[]", R"("value":{"list":[]},"isDefault":false)") + "," +
              at("ArrayInsert", "any", "[0]", R"("value":{"dictionary":{}},"priorSize":0)") + "," +
              at("Update", "any", R"([0,"k"])", R"("value":{"int":7},"isDefault":false)") + "," +
              at("Update", "attrs", R"(["x"])", R"("value":{"int":1},"isDefault":false)") + "," +
              at("Clear", "attrs", R"(["x"])", R"("collectionType":"List")") + "]") == "");
  const Json p = person(st);
  CHECK(p["scores"].dump() == R"({"list":[{"int":3},{"int":10}]})");
  // Sorted by signed bytes, as realm-core does: "é" (c3 a9) comes first.
  CHECK(p["tags"].dump() == R"({"set":[{"string":"é"},{"string":"a"},{"string":"b"}]})");
  CHECK(p["age"].dump() == R"({"int":-9223372036854775807})");  // wraps
  CHECK(p["any"].dump() == R"({"list":[{"dictionary":{"k":{"int":7}}}]})");
  CHECK(p["attrs"].dump() == R"({"dictionary":{"x":{"list":[]}}})");
}

TEST_CASE("applier: embedded objects live and die with their owner", "[changeset]") {
  MemoryState st;
  REQUIRE(apply_json(st, kSchema) == "");
  REQUIRE(
      apply_json(
          st,
          "[" +
              at("Update", "address", "[]", R"("value":{"embeddedObject":{}},"isDefault":false)") +
              "," +
              at("Update", "address", R"(["street"])",
                 R"("value":{"string":"Main"},"isDefault":false)") +
              "," +
              at("Update", "address", "[]", R"("value":{"embeddedObject":{}},"isDefault":false)") +
              "," +
              at("ArrayInsert", "past", "[0]", R"("value":{"embeddedObject":{}},"priorSize":0)") +
              "," +
              at("Update", "past", R"([0,"street"])",
                 R"("value":{"string":"Old"},"isDefault":false)") +
              "," +
              at("Update", "places", R"(["home"])",
                 R"("value":{"embeddedObject":{}},"isDefault":false)") +
              "]") == "");
  Json s = state_to_json(st).value();
  Json p = s["classes"]["Person"]["objects"][0];
  CHECK(p["address"].dump() == R"({"embeddedObject":{"street":{"string":"Main"}}})");  // idempotent
  CHECK(p["past"].dump() == R"({"list":[{"embeddedObject":{"street":{"string":"Old"}}}]})");
  CHECK(p["places"].dump() ==
        R"({"dictionary":{"home":{"embeddedObject":{"street":{"string":""}}}}})");
  CHECK(s["classes"]["Address"]["objectCount"] == 3);

  REQUIRE(apply_json(st, "[" + at("Update", "address", "[]", R"("value":null,"isDefault":false)") +
                             "]") == "");
  CHECK(state_to_json(st).value()["classes"]["Address"]["objectCount"] == 2);
  // Erasing the link property leaves its objects orphaned; they still count.
  REQUIRE(apply_json(st, R"([{"type":"EraseColumn","table":"Person","field":"past"}])") == "");
  CHECK(state_to_json(st).value()["classes"]["Address"]["objectCount"] == 2);
  REQUIRE(
      apply_json(st, R"([{"type":"EraseObject","table":"Person","object":{"string":"alice"}}])") ==
      "");
  CHECK(state_to_json(st).value()["classes"]["Address"]["objectCount"] == 1);
}

TEST_CASE("applier: links to missing objects are unresolved and come back", "[changeset]") {
  MemoryState st;
  REQUIRE(apply_json(st, kSchema) == "");
  const std::string dog1 = R"("value":{"link":{"table":"Dog","pk":{"int":1}}})";
  const std::string instructions[] = {
      at("Update", "dog", "[]", dog1 + R"(,"isDefault":false)"),
      at("ArrayInsert", "dogs", "[0]", dog1 + R"(,"priorSize":0)"),
      at("ArrayInsert", "mixed", "[0]", dog1 + R"(,"priorSize":0)"),
      at("Update", "any", "[]", dog1 + R"(,"isDefault":false)"),
      at("Update", "dogDict", R"(["d"])", dog1 + R"(,"isDefault":false)"),
      R"({"type":"EraseObject","table":"Dog","object":{"int":1}})",
  };
  std::string cs = "[";
  for (const auto& i : instructions) cs += (cs.size() > 1 ? "," : "") + i;
  REQUIRE(apply_json(st, cs + "]") == "");
  Json p = person(st);
  const std::string unresolved = R"({"link":{"table":"Dog","unresolved":true}})";
  CHECK(p["dog"].is_null());  // a single link reads as null
  CHECK(p["dogs"].dump() == R"({"list":[)" + unresolved + "]}");
  CHECK(p["mixed"].dump() == R"({"list":[null]})");  // realm-core's Lst<Mixed> reads null
  CHECK(p["any"].is_null());  // so does a Mixed property
  CHECK(p["dogDict"].dump() == R"({"dictionary":{"d":)" + unresolved + "}}");

  REQUIRE(apply_json(st, R"([{"type":"CreateObject","table":"Dog","object":{"int":1}}])") == "");
  p = person(st);
  const std::string live = R"({"link":{"table":"Dog","pk":{"int":1}}})";
  CHECK(p["dog"].dump() == live);
  CHECK(p["dogs"].dump() == R"({"list":[)" + live + "]}");
  CHECK(p["mixed"].dump() == R"({"list":[)" + live + "]}");
  CHECK(p["any"].dump() == live);
  CHECK(p["dogDict"].dump() == R"({"dictionary":{"d":)" + live + "}}");
}

TEST_CASE("applier: the state dump has the vectors' form", "[changeset]") {
  MemoryState st;
  REQUIRE(apply_json(st, R"([
    {"type":"AddTable","table":"Note","embedded":false,"primaryKey":{"field":"","type":"GlobalKey","nullable":false},"asymmetric":false},
    {"type":"AddColumn","table":"Note","field":"text","valueType":"String","nullable":true,"collectionType":"Single"},
    {"type":"CreateObject","table":"Note","object":{"globalKey":{"hi":6,"lo":1}}},
    {"type":"CreateObject","table":"Note","object":{"globalKey":{"hi":6,"lo":0}}},
    {"type":"Update","table":"Note","object":{"globalKey":{"hi":6,"lo":0}},"field":"text","path":[],"value":{"string":"hi"},"isDefault":false}
  ])") == "");
  CHECK(
      state_to_json(st).value().dump() ==
      R"({"classes":{"Note":{"embedded":false,"primaryKey":null,"columns":{"text":{"type":"String","nullable":true,"collection":"Single"}},)"
      R"("objects":[{"_globalKey":{"globalKey":{"hi":6,"lo":0}},"text":{"string":"hi"}},)"
      R"({"_globalKey":{"globalKey":{"hi":6,"lo":1}},"text":null}]}}})");
}

TEST_CASE("applier: every value type lands in its property and in Mixed", "[changeset]") {
  struct Case {
    const char* type;   // property type
    const char* value;  // payload JSON, rendered the same in the state
  };
  const Case cases[] = {
      {"Int", R"({"int":-7})"},
      {"Bool", R"({"bool":true})"},
      {"String", R"({"string":"Ærø"})"},
      {"Binary", R"({"binary":"AAEC/w=="})"},
      {"Timestamp", R"({"timestamp":{"seconds":-1,"nanoseconds":-5}})"},
      {"Float", R"({"float":1.5})"},
      {"Double", R"({"double":0.1})"},
      {"Decimal", R"({"decimal":"7E-3"})"},
      {"ObjectId", R"({"objectId":"65a1b2c3d4e5f60718293a4b"})"},
      {"UUID", R"({"uuid":"3b241101-e2bb-4255-8caf-4136c566a962"})"},
      {"Link", R"({"link":{"table":"Dog","pk":{"int":1}}})"},
  };
  for (const auto& c : cases) {
    INFO(c.type);
    MemoryState st;
    REQUIRE(apply_json(st, kSchema) == "");
    const std::string t = c.type;
    const std::string link = t == "Link" ? R"(,"linkTarget":"Dog")" : "";
    REQUIRE(apply_json(st, R"([{"type":"AddColumn","table":"Person","field":"p","valueType":")" +
                               t + R"(","nullable":true,"collectionType":"Single")" + link + "}," +
                               at("Update", "p", "[]",
                                  std::string(R"("value":)") + c.value + R"(,"isDefault":false)") +
                               "," +
                               at("Update", "any", "[]",
                                  std::string(R"("value":)") + c.value + R"(,"isDefault":true)") +
                               "]") == "");
    const Json p = person(st);
    CHECK(p["p"].dump() == c.value);
    CHECK(p["any"].dump() == c.value);
  }
}

TEST_CASE("applier: AddInteger on Mixed adds to an Int and refuses anything else", "[changeset]") {
  MemoryState st;
  REQUIRE(apply_json(st, kSchema) == "");
  REQUIRE(apply_json(st, "[" +
                             at("Update", "any", "[]", R"("value":{"int":40},"isDefault":false)") +
                             "," + at("AddInteger", "any", "[]", R"("value":2)") + "]") == "");
  CHECK(person(st)["any"].dump() == R"({"int":42})");
  REQUIRE(apply_json(
              st, "[" + at("Update", "any", "[]", R"("value":{"double":1.0},"isDefault":false)") +
                      "]") == "");
  CHECK(apply_json(st, "[" + at("AddInteger", "any", "[]", R"("value":2)") + "]") ==
        "bad changeset: instruction 0 (AddInteger): Not an integer field");
}

TEST_CASE("applier: schema instructions create what the state dump shows", "[changeset]") {
  MemoryState st;
  REQUIRE(apply_json(st, kSchema) == "");
  const Json s = state_to_json(st).value();
  CHECK(s["classes"]["Dog"]["primaryKey"].dump() ==
        R"({"field":"_id","type":"Int","nullable":false})");
  CHECK(s["classes"]["Address"]["objectCount"] == 0);
  CHECK(s["classes"]["Note"]["primaryKey"].is_null());
  const Json cols = s["classes"]["Person"]["columns"];
  CHECK(cols["_id"].dump() == R"({"type":"String","nullable":false,"collection":"Single"})");
  CHECK(cols["dogs"].dump() ==
        R"({"type":"Link","nullable":false,"collection":"List","linkTarget":"Dog"})");
  CHECK(cols["dogDict"].dump() ==
        R"({"type":"Link","nullable":true,"collection":"Dictionary","linkTarget":"Dog"})");
  CHECK(cols["any"].dump() == R"({"type":"Mixed","nullable":true,"collection":"Single"})");
  // EraseColumn and EraseTable remove them again.
  REQUIRE(apply_json(st, R"([{"type":"EraseColumn","table":"Person","field":"nick"},
                             {"type":"EraseTable","table":"Note"}])") == "");
  const Json after = state_to_json(st).value();
  CHECK_FALSE(after["classes"]["Person"]["columns"].contains("nick"));
  CHECK_FALSE(after["classes"]["Person"]["objects"][0].contains("nick"));
  CHECK_FALSE(after["classes"].contains("Note"));
}

TEST_CASE("applier: a local write's array update must carry the list size as prior_size",
          "[changeset]") {
  // scores = [1, 2]
  auto prepare = [](MemoryState& st) {
    REQUIRE(apply_json(st, kSchema) == "");
    REQUIRE(apply_json(st, "[" +
                               at("ArrayInsert", "scores", "[0]",
                                  R"("value":{"int":1},"priorSize":0)") +
                               "," +
                               at("ArrayInsert", "scores", "[1]",
                                  R"("value":{"int":2},"priorSize":1)") +
                               "]") == "");
  };
  // Made when the list had one element.
  const auto stale =
      changeset("[" + at("Update", "scores", "[0]", R"("value":{"int":7},"priorSize":1)") + "]");
  {
    MemoryState st;  // section 12.7 does not check it...
    prepare(st);
    CHECK(apply(st, stale).ok());
  }
  MemoryState st;  // ...but a local write is refused whole, as an ArrayInsert would be
  prepare(st);
  auto refused = apply(st, stale, ApplyOptions{.local_write = true});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("prior_size 1 is not the list size 2") != std::string::npos);
  CHECK(person(st)["scores"].dump() == R"({"list":[{"int":1},{"int":2}]})");
  const auto fresh =
      changeset("[" + at("Update", "scores", "[0]", R"("value":{"int":7},"priorSize":2)") + "]");
  CHECK(apply(st, fresh, ApplyOptions{.local_write = true}).ok());
  CHECK(person(st)["scores"].dump() == R"({"list":[{"int":7},{"int":2}]})");
}
