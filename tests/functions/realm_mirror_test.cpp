// RealmMirror: the change event of each history entry — indices into the
// objects of a class ordered by primary key, primary keys, old and new
// objects — and the touched-object summary the feed publishes.
#include <catch2/catch.hpp>

#include "functions/realm_mirror.hpp"
#include "functions/setting_changesets.hpp"
#include "sync/changeset/touched.hpp"

using ros::functions::RealmMirror;
using nlohmann::json;
using namespace ros::test;

namespace {

json event_of(RealmMirror& m, std::uint64_t version, const ros::sync::changeset::Changeset& cs) {
  auto r = m.apply(version, feed_bytes(cs), true);
  INFO((r.ok() ? std::string() : r.error().message));
  REQUIRE(r.ok());
  return r.value() ? *r.value() : json(nullptr);
}

}  // namespace

TEST_CASE("realm mirror: a schema-only entry has no event", "[functions]") {
  RealmMirror m("/abc/settings");
  CHECK(event_of(m, 1, setting_schema()).is_null());
  CHECK(m.version() == 1);
}

TEST_CASE("realm mirror: insertions, modifications and deletions index the objects by primary key",
          "[functions]") {
  RealmMirror m("/abc/settings");
  event_of(m, 1, setting_schema());

  // Created out of key order: the indices follow key order.
  json e = event_of(m, 2, setting_changeset({create_setting_json("c"), set_setting_json("c", 3),
                                             create_setting_json("a"), set_setting_json("a", 1)}));
  REQUIRE(e.is_object());
  CHECK(e["path"] == "/abc/settings");
  CHECK(e["version"] == 2);
  CHECK(e["changes"]["Setting"]["insertions"] == json::array({0, 1}));
  CHECK(e["changes"]["Setting"]["insertedKeys"] == json::array({"a", "c"}));
  CHECK(e["changes"]["Setting"]["modifications"] == json::array());
  CHECK(e["changes"]["Setting"]["deletions"] == json::array());
  CHECK(e["oldRealm"]["Setting"] == json::array());
  CHECK(e["realm"]["Setting"] ==
        json::parse(R"([{"_id": "a", "value": 1}, {"_id": "c", "value": 3}])"));

  // b is inserted between them, c changes, a goes.
  e = event_of(m, 3, setting_changeset({create_setting_json("b"), set_setting_json("b", 2),
                                        set_setting_json("c", 30), erase_setting_json("a")}));
  const json& c = e["changes"]["Setting"];
  CHECK(c["insertions"] == json::array({0}));  // b, first after a went
  CHECK(c["insertedKeys"] == json::array({"b"}));
  CHECK(c["modifications"] == json::array({1}));  // c in the new objects
  CHECK(c["modifiedKeys"] == json::array({"c"}));
  CHECK(c["deletions"] == json::array({0}));  // a in the old objects
  CHECK(c["deletedKeys"] == json::array({"a"}));
  CHECK(e["oldRealm"]["Setting"] ==
        json::parse(R"([{"_id": "a", "value": 1}, {"_id": "c", "value": 3}])"));
  CHECK(e["realm"]["Setting"] ==
        json::parse(R"([{"_id": "b", "value": 2}, {"_id": "c", "value": 30}])"));
}

TEST_CASE("realm mirror: an object created and erased by one entry is in no list", "[functions]") {
  RealmMirror m("/abc/settings");
  event_of(m, 1, setting_schema());
  CHECK(event_of(m, 2, setting_changeset({create_setting_json("x"), erase_setting_json("x")}))
            .is_null());
}

TEST_CASE("realm mirror: a changeset that does not apply is an error and changes nothing",
          "[functions]") {
  RealmMirror m("/abc/settings");
  // An Update of a class that does not exist.
  auto r = m.apply(1, feed_bytes(set_setting("a", 1)), true);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("does not apply") != std::string::npos);
  CHECK(m.version() == 0);
  auto bad = m.apply(1, "%%%", true);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("base64") != std::string::npos);
}

TEST_CASE("touched objects: created, changed and erased keys per class, each once", "[functions]") {
  auto cs = setting_changeset({create_setting_json("a"), set_setting_json("a", 1),
                               set_setting_json("b", 2), set_setting_json("b", 3),
                               erase_setting_json("c")});
  auto t = ros::sync::changeset::touched_objects(cs);
  REQUIRE(t.size() == 1);
  auto j = json::parse(ros::sync::changeset::touched_to_json(t).dump());
  CHECK(j == json::parse(
                 R"({"Setting": {"inserted": ["a"], "modified": ["b"], "deleted": ["c"]}})"));
  CHECK(ros::sync::changeset::touched_objects(setting_schema()).empty());
}
