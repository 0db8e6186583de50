// interaction.hpp's promises, checked against the rules themselves: a pair
// that may_interact() rules out is a no-op for merge_pair() in both role
// assignments, and changesets whose keys rule them out hold no such pair. The instructions are those of realm-core's transform vectors,
// paired within a case (where they were recorded to interact) and across
// cases (where tables, objects and fields mostly differ).
#include "sync/transform/interaction.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>

#include "build.hpp"
#include "sync/changeset/encoder.hpp"
#include "sync/transform/pair_rules.hpp"
#include "sync/transform/string_buffer.hpp"
#include "sync/transform/vectors.hpp"

namespace fs = std::filesystem;
using namespace ros::sync;
using namespace ros::sync::transform;
using namespace ros::test::transform;

namespace {

const fs::path kVectors = fs::path(ROS_SHARED_DIR) / "testdata" / "realm-sync" / "transform";

std::vector<VectorCase> load_cases() {
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(kVectors / "cases"))
    if (e.is_directory()) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  std::vector<VectorCase> cases;
  for (const auto& d : dirs) {
    auto c = load_case(d);
    REQUIRE(c.ok());
    cases.push_back(std::move(*c));
  }
  return cases;
}

std::string bytes_of(const changeset::Changeset& cs) {
  auto b = changeset::encode(cs, changeset::Layout::hoisted);
  REQUIRE(b.ok());
  return *b;
}

struct Outcome {
  bool failed = false;
  bool changed = false;
};

// merge_pair() of instruction i of `major` and j of `minor`, on copies.
Outcome run_pair(const MergeChangeset& major, std::size_t i, const MergeChangeset& minor,
                 std::size_t j) {
  MergeChangeset a = major;
  MergeChangeset b = minor;
  const auto offsets_a = payload_offsets(a.changeset, a.layout);
  const auto offsets_b = payload_offsets(b.changeset, b.layout);
  Item x{a.changeset, a.changeset.instructions[i], {a.origin_timestamp, a.origin_file_ident},
         offsets_a[i], false, {}};
  Item y{b.changeset, b.changeset.instructions[j], {b.origin_timestamp, b.origin_file_ident},
         offsets_b[j], false, {}};
  Outcome out;
  out.failed = !merge_pair(x, y).ok();
  out.changed = x.discarded || y.discarded || !x.prepended.empty() || !y.prepended.empty() ||
                bytes_of(a.changeset) != bytes_of(major.changeset) ||
                bytes_of(b.changeset) != bytes_of(minor.changeset);
  return out;
}

}  // namespace

TEST_CASE("interaction: a pair ruled out by footprint is a no-op for the rules",
          "[transform]") {
  const auto cases = load_cases();
  REQUIRE(cases.size() > 100);
  int skipped = 0, acted = 0, whole_skipped = 0;
  for (std::size_t k = 0; k < cases.size(); ++k) {
    for (std::size_t step : {std::size_t{0}, std::size_t{1}, std::size_t{13}}) {
      const MergeChangeset& major = cases[k].a;
      const MergeChangeset& minor = cases[(k + step) % cases.size()].b;
      // Whole changesets ruled out leave every pair of them ruled out.
      const bool whole = may_interact(changeset_keys(major.changeset),
                                      changeset_keys(minor.changeset));
      if (!whole) ++whole_skipped;
      StringIds ids;
      ChangesetStrings major_strings, minor_strings;
      for (std::size_t i = 0; i < major.changeset.instructions.size(); ++i) {
        const auto fa =
            footprint(major.changeset.instructions[i], ids, major_strings, major.changeset);
        for (std::size_t j = 0; j < minor.changeset.instructions.size(); ++j) {
          const auto fb =
              footprint(minor.changeset.instructions[j], ids, minor_strings, minor.changeset);
          CHECK(may_interact(fa, fb) == may_interact(fb, fa));
          if (!whole) CHECK_FALSE(may_interact(fa, fb));
          const Outcome forward = run_pair(major, i, minor, j);
          const Outcome swapped = run_pair(minor, j, major, i);
          if (!may_interact(fa, fb)) {
            ++skipped;
            INFO("case " << cases[k].id << " + " << step << ": " << i << " x " << j);
            CHECK_FALSE(forward.failed);
            CHECK_FALSE(forward.changed);
            CHECK_FALSE(swapped.failed);
            CHECK_FALSE(swapped.changed);
          } else if (forward.failed || forward.changed) {
            ++acted;
          }
        }
      }
    }
  }
  // Both kinds occur, so the check above saw pairs of each.
  CHECK(skipped > 1000);
  CHECK(acted > 300);
  CHECK(whole_skipped > 100);
}

TEST_CASE("interaction: footprints tell tables, objects and fields apart", "[transform]") {
  StringIds ids;
  auto print = [&](const MergeChangeset& c, std::size_t i) {
    ChangesetStrings strings;
    return footprint(c.changeset.instructions[i], ids, strings, c.changeset);
  };
  // Two changesets whose string tables order the same names differently.
  Changeset one(10);
  one.set(At("A", 1, "x"), Int(1)).set(At("A", 1, "y"), Int(1)).set(At("B", 1, "x"), Int(1));
  one.add(At("A", 1, "x"), 1).set(At("A", 2, "x"), Int(1)).erase_table("B");
  one.add_column("A", "link", changeset::Type::Link, true, "C");
  Changeset two(20);
  two.set(At("B", 1, "x"), Int(2)).set(At("A", 1, "x"), Int(2)).erase_table("C");
  const auto a1x = print(one.m, 0), a1y = print(one.m, 1), b1x = print(one.m, 2);
  const auto add = print(one.m, 3), a2x = print(one.m, 4), erase_b = print(one.m, 5);
  const auto link_to_c = print(one.m, 6);
  const auto other_b1x = print(two.m, 0), other_a1x = print(two.m, 1), erase_c = print(two.m, 2);
  CHECK(may_interact(a1x, other_a1x));  // the same path, by content
  CHECK(may_interact(b1x, other_b1x));
  CHECK_FALSE(may_interact(a1x, other_b1x));  // another table
  CHECK_FALSE(may_interact(a2x, other_a1x));  // another object
  CHECK_FALSE(may_interact(a1y, other_a1x));  // another field
  CHECK(may_interact(add, other_a1x));        // AddInteger x Update: rule g
  CHECK_FALSE(may_interact(add, add));        // AddInteger x AddInteger: no rule
  CHECK(may_interact(erase_b, other_b1x));    // EraseTable over its objects
  CHECK_FALSE(may_interact(erase_b, other_a1x));
  CHECK(may_interact(link_to_c, erase_c));  // schema across tables: rule h
}

TEST_CASE("interaction: a string outside the table makes a footprint wild", "[transform]") {
  StringIds ids;
  ChangesetStrings strings;
  Changeset one(10);
  one.set(At("A", 1, "x"), Int(1));
  auto& update = std::get<changeset::Update>(one.m.changeset.instructions[0]);
  update.prefix.table.index = 99;
  const auto wild = footprint(one.m.changeset.instructions[0], ids, strings, one.m.changeset);
  Changeset two(20);
  two.set(At("B", 2, "y"), Int(2));
  ChangesetStrings other;
  const auto plain = footprint(two.m.changeset.instructions[0], ids, other, two.m.changeset);
  CHECK(wild.wild);
  CHECK(may_interact(wild, plain));
}
