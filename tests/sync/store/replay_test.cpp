// The recorded merge scenarios (testdata/realm-sync/merge/s*) replayed
// through RealmStore's integration: every history entry byte for byte and
// the final state must equal the reference server's.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "store_test_support.hpp"
#include "support/run.hpp"
#include "sync/store/replay.hpp"

namespace fs = std::filesystem;

TEST_CASE("replay: every recorded merge scenario gives the reference server's history and state",
          "[store][merge][replay]") {
  std::vector<fs::path> scenarios;
  for (const auto& entry : fs::directory_iterator(ros::test::vectors_dir() / "merge")) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && name.size() > 1 && name[0] == 's') {
      scenarios.push_back(entry.path());
    }
  }
  std::sort(scenarios.begin(), scenarios.end());
  REQUIRE(scenarios.size() >= 40);
  std::ostringstream out;
  auto summary = ros::sync::store::replay_scenarios(scenarios, out);
  INFO(out.str());
  CHECK(summary.failed == 0);
  CHECK(summary.passed == static_cast<int>(scenarios.size()));
}

TEST_CASE("replay: a difference fails the scenario and is named", "[store][merge][replay]") {
  ros::test::TempDir dir;
  const fs::path copy = dir / "s999";
  fs::copy(ros::test::vectors_dir() / "merge/s001", copy, fs::copy_options::recursive);
  {
    auto history = ros::test::json_of(copy / "server-history.json");
    history["entries"][1]["originTimestamp"] = 1;
    std::ofstream(copy / "server-history.json") << history.dump(2);
  }
  std::ostringstream out;
  auto summary = ros::sync::store::replay_scenarios({copy}, out);
  CHECK(summary.failed == 1);
  CHECK(out.str() ==
        "FAIL s999: entry 2: originTimestamp: got 315532862000, recorded 1\n0 passed, 1 failed\n");
}

TEST_CASE("replay: ros-changeset replay prints a line per scenario and fails on a difference",
          "[store][merge][replay]") {
  ros::test::TempDir dir;
  const fs::path good = ros::test::vectors_dir() / "merge/s001";
  const fs::path bad = dir / "s998";
  fs::copy(ros::test::vectors_dir() / "merge/s002", bad, fs::copy_options::recursive);
  {
    auto state = ros::test::json_of(bad / "final-state.json");
    state["classes"]["Nope"] = nlohmann::json::object();
    std::ofstream(bad / "final-state.json") << state.dump(2);
  }
  auto ok = ros::test::run_program("ros-changeset", {"replay", good.string()});
  CHECK(ok.exit_code == 0);
  CHECK(ok.out == "PASS s001\n1 passed, 0 failed\n");
  auto failed = ros::test::run_program("ros-changeset", {"replay", good.string(), bad.string()});
  CHECK(failed.exit_code == 1);
  CHECK(failed.out ==
        "PASS s001\nFAIL s998: final state: at /classes/Nope: got (absent), recorded {}\n"
        "1 passed, 1 failed\n");
  auto usage = ros::test::run_program("ros-changeset", {"replay"});
  CHECK(usage.exit_code == 2);
}
