#include "sync/inspect/inspect.hpp"

#include <catch2/catch.hpp>

#include "realm_writer.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace ros::sync::inspect;
using ros::Errc;
using ros::test::RealmWriter;
using ros::test::TempDir;

namespace {

const std::string kOwner = "0123456789abcdef0123456789abcdef";

fs::path file_of(const ros::storage::Layout& layout, const std::string& path) {
  auto f = layout.realm_file(path);
  REQUIRE(f.ok());
  return *f;
}

}  // namespace

TEST_CASE("inspect: list_realms lists every Realm file with owner, size and history", "[inspect]") {
  TempDir dir;
  ros::storage::Layout layout(dir.path());
  CHECK(list_realms(layout)["realms"].empty());  // no realms/ at all
  {
    RealmWriter a(file_of(layout, "/catalog"));
    a.add_schema();
    a.add_item();
    a.add_item();
    RealmWriter b(file_of(layout, "/" + kOwner + "/settings"));
    b.add_schema();
  }
  dir.write("realms/notes.txt", "not a Realm");
  dir.write("realms/junk.db", "not a database either, but named like one");

  auto list = list_realms(layout)["realms"];
  REQUIRE(list.size() == 3);
  CHECK(list[0]["path"] == "/" + kOwner + "/settings");
  CHECK(list[0]["owner"] == kOwner);
  CHECK(list[0]["history_length"] == 1);
  CHECK(list[0]["latest_version"] == 1);
  CHECK(list[1]["path"] == "/catalog");
  CHECK(list[1]["owner"].is_null());
  CHECK(list[1]["history_length"] == 3);
  CHECK(list[1]["latest_version"] == 3);
  CHECK(list[1]["size"].get<std::uint64_t>() > 0);
  CHECK(list[1]["file"] == file_of(layout, "/catalog").string());
  CHECK(list[2]["path"] == "/junk");
  CHECK(list[2].contains("error"));
  CHECK_FALSE(list[2].contains("latest_version"));

  auto one = describe_realm(layout, "/catalog");
  REQUIRE(one.ok());
  CHECK(*one == list[1]);
  auto missing = describe_realm(layout, "/nothing");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == Errc::not_found);
  CHECK(missing.error().message.find("no Realm '/nothing'") != std::string::npos);
  CHECK_FALSE(fs::exists(file_of(layout, "/nothing")));  // nothing created
  auto bad = describe_realm(layout, "/../etc");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == Errc::invalid_argument);
}

TEST_CASE("inspect: schema, objects with a limit and a class filter", "[inspect]") {
  TempDir dir;
  RealmWriter w(dir / "r.db");
  w.add_schema();
  for (int i = 0; i < 5; ++i) w.add_item();

  auto schema = realm_schema(w.store());
  REQUIRE(schema.ok());
  const auto& item = (*schema)["classes"]["Item"];
  CHECK(item["primaryKey"]["field"] == "_id");
  CHECK(item["columns"]["n"]["type"] == "Int");
  CHECK(item["columns"]["s"]["type"] == "String");
  CHECK_FALSE(item.contains("objects"));

  auto shown = show_realm(w.store(), std::nullopt, 3);
  REQUIRE(shown.ok());
  const auto& objects = (*shown)["classes"]["Item"]["objects"];
  REQUIRE(objects.size() == 3);
  CHECK((*shown)["classes"]["Item"]["objectTotal"] == 5);
  CHECK(objects[0]["s"] == nlohmann::json{{"string", "item 1"}});
  CHECK(objects[2]["n"] == nlohmann::json{{"int", 3}});

  auto all = show_realm(w.store(), std::string("Item"), 100);
  REQUIRE(all.ok());
  CHECK((*all)["classes"]["Item"]["objects"].size() == 5);

  auto none = show_realm(w.store(), std::string("Nope"), 10);
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code == Errc::not_found);
  CHECK(none.error().message == "no class 'Nope' in the Realm (classes: Item)");
}

TEST_CASE("inspect: history decodes each changeset with its metadata, from a version", "[inspect]") {
  TempDir dir;
  RealmWriter w(dir / "r.db");
  w.add_schema();
  w.add_item();
  w.add_item();

  auto all = realm_history(w.store(), 0);
  REQUIRE(all.ok());
  const auto& entries = (*all)["entries"];
  REQUIRE(entries.size() == 3);
  CHECK((*all)["latest"]["version"] == 3);
  CHECK(entries[0]["version"] == 1);
  CHECK(entries[0]["origin_file_ident"] == 2);
  CHECK(entries[0]["client_version"] == 1);
  CHECK(entries[0]["changeset"]["instructions"][0]["type"] == "AddTable");
  CHECK(entries[2]["changeset"]["instructions"][0]["type"] == "CreateObject");
  CHECK(entries[2]["cumulative_size"].get<std::uint64_t>() >
        entries[1]["cumulative_size"].get<std::uint64_t>());

  auto from = realm_history(w.store(), 2);
  REQUIRE(from.ok());
  REQUIRE((*from)["entries"].size() == 2);
  CHECK((*from)["entries"][0]["version"] == 2);

  auto limited = realm_history(w.store(), 1, 1);
  REQUIRE(limited.ok());
  CHECK((*limited)["entries"].size() == 1);
  CHECK((*limited)["truncated"] == true);

  auto end = realm_history(w.store(), 4);
  REQUIRE(end.ok());
  CHECK((*end)["entries"].empty());
  auto beyond = realm_history(w.store(), 5);
  REQUIRE_FALSE(beyond.ok());
  CHECK(beyond.error().code == Errc::not_found);
}

TEST_CASE("inspect: remove_realm deletes the file, its companions and empty folders", "[inspect]") {
  TempDir dir;
  ros::storage::Layout layout(dir.path());
  const fs::path file = file_of(layout, "/" + kOwner + "/deep/settings");
  {
    RealmWriter w(file);
    w.add_schema();
  }
  RealmWriter keep(file_of(layout, "/keep"));
  dir.write("realms/" + kOwner + "/deep/settings.db-wal", "");

  auto removed = remove_realm(layout, "/" + kOwner + "/deep/settings");
  REQUIRE(removed.ok());
  CHECK((*removed)["removed"] == "/" + kOwner + "/deep/settings");
  CHECK_FALSE(fs::exists(file));
  CHECK_FALSE(fs::exists(fs::path(file.string() + "-wal")));
  CHECK_FALSE(fs::exists(layout.realms_dir() / kOwner));
  CHECK(fs::exists(layout.realms_dir()));
  CHECK(list_realms(layout)["realms"].size() == 1);

  auto again = remove_realm(layout, "/" + kOwner + "/deep/settings");
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == Errc::not_found);
}
