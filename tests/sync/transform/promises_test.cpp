// What the merge promises the people who sync, checked on real state: two
// devices change the same object concurrently; the server merges (A is its
// history, B the upload) and both orders of application -- A then B', and B
// then A' -- must reach the same state, the one the promise describes.
#include <catch2/catch.hpp>

#include "build.hpp"
#include "sync/changeset/applier.hpp"
#include "sync/changeset/memory_state.hpp"
#include "sync/changeset/state_json.hpp"

using namespace ros::test::transform;
using cs::Type;

namespace {

const At kX{"T", 1, "x"};
const At kN{"T", 1, "n"};
At L(int i) { return At{"T", 1, "l", {i}}; }

// T(_id Int) with x Int, n Int, l [Int]; object T[1] with n = 10.
cs::Changeset base() {
  Changeset c(0, 1);
  c.add_table("T").add_column("T", "x", Type::Int).add_column("T", "n", Type::Int);
  c.add_list("T", "l", Type::Int).create("T", 1).set(kN, Int(10));
  return c.m.changeset;
}

// The state after base, then each changeset in order, as JSON (T's objects).
std::string state_after(const std::vector<const cs::Changeset*>& changesets) {
  cs::MemoryState state;
  REQUIRE(cs::apply(state, base()));
  for (const auto* c : changesets) {
    auto r = cs::apply(state, *c);
    INFO((r ? "" : r.error().message));
    REQUIRE(r);
  }
  auto j = cs::state_to_json(state);
  REQUIRE(j);
  return (*j)["classes"]["T"]["objects"].dump();
}

// Merges and checks that both orders agree; returns that state.
std::string converged(const Changeset& a, const Changeset& b) {
  MergeChangeset history = a.m;
  MergeChangeset incoming = b.m;
  REQUIRE(ros::sync::transform::merge(std::span<MergeChangeset>(&history, 1),
                                      std::span<MergeChangeset>(&incoming, 1)));
  const std::string ab = state_after({&a.m.changeset, &incoming.changeset});
  const std::string ba = state_after({&b.m.changeset, &history.changeset});
  REQUIRE(ab == ba);
  return ab;
}

std::string field(const std::string& objects, const std::string& name) {
  auto j = nlohmann::json::parse(objects);
  if (j.empty()) return "(no object)";
  return j[0][name].dump();
}

}  // namespace

TEST_CASE("a delete wins over a concurrent update, older or newer", "[transform]") {
  for (uint64_t erase_time : {10, 30}) {
    auto a = Changeset(erase_time, 2).erase("T", 1);
    auto b = Changeset(20, 3).set(kX, Int(5));
    CHECK(converged(a, b) == "[]");
    CHECK(converged(b, a) == "[]");
  }
}

TEST_CASE("the last update of a property wins", "[transform]") {
  auto a = Changeset(10, 2).set(kX, Int(1));
  auto b = Changeset(20, 3).set(kX, Int(2));
  CHECK(field(converged(a, b), "x") == R"({"int":2})");
  auto later_a = Changeset(30, 2).set(kX, Int(1));
  CHECK(field(converged(later_a, b), "x") == R"({"int":1})");
  // On equal times the larger file identifier is the later writer.
  auto same_time = Changeset(20, 2).set(kX, Int(1));
  CHECK(field(converged(same_time, b), "x") == R"({"int":2})");
}

TEST_CASE("concurrent inserts at the same list position end up ordered by time", "[transform]") {
  auto a = Changeset(10, 2).insert(L(0), Int(1), 0);
  auto b = Changeset(20, 3).insert(L(0), Int(2), 0);
  CHECK(field(converged(a, b), "l") == R"({"list":[{"int":1},{"int":2}]})");
  auto later_a = Changeset(30, 2).insert(L(0), Int(1), 0);
  CHECK(field(converged(later_a, b), "l") == R"({"list":[{"int":2},{"int":1}]})");
}

TEST_CASE("concurrent counter increments all count", "[transform]") {
  auto a = Changeset(10, 2).add(kN, 5);
  auto b = Changeset(20, 3).add(kN, 4).add(kN, -1);
  CHECK(field(converged(a, b), "n") == R"({"int":18})");
}
