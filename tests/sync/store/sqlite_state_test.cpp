// The recorded vectors replayed through the applier on SqliteState, compared
// with the reference server's final states (as ros-changeset check does for
// MemoryState).
#include "sync/store/sqlite_state.hpp"

#include <catch2/catch.hpp>

#include "store_test_support.hpp"
#include "sync/changeset/applier.hpp"
#include "sync/changeset/parser.hpp"

namespace fs = std::filesystem;
using namespace ros::sync::changeset;

namespace {

// Applies every X.bin with a sibling X.json in name order (the vectors'
// README order), then compares the dump with `final_state`.
void replay(const fs::path& dir, const fs::path& final_state) {
  ros::test::SqliteFixture fx;
  int applied = 0;
  for (const auto& bin : ros::test::files_with_extension(dir, ".bin")) {
    if (!fs::exists(fs::path(bin).replace_extension(".json"))) continue;
    INFO(bin.string());
    auto parsed = parse(ros::test::bytes_of(bin));
    REQUIRE(parsed.ok());
    auto r = apply(fx.state(), parsed->changeset);
    INFO((r.ok() ? std::string() : r.error().message));
    REQUIRE(r.ok());
    ++applied;
  }
  CHECK(applied > 0);
  CHECK(ros::test::dump_state(fx.state()) == ros::test::json_of(final_state));
}

}  // namespace

TEST_CASE("store: SqliteState replays the recorded changesets to the recorded final state",
          "[store]") {
  const fs::path dir = ros::test::vectors_dir() / "changesets";
  replay(dir, dir / "final-state.json");
}

TEST_CASE("store: SqliteState replays every merge scenario's server history to its final state",
          "[store]") {
  int scenarios = 0;
  for (const auto& entry : fs::directory_iterator(ros::test::vectors_dir() / "merge")) {
    const fs::path history = entry.path() / "server-history";
    if (!fs::is_directory(history)) continue;
    DYNAMIC_SECTION(entry.path().filename().string()) {
      replay(history, entry.path() / "final-state.json");
    }
    ++scenarios;
  }
  CHECK(scenarios >= 40);
}

TEST_CASE("store: SqliteState rollback undoes a failed changeset and keeps the rest", "[store]") {
  ros::test::SqliteFixture fx;
  const fs::path dir = ros::test::vectors_dir() / "changesets";
  auto first = parse(ros::test::bytes_of(dir / "001-add-tables.bin"));
  REQUIRE(first.ok());
  REQUIRE(apply(fx.state(), first->changeset).ok());
  const auto before = ros::test::dump_state(fx.state());
  // A changeset whose first instruction succeeds and whose second is refused
  // (CreateObject in a class that does not exist).
  Changeset cs;
  cs.strings = {"Extra", "_id", "Nope"};
  cs.instructions.push_back(AddTable{InternRef{0}, TableType::TopLevel, InternRef{1}, Type::Int, false});
  cs.instructions.push_back(CreateObject{InternRef{2}, PrimaryKey{int64_t{1}}});
  auto r = apply(fx.state(), cs);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.rfind("bad changeset: instruction 1 (CreateObject)", 0) == 0);
  CHECK(ros::test::dump_state(fx.state()) == before);
  auto names = fx.state().class_names();
  REQUIRE(names.ok());
  CHECK(std::find(names->begin(), names->end(), "Extra") == names->end());
}
