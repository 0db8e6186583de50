// ros-realm reading the files directly (no ros-syncd running): ls, show,
// schema, history, rm, with and without --json, and its refusals.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "realm_writer.hpp"
#include "storage/layout.hpp"
#include "support/pki.hpp"
#include "support/run.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using ros::test::run_program;

namespace {

const std::string kOwner = "0123456789abcdef0123456789abcdef";

struct Files {
  Files() : root(dir / "root"), keys(ros::test::make_rsa_key_pair(dir.path(), "token")) {
    fs::create_directories(root);
    config = dir.write("configuration.yml", "storage:\n  root_path: " + root.string() +
                                                "\nauth:\n  public_key_path: " +
                                                keys.public_key.string() +
                                                "\n  private_key_path: " +
                                                keys.private_key.string() + "\n")
                 .string();
    ros::storage::Layout layout(root);
    ros::test::RealmWriter a(*layout.realm_file("/catalog"));
    a.add_schema();
    for (int i = 0; i < 4; ++i) a.add_item();
    ros::test::RealmWriter b(*layout.realm_file("/" + kOwner + "/notes"));
    b.add_schema();
  }
  ros::test::RunResult run(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--config", config});
    return run_program("ros-realm", args);
  }

  ros::test::TempDir dir;
  fs::path root;
  ros::test::KeyPairFiles keys;
  std::string config;
};

}  // namespace

TEST_CASE("ros-realm ls lists the Realm files when ros-syncd is not running", "[ros-realm]") {
  Files f;
  auto r = f.run({"-v", "ls"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("directly: ros-syncd is not running") != std::string::npos);
  CHECK(r.out.find("PATH") == 0);
  CHECK(r.out.find("/catalog") != std::string::npos);
  CHECK(r.out.find("/" + kOwner + "/notes") != std::string::npos);

  auto j = f.run({"--json", "ls"});
  REQUIRE(j.exit_code == 0);
  CHECK(j.err.empty());
  auto realms = json::parse(j.out)["realms"];
  REQUIRE(realms.size() == 2);
  CHECK(realms[0]["owner"] == kOwner);
  CHECK(realms[1]["path"] == "/catalog");
  CHECK(realms[1]["history_length"] == 5);
  CHECK(realms[1]["latest_version"] == 5);
  CHECK_FALSE(realms[1].contains("clients"));
}

TEST_CASE("ros-realm show, schema and history print a Realm", "[ros-realm]") {
  Files f;
  auto show = f.run({"show", "/catalog", "--limit", "2"});
  INFO(show.err);
  REQUIRE(show.exit_code == 0);
  CHECK(show.out.find("class Item (primary key _id)") != std::string::npos);
  CHECK(show.out.find("objects: 2 of 4") != std::string::npos);
  CHECK(show.out.find(R"("s":{"string":"item 2"})") != std::string::npos);
  CHECK(show.out.find("item 3") == std::string::npos);

  auto shown = f.run({"--json", "show", "/catalog", "--class", "Item"});
  REQUIRE(shown.exit_code == 0);
  auto j = json::parse(shown.out);
  CHECK(j["path"] == "/catalog");
  CHECK(j["classes"]["Item"]["objects"].size() == 4);

  auto no_class = f.run({"show", "/catalog", "--class", "Nope"});
  CHECK(no_class.exit_code == 1);
  CHECK(no_class.err == "ros-realm: no class 'Nope' in the Realm (classes: Item)\n");

  auto schema = f.run({"schema", "/catalog"});
  REQUIRE(schema.exit_code == 0);
  CHECK(schema.out.find("  s                        String\n") != std::string::npos);
  CHECK(schema.out.find("objects") == std::string::npos);

  auto history = f.run({"history", "/catalog", "--from", "4"});
  INFO(history.err);
  REQUIRE(history.exit_code == 0);
  CHECK(history.out.find("latest version 5") == 0);
  CHECK(history.out.find("version 4  salt") != std::string::npos);
  CHECK(history.out.find("version 3  salt") == std::string::npos);
  CHECK(history.out.find(R"({"object":{"int":4},"table":"Item","type":"CreateObject"})") !=
        std::string::npos);
  auto hj = f.run({"--json", "history", "/catalog", "--limit", "1"});
  REQUIRE(hj.exit_code == 0);
  auto h = json::parse(hj.out);
  CHECK(h["entries"].size() == 1);
  CHECK(h["entries"][0]["changeset"]["instructions"][0]["type"] == "AddTable");
  CHECK(h["truncated"] == true);

  auto missing = f.run({"show", "/nothing"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("ros-realm: no Realm '/nothing'") == 0);
  CHECK_FALSE(fs::exists(f.root / "realms" / "nothing.db"));
  auto bad = f.run({"schema", "/../x"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("invalid Realm path") != std::string::npos);
  // Counts are checked before anything is read: a negative one is bad usage.
  for (std::vector<std::string> args : {std::vector<std::string>{"show", "/x", "--limit", "-1"},
                                        std::vector<std::string>{"history", "/x", "--from", "-2"},
                                        std::vector<std::string>{"history", "/x", "--limit", "-3"}}) {
    auto negative = f.run(args);
    INFO(args[2] << " " << args[3] << ": " << negative.err);
    CHECK(negative.exit_code == 2);
  }
}

TEST_CASE("ros-realm rm needs --force and removes the files", "[ros-realm]") {
  Files f;
  const fs::path file = f.root / "realms" / kOwner / "notes.db";
  REQUIRE(fs::exists(file));
  auto refused = f.run({"rm", "/" + kOwner + "/notes"});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("add --force") != std::string::npos);
  CHECK(fs::exists(file));

  auto removed = f.run({"rm", "/" + kOwner + "/notes", "--force"});
  INFO(removed.err);
  REQUIRE(removed.exit_code == 0);
  CHECK(removed.out == "removed Realm '/" + kOwner + "/notes'\n");
  CHECK_FALSE(fs::exists(file));
  CHECK_FALSE(fs::exists(f.root / "realms" / kOwner));

  auto again = f.run({"--json", "rm", "/" + kOwner + "/notes", "--force"});
  CHECK(again.exit_code == 1);
  auto list = f.run({"--json", "ls"});
  CHECK(json::parse(list.out)["realms"].size() == 1);
}
