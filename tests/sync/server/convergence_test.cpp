// Property test of issue 7: random concurrent changesets from 2 to 4 clients
// of one Realm, written without waiting for each other, so that the server
// merges uploads based on old versions and the clients merge downloads with
// their own unuploaded changes; then every client and the server must hold
// the same objects. Many seeds, each on a fresh Realm of one ros-syncd.
//
// The changes are those of sync/random_changes.hpp.
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
#include "sync/random_changes.hpp"

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
    REQUIRE(sessions[0].write(from_json(ros::test::random_item_schema())).ok());
    for (int round = 0; round < 3; ++round) {
      auto state = sessions[0].state_json();
      REQUIRE(state.ok());
      REQUIRE(sessions[0].write(from_json(ros::test::random_item_change(rng, state.value(), kKeys))).ok());
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
            written = s.write(from_json(ros::test::random_item_change(rng, state.value(), kKeys)));
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
    const auto expected = ros::test::item_objects(*server);
    for (std::size_t i = 0; i < sessions.size(); ++i) {
      auto state = sessions[i].state_json();
      REQUIRE(state.ok());
      INFO("client " << i << " of " << n << "\nclient: " << state.value().dump()
                     << "\nserver: " << server->dump());
      REQUIRE(sessions[i].last_error() == std::nullopt);
      if (ros::test::item_objects(state.value()) != expected) FAIL("diverged\n" << traces.dump());
    }
    for (auto& s : sessions) ok(s.unbind(), "unbind");
  }
}
