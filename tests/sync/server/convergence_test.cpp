// Property test of issue 7: random concurrent changesets from 2 to 4 clients
// of one Realm, written without waiting for each other, so that the server
// merges uploads based on old versions and the clients merge downloads with
// their own unuploaded changes; then every client and the server must hold
// the same objects. Many seeds, each on a fresh Realm of one ros-syncd.
//
// The changes are those realm-core's own merge makes converge (objects
// created and erased, properties set, counters incremented, a list of Int
// inserted into, erased from and set, a set of Int): schema changes and
// nested moves are left out, because realm-core itself does not converge on
// some of those (merge.md's quirks; the transform vectors mark them).
#include <deque>
#include <functional>
#include <mutex>
#include <algorithm>
#include <cstdlib>
#include <random>
#include <sstream>

#include <catch2/catch.hpp>

#include "control/client.hpp"
#include "control/protocol.hpp"
#include "sync/changeset/changeset_json.hpp"
#include "sync/client/client.hpp"
#include "sync/client/syncd_fixture.hpp"

using namespace ros::sync;
using ros::test::SyncdFixture;
using Json = changeset::Json;

namespace {

// Seeds and concurrent rounds per seed; ROS_CONVERGENCE_SEEDS and
// ROS_CONVERGENCE_ROUNDS raise them for a longer hunt by hand.
int setting(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value ? std::max(1, std::atoi(value)) : fallback;
}
constexpr int kKeys = 5;  // objects Item 0..4

changeset::Changeset from_json(const Json& j) {
  auto cs = changeset::from_json(j);
  INFO(j.dump());
  REQUIRE(cs.ok());
  return cs.value();
}

changeset::Changeset schema() {
  return from_json(Json::parse(R"({"instructions": [
    {"type": "AddTable", "table": "Item", "embedded": false, "primaryKey": {"field": "_id", "type": "Int", "nullable": false}, "asymmetric": false},
    {"type": "AddColumn", "table": "Item", "field": "n", "valueType": "Int", "nullable": false, "collectionType": "Single"},
    {"type": "AddColumn", "table": "Item", "field": "s", "valueType": "String", "nullable": true, "collectionType": "Single"},
    {"type": "AddColumn", "table": "Item", "field": "l", "valueType": "Int", "nullable": false, "collectionType": "List"},
    {"type": "AddColumn", "table": "Item", "field": "t", "valueType": "Int", "nullable": false, "collectionType": "Set"}],
    "internStrings": ["Item", "_id", "n", "", "s", "l", "t"]})"));
}

Json object_ref(std::int64_t key) { return Json{{"int", key}}; }

// One instruction on Item `key`, as a changeset.
changeset::Changeset single(Json instruction) {
  Json strings = Json::array({"Item"});
  if (instruction.contains("field")) strings.push_back(instruction["field"]);
  return from_json(Json{{"instructions", Json::array({std::move(instruction)})},
                        {"internStrings", strings}});
}

// The objects of Item in a state dump, by key.
std::map<std::int64_t, Json> objects(const Json& state) {
  std::map<std::int64_t, Json> out;
  if (!state.contains("classes") || !state["classes"].contains("Item")) return out;
  for (const auto& o : state["classes"]["Item"]["objects"]) {
    out[o["_id"]["int"].get<std::int64_t>()] = o;
  }
  return out;
}

// A random change that is valid on the client's current local state.
changeset::Changeset random_change(std::mt19937_64& rng, const Json& state) {
  auto objs = objects(state);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  const std::int64_t key = pick(kKeys);
  auto it = objs.find(key);
  if (it == objs.end()) {
    return single({{"type", "CreateObject"}, {"table", "Item"}, {"object", object_ref(key)}});
  }
  const Json& obj = it->second;
  const auto list_size = obj.contains("l") ? obj["l"]["list"].size() : 0;
  Json base{{"table", "Item"}, {"object", object_ref(key)}};
  switch (pick(9)) {
    case 0:
      base["type"] = "EraseObject";
      return single(base);
    case 1:
      base.update({{"type", "Update"}, {"field", "s"}, {"path", Json::array()},
                   {"value", {{"string", "v" + std::to_string(pick(1000))}}}, {"isDefault", false}});
      return single(base);
    case 2:
      base.update({{"type", "Update"}, {"field", "n"}, {"path", Json::array()},
                   {"value", {{"int", pick(100)}}}, {"isDefault", false}});
      return single(base);
    case 3:
    case 4:
      base.update({{"type", "AddInteger"}, {"field", "n"}, {"path", Json::array()},
                   {"value", pick(10) + 1}});
      return single(base);
    case 5:
      base.update({{"type", "ArrayInsert"}, {"field", "l"},
                   {"path", Json::array({pick(static_cast<int>(list_size) + 1)})},
                   {"value", {{"int", pick(1000)}}}, {"priorSize", list_size}});
      return single(base);
    case 6:
      if (list_size == 0) return random_change(rng, state);
      base.update({{"type", "ArrayErase"}, {"field", "l"},
                   {"path", Json::array({pick(static_cast<int>(list_size))})},
                   {"priorSize", list_size}});
      return single(base);
    case 7:
      if (list_size == 0) return random_change(rng, state);
      base.update({{"type", "Update"}, {"field", "l"},
                   {"path", Json::array({pick(static_cast<int>(list_size))})},
                   {"value", {{"int", pick(1000)}}}, {"priorSize", list_size}});
      return single(base);
    default:
      base.update({{"type", pick(3) == 0 ? "SetErase" : "SetInsert"}, {"field", "t"},
                   {"path", Json::array()}, {"value", {{"int", pick(6)}}}});
      return single(base);
  }
}

// The last messages of each client, printed when a seed fails.
struct Traces {
  std::mutex mutex;
  std::vector<std::deque<std::string>> lines;

  std::function<void(const std::string&)> recorder(std::size_t client) {
    return [this, client](const std::string& line) {
      std::lock_guard lock(mutex);
      auto& l = lines[client];
      l.push_back(line);
      if (l.size() > 400) l.pop_front();
    };
  }
  std::string dump() {
    std::lock_guard lock(mutex);
    std::ostringstream out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      out << "--- client " << i << "\n";
      for (const auto& line : lines[i]) out << line << "\n";
    }
    return out.str();
  }
};

Traces traces;

void ok(const ros::Result<void>& r, const std::string& what) {
  if (r.ok()) return;
  FAIL(what << ": " << r.error().to_string() << "\n" << traces.dump());
}

}  // namespace

TEST_CASE("merge: random concurrent changes from 2-4 clients converge on every client and the server",
          "[merge][convergence]") {
  SyncdFixture f;
  std::vector<client::Client> clients;
  traces.lines.resize(4);
  for (std::size_t i = 0; i < 4; ++i) {
    auto options = f.client_options();
    options.trace = traces.recorder(i);
    auto c = client::Client::make(options);
    REQUIRE(c.ok());
    clients.push_back(std::move(c.value()));
  }
  auto control = ros::control::Client::connect(
      ros::control::socket_path(f.root / "run", "ros-syncd"), "ros-syncd");
  REQUIRE(control.ok());

  const int seeds = setting("ROS_CONVERGENCE_SEEDS", 200);
  const int rounds = setting("ROS_CONVERGENCE_ROUNDS", 3);
  const int first_seed = setting("ROS_CONVERGENCE_FIRST_SEED", 1) - 1;
  for (int seed = first_seed; seed < first_seed + seeds; ++seed) {
    INFO("seed " << seed);
    std::mt19937_64 rng(static_cast<std::uint64_t>(seed));
    const int n = 2 + seed % 3;
    const std::string path = "/converge/" + std::to_string(seed);
    std::vector<client::Session> sessions;
    for (int i = 0; i < n; ++i) sessions.push_back(clients[static_cast<std::size_t>(i)].bind(path));

    // A common start: the schema and a few objects, seen by everyone.
    REQUIRE(sessions[0].write(schema()).ok());
    for (int round = 0; round < 3; ++round) {
      auto state = sessions[0].state_json();
      REQUIRE(state.ok());
      REQUIRE(sessions[0].write(random_change(rng, state.value())).ok());
    }
    ok(sessions[0].wait_uploaded(), "first upload");
    for (auto& s : sessions) ok(s.wait_downloaded(), "first download");

    // Concurrent rounds: every client writes without waiting for the others.
    for (int round = 0; round < rounds; ++round) {
      for (auto& s : sessions) {
        const int changes = 1 + static_cast<int>(rng() % 3);
        for (int c = 0; c < changes; ++c) {
          // A download may change the state between reading it and writing
          // (a real client's write transaction would see it); a change made
          // for the older state is refused whole, so make another.
          ros::Result<std::uint64_t> written = ros::make_error(ros::Errc::internal, "not tried");
          for (int attempt = 0; attempt < 20 && !written.ok(); ++attempt) {
            auto state = s.state_json();
            REQUIRE(state.ok());
            written = s.write(random_change(rng, state.value()));
          }
          INFO((written.ok() ? std::string() : written.error().to_string()));
          REQUIRE(written.ok());
        }
      }
    }
    for (auto& s : sessions) ok(s.wait_uploaded(), "upload");
    for (auto& s : sessions) ok(s.wait_downloaded(), "download");

    auto server = control->call("realm.show", {{"path", path}, {"limit", 1000}});
    REQUIRE(server.ok());
    const auto expected = objects(*server);
    for (std::size_t i = 0; i < sessions.size(); ++i) {
      auto state = sessions[i].state_json();
      REQUIRE(state.ok());
      INFO("client " << i << " of " << n << "\nclient: " << state.value().dump()
                     << "\nserver: " << server->dump());
      REQUIRE(sessions[i].last_error() == std::nullopt);
      if (objects(state.value()) != expected) FAIL("diverged\n" << traces.dump());
    }
    for (auto& s : sessions) ok(s.unbind(), "unbind");
  }
}
