// Realm Functions end to end: a real ros-syncd and ros-fnd on a temporary
// data directory, writes through lib/sync/client, functions deployed with
// ros-fn. The change feed itself, an executable function that must get
// exactly the events of matching Realms, a Node module whose console.log
// reaches `ros-fn logs`, a SIGKILL of ros-fnd in the middle of a stream,
// hanging, crashing and slow functions beside a quick one, 20 at once.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <set>

#include "control/client.hpp"
#include "functions/fnd_fixture.hpp"
#include "functions/setting_changesets.hpp"
#include "sync/client/client.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using ros::test::FndFixture;
using ros::test::json_lines;
using namespace ros::test;
namespace client = ros::sync::client;

namespace {

const std::string kRegex = "^/([0-9a-f]+)/settings$";

// Writes the changesets to `path`, one history entry each, and waits until
// ros-syncd has them all.
void write_all(const FndFixture& f, const std::string& path,
               const std::vector<ros::sync::changeset::Changeset>& changesets) {
  auto c = client::Client::make(f.client_options(path));
  REQUIRE(c.ok());
  auto s = c->bind(path);
  // The local Realm first gets what the server has, so changes of existing
  // objects apply to it.
  REQUIRE(s.wait_downloaded().ok());
  for (const auto& cs : changesets) {
    auto written = s.write(cs);
    INFO((written.ok() ? std::string() : written.error().message));
    REQUIRE(written.ok());
  }
  auto uploaded = s.wait_uploaded();
  INFO((uploaded.ok() ? std::string() : uploaded.error().message + "\nros-syncd's log:\n" + f.syncd->log()));
  REQUIRE(uploaded.ok());
  (void)s.unbind();  // the data is on the server already
}

// A script appending every event it gets to <dir>/<function name>.jsonl.
std::string recorder(const FndFixture& f, const std::string& extra = "") {
  return f.script("record.sh", "#!/bin/sh\ncat >> '" + f.dir.path().string() +
                                   "'/\"$ROS_FUNCTION_NAME\".jsonl\n" + extra);
}

std::vector<json> events_of(const FndFixture& f, const std::string& name) {
  return json_lines(f.dir / (name + ".jsonl"));
}

void deploy(const FndFixture& f, const std::string& name, const std::string& source,
            const std::string& regex = kRegex) {
  auto r = f.fn({"deploy", name, "--regex", regex, source});
  INFO(r.err << r.out);
  REQUIRE(r.exit_code == 0);
}

json show(const FndFixture& f, const std::string& name) { return f.fn_json({"show", name}); }

}  // namespace

TEST_CASE("ros-syncd feed: entries of the matching Realms in order, resumable from a version",
          "[functions]") {
  FndFixture f;
  write_all(f, "/aa/settings", {setting_schema(), create_setting("a", 1), erase_setting("a")});
  write_all(f, "/zz/other", {setting_schema(), create_setting("z", 1)});

  auto follow = [&](json from, std::size_t want) {
    auto c = ros::control::Client::connect(f.root / "run" / "syncd.sock", "ros-syncd");
    REQUIRE(c.ok());
    std::vector<json> entries;
    auto r = c->stream("feed.follow", {{"paths", "^/aa/.*$"}, {"from", from}},
                       [&](const json& line) {
                         if (line.contains("path")) entries.push_back(line);
                         return entries.size() < want && !line.contains("heartbeat");
                       });
    REQUIRE(r.ok());
    return entries;
  };
  auto all = follow(json::object(), 3);
  REQUIRE(all.size() == 3);
  for (const auto& e : all) CHECK(e["path"] == "/aa/settings");
  CHECK(all[0]["changes"] == json::object());  // the schema
  CHECK(all[1]["changes"] ==
        json::parse(R"({"Setting": {"inserted": ["a"], "modified": [], "deleted": []}})"));
  CHECK(all[2]["changes"] ==
        json::parse(R"({"Setting": {"inserted": [], "modified": [], "deleted": ["a"]}})"));
  CHECK(all[0]["version"].get<int>() < all[1]["version"].get<int>());
  CHECK(all[1]["version"].get<int>() < all[2]["version"].get<int>());
  CHECK(all[2]["changeset"].is_string());

  // From the second entry's version: only the third, then the feed idles.
  auto rest = follow({{"/aa/settings", all[1]["version"]}}, 1);
  REQUIRE(rest.size() == 1);
  CHECK(rest[0]["version"] == all[2]["version"]);

  // A bad regex is refused with the reason.
  auto c = ros::control::Client::connect(f.root / "run" / "syncd.sock", "ros-syncd");
  REQUIRE(c.ok());
  auto bad = c->stream("feed.follow", {{"paths", "(["}}, [](const json&) { return true; });
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("'paths' is not a valid regular expression") == 0);
}

TEST_CASE("ros-fnd: a function gets exactly the events of matching Realms, in order, with old and new objects",
          "[functions]") {
  FndFixture f;
  deploy(f, "rec", recorder(f));
  auto ls = f.fn({"ls"});
  CHECK(ls.exit_code == 0);
  CHECK(ls.out.find("rec") != std::string::npos);
  CHECK(ls.out.find("running") != std::string::npos);

  const std::vector<std::string> matching = {"/abc123/settings", "/0f/settings"};
  const std::vector<std::string> others = {"/abc123/other", "/xyz/settings", "/abc123/settings/x",
                                           "/settings"};
  for (const auto& p : others) write_all(f, p, {setting_schema(), create_setting("o", 1)});
  for (const auto& p : matching) {
    write_all(f, p,
              {setting_schema(), create_setting("b", 2), create_setting("a", 1),
               set_setting("a", 10), erase_setting("b")});
  }
  REQUIRE(FndFixture::eventually([&] { return events_of(f, "rec").size() >= 8; }));
  auto events = events_of(f, "rec");
  REQUIRE(events.size() == 8);

  std::map<std::string, std::vector<json>> by_path;
  for (const auto& e : events) by_path[e["path"].get<std::string>()].push_back(e);
  REQUIRE(by_path.size() == 2);
  for (const auto& p : matching) {
    INFO(p);
    const auto& list = by_path[p];
    REQUIRE(list.size() == 4);
    for (std::size_t i = 1; i < list.size(); ++i) {
      CHECK(list[i - 1]["version"].get<int>() < list[i]["version"].get<int>());
    }
    // b inserted.
    CHECK(list[0]["changes"]["Setting"]["insertions"] == json::array({0}));
    CHECK(list[0]["changes"]["Setting"]["insertedKeys"] == json::array({"b"}));
    CHECK(list[0]["oldRealm"]["Setting"] == json::array());
    CHECK(list[0]["realm"]["Setting"] == json::parse(R"([{"_id": "b", "value": 2}])"));
    // a inserted before b.
    CHECK(list[1]["changes"]["Setting"]["insertions"] == json::array({0}));
    CHECK(list[1]["realm"]["Setting"] ==
          json::parse(R"([{"_id": "a", "value": 1}, {"_id": "b", "value": 2}])"));
    // a modified.
    CHECK(list[2]["changes"]["Setting"]["modifications"] == json::array({0}));
    CHECK(list[2]["changes"]["Setting"]["modifiedKeys"] == json::array({"a"}));
    CHECK(list[2]["changes"]["Setting"]["insertions"] == json::array());
    CHECK(list[2]["oldRealm"]["Setting"][0]["value"] == 1);
    CHECK(list[2]["realm"]["Setting"][0]["value"] == 10);
    // b deleted: its index in the old objects.
    CHECK(list[3]["changes"]["Setting"]["deletions"] == json::array({1}));
    CHECK(list[3]["changes"]["Setting"]["deletedKeys"] == json::array({"b"}));
    CHECK(list[3]["oldRealm"]["Setting"].size() == 2);
    CHECK(list[3]["realm"]["Setting"] == json::parse(R"([{"_id": "a", "value": 10}])"));
  }
  // The cursors name only the matching Realms.
  auto shown = show(f, "rec");
  CHECK(shown["state"] == "running");
  for (const auto& [path, version] : shown["cursors"].items()) {
    CHECK((path == matching[0] || path == matching[1]));
  }
}

TEST_CASE("ros-fnd: a Node module's console.log appears in ros-fn logs", "[functions]") {
  if (!fs::exists("/usr/bin/node")) {
    WARN("node is not installed (scripts/install-deps installs it): test not run");
    return;
  }
  FndFixture f;
  auto file = f.dir.write("settings.js", R"JS(
module.exports = function (changeEvent) {
  const c = changeEvent.changes.Setting;
  for (const i of c.insertions) {
    const o = changeEvent.realm.objects('Setting')[i];
    console.log('inserted ' + o._id + '=' + o.value + ' in ' + changeEvent.path);
  }
  for (const i of c.deletions) {
    console.log('deleted ' + changeEvent.oldRealm.objects('Setting')[i]._id);
  }
};
)JS");
  deploy(f, "node-file", file.string());
  // A folder module with package.json (npm install at deploy) and a helper.
  fs::create_directories(f.dir / "mod" / "lib");
  f.dir.write("mod/package.json", R"({"name": "fn-mod", "version": "1.0.0", "main": "main.js"})");
  f.dir.write("mod/lib/helper.js", "module.exports = (n) => 'helper saw ' + n;\n");
  f.dir.write("mod/main.js", R"JS(
const helper = require('./lib/helper');
module.exports = async function (changeEvent) {
  await new Promise((resolve) => setTimeout(resolve, 10));
  console.log(helper(changeEvent.realm.objects('Setting').length));
  if (changeEvent.realm.objects('NoSuchClass').length !== 0) throw new Error('bad view');
};
)JS");
  deploy(f, "node-dir", (f.dir / "mod").string());

  write_all(f, "/abc/settings", {setting_schema(), create_setting("k", 7), erase_setting("k")});
  auto logs = [&](const std::string& name) {
    auto r = f.fn({"logs", name});
    return r.exit_code == 0 ? r.out : std::string("exit " + std::to_string(r.exit_code) + r.err);
  };
  REQUIRE(FndFixture::eventually([&] { return logs("node-file").find("deleted k") != std::string::npos; }));
  CHECK(logs("node-file").find("inserted k=7 in /abc/settings\n") != std::string::npos);
  REQUIRE(FndFixture::eventually([&] { return logs("node-dir").find("helper saw 0") != std::string::npos; }));
  CHECK(logs("node-dir").find("helper saw 1") != std::string::npos);
  CHECK(show(f, "node-dir")["state"] == "running");
  // --lines keeps the end.
  auto last = f.fn({"logs", "-n", "1", "node-file"});
  CHECK(last.out == "deleted k\n");
  CHECK(f.fn({"logs", "no-such"}).exit_code == 1);
}

TEST_CASE("ros-fnd: killed with SIGKILL mid-stream, it resumes without losing an event",
          "[functions]") {
  FndFixture f;
  // Slow enough that the kill lands in the middle of the stream.
  deploy(f, "rec", recorder(f, "sleep 0.1\n"));
  std::vector<ros::sync::changeset::Changeset> first = {setting_schema()};
  for (int i = 0; i < 30; ++i) first.push_back(create_setting("k" + std::to_string(100 + i), i));
  write_all(f, "/a1/settings", first);
  REQUIRE(FndFixture::eventually([&] { return events_of(f, "rec").size() >= 5; }));
  f.kill_fnd();
  const auto seen_at_kill = events_of(f, "rec").size();
  CHECK(seen_at_kill < 30);

  // More changes while ros-fnd is down.
  std::vector<ros::sync::changeset::Changeset> second;
  for (int i = 0; i < 10; ++i) second.push_back(set_setting("k" + std::to_string(100 + i), 1000 + i));
  write_all(f, "/a1/settings", second);
  f.start_fnd();

  // Every version, in order; the one running at the kill may come twice.
  REQUIRE(FndFixture::eventually([&] {
    std::set<int> versions;
    for (const auto& e : events_of(f, "rec")) versions.insert(e["version"].get<int>());
    return versions.size() >= 40;
  }));
  auto events = events_of(f, "rec");
  std::vector<int> versions;
  for (const auto& e : events) {
    int v = e["version"].get<int>();
    if (versions.empty() || versions.back() != v) versions.push_back(v);
  }
  REQUIRE(versions.size() == 40);
  for (std::size_t i = 1; i < versions.size(); ++i) {
    INFO("event " << i);
    CHECK(versions[i] == versions[i - 1] + 1);
  }
  CHECK(events.size() <= 41);  // at most the interrupted event again
  // The objects after a restart are the Realm's: 30 objects, the last set.
  const auto& last = events.back();
  REQUIRE(last["realm"]["Setting"].size() == 30);
  CHECK(last["realm"]["Setting"][9]["value"] == 1009);
  CHECK(last["changes"]["Setting"]["modifications"] == json::array({9}));
}

TEST_CASE("ros-fnd: a hanging, a crashing and a slow function leave the others on time",
          "[functions]") {
  FndFixture f;
  deploy(f, "good", recorder(f));
  deploy(f, "slow", f.script("slow.sh", "#!/bin/sh\ncat >> '" + f.dir.path().string() +
                                            "/slow.jsonl'\nsleep 1\n"));
  deploy(f, "hang", f.script("hang.sh", "#!/bin/sh\nexec sleep 1000\n"));
  deploy(f, "crash", f.script("crash.sh", "#!/bin/sh\necho 'crash: giving up' >&2\nexit 1\n"));

  std::vector<ros::sync::changeset::Changeset> changes = {setting_schema()};
  for (int i = 0; i < 5; ++i) changes.push_back(create_setting("s" + std::to_string(i), i));
  write_all(f, "/cafe/settings", changes);

  // The quick function has everything while the hanging one is still in
  // its first run (functions.timeout is 30 s here).
  REQUIRE(FndFixture::eventually([&] { return events_of(f, "good").size() == 5; }));
  auto hang = show(f, "hang");
  CHECK(hang["state"] == "running");
  CHECK(hang["events_delivered"] == 0);
  CHECK(hang["failed_runs"] == 0);

  // The crashing one is stopped after 3 runs, with its reason shown.
  REQUIRE(FndFixture::eventually([&] { return show(f, "crash")["state"] == "failed"; }));
  auto crash = show(f, "crash");
  CHECK(crash["reason"].get<std::string>().find("failed 3 times") != std::string::npos);
  CHECK(crash["reason"].get<std::string>().find("exited with status 1") != std::string::npos);
  auto ls = f.fn({"ls"});
  CHECK(ls.out.find("failed") != std::string::npos);
  CHECK(ls.out.find("exited with status 1") != std::string::npos);
  CHECK(f.fn({"logs", "crash"}).out.find("crash: giving up") != std::string::npos);

  // The slow one gets there too, in order.
  REQUIRE(FndFixture::eventually([&] { return json_lines(f.dir / "slow.jsonl").size() == 5; }));
  auto slow = json_lines(f.dir / "slow.jsonl");
  for (std::size_t i = 1; i < slow.size(); ++i) {
    CHECK(slow[i - 1]["version"].get<int>() < slow[i]["version"].get<int>());
  }
  // Stopping the hanging function kills its run; ls shows it stopped.
  CHECK(f.fn({"stop", "hang"}).exit_code == 0);
  CHECK(show(f, "hang")["state"] == "stopped");
  CHECK(f.fn({"rm", "hang"}).exit_code == 0);
  CHECK(f.fn({"show", "hang"}).exit_code == 1);
}

TEST_CASE("ros-fnd: 20 functions at once each get every event", "[functions]") {
  FndFixture f;
  auto script = recorder(f);
  for (int i = 0; i < 20; ++i) deploy(f, "fn" + std::to_string(i), script);
  std::vector<ros::sync::changeset::Changeset> changes = {setting_schema()};
  for (int i = 0; i < 5; ++i) changes.push_back(create_setting("t" + std::to_string(i), i));
  write_all(f, "/beef/settings", changes);
  for (int i = 0; i < 20; ++i) {
    const std::string name = "fn" + std::to_string(i);
    INFO(name);
    REQUIRE(FndFixture::eventually([&] { return events_of(f, name).size() == 5; }));
    auto events = events_of(f, name);
    for (std::size_t k = 0; k < events.size(); ++k) {
      CHECK(events[k]["changes"]["Setting"]["insertedKeys"] ==
            json::array({"t" + std::to_string(k)}));
    }
  }
  CHECK(f.fn_json({"ls"})["functions"].size() == 20);
}

TEST_CASE("ros-fn: refusals and usage", "[functions]") {
  FndFixture f;
  auto script = recorder(f);
  auto bad_name = f.fn({"deploy", "-x", "--regex", ".*", script});
  CHECK(bad_name.exit_code != 0);
  auto bad_regex = f.fn({"deploy", "x", "--regex", "([", script});
  CHECK(bad_regex.exit_code == 1);
  CHECK(bad_regex.err.find("not a valid regular expression") != std::string::npos);
  auto not_exec = f.dir.write("plain.txt", "hello\n");
  auto r = f.fn({"deploy", "x", "--regex", ".*", not_exec.string()});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("is not executable") != std::string::npos);
  CHECK(f.fn({"deploy", "x", "--regex", ".*", (f.dir / "missing").string()}).exit_code == 1);
  CHECK(f.fn({"show", "nope"}).exit_code == 1);
  CHECK(f.fn({"frobnicate"}).exit_code == 2);
  CHECK(f.fn({"ls"}).out.find("no functions") == 0);
}
