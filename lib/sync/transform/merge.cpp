// The merge loop of merge.md 2.1-2.3: every live history instruction meets
// every live incoming instruction, in order, as one grid.
#include "sync/transform/merge.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <unordered_map>

#include "sync/changeset/encoder.hpp"
#include "sync/transform/interaction.hpp"
#include "sync/transform/nested.hpp"
#include "sync/transform/pair_rules.hpp"
#include "sync/transform/predicates.hpp"
#include "sync/transform/string_buffer.hpp"

namespace ros::sync::transform {

using namespace changeset;

namespace {

std::string describe(const Item& item) {
  std::string s = instruction_name(item.instruction);
  if (const auto* p = path_of(item.instruction)) {
    s += "(" + std::string(str(item, p->table)) + "." + std::string(str(item, p->field)) + ")";
  }
  return s;
}

Error pair_error(const char* kind, const Item& left, const Item& right, const std::string& why) {
  return make_error(Errc::invalid_argument, std::string(kind) + ": " + describe(left) + " x " +
                                                describe(right) + ": " + why);
}

}  // namespace

Error bad_merge(const Item& left, const Item& right, const std::string& why) {
  return pair_error("bad merge", left, right, why);
}

Error bad_input(const Item& left, const Item& right, const std::string& why) {
  return pair_error("bad changeset", left, right, why);
}

namespace {

// Encoded form, to tell whether the merge changed a changeset.
std::string fingerprint(const Changeset& cs) {
  auto bytes = encode(cs, Layout::hoisted);
  return bytes ? *bytes : std::string("\xff invalid");
}

// One side's changesets with a live flag and a footprint per instruction.
struct Side {
  std::span<MergeChangeset> changesets;
  std::vector<std::vector<char>> live;
  std::vector<std::vector<Footprint>> prints;
  std::vector<ChangesetStrings> strings;
  // Filled when a changeset first takes part in a pair that may interact
  // (touch()). Until then the merge has not changed it, so its encoded form
  // and payload offsets are computed only for changesets that can change.
  std::vector<std::optional<std::string>> before;
  std::vector<std::vector<uint64_t>> offsets;  // payload_offsets() of the input

  Side(std::span<MergeChangeset> cs, StringIds& ids)
      : changesets(cs), strings(cs.size()), before(cs.size()), offsets(cs.size()) {
    live.reserve(cs.size());
    prints.reserve(cs.size());
    for (std::size_t c = 0; c < cs.size(); ++c) {
      const auto& changeset = cs[c].changeset;
      live.emplace_back(changeset.instructions.size(), 1);
      auto& p = prints.emplace_back();
      p.reserve(changeset.instructions.size());
      for (const auto& instruction : changeset.instructions)
        p.push_back(footprint(instruction, ids, strings[c], changeset));
    }
  }

  void touch(std::size_t c) {
    if (before[c]) return;
    before[c] = fingerprint(changesets[c].changeset);
    offsets[c] = payload_offsets(changesets[c].changeset, changesets[c].layout);
  }

  // REQUIRES: touch(c) was called.
  Item item(std::size_t c, std::size_t i) {
    auto& mc = changesets[c];
    return Item{mc.changeset,
                mc.changeset.instructions[i],
                Discriminant{mc.origin_timestamp, mc.origin_file_ident},
                offsets[c][i],
                false,
                {}};
  }

  // Inserts `added` before instruction i of changeset c (touched).
  void insert(std::size_t c, std::size_t i, std::vector<Instruction>& added, StringIds& ids) {
    auto& cs = changesets[c].changeset;
    std::vector<Footprint> added_prints;
    for (const auto& instruction : added)
      added_prints.push_back(footprint(instruction, ids, strings[c], cs));
    auto& list = cs.instructions;
    const auto at = static_cast<std::ptrdiff_t>(i);
    list.insert(list.begin() + at, std::make_move_iterator(added.begin()),
                std::make_move_iterator(added.end()));
    live[c].insert(live[c].begin() + at, added.size(), 1);
    offsets[c].insert(offsets[c].begin() + at, added.size(), 0);
    prints[c].insert(prints[c].begin() + at, added_prints.begin(), added_prints.end());
  }

  void compact() {
    for (std::size_t c = 0; c < changesets.size(); ++c) {
      auto& list = changesets[c].changeset.instructions;
      std::size_t out = 0;
      for (std::size_t i = 0; i < list.size(); ++i) {
        if (!live[c][i]) continue;
        if (out != i) list[out] = std::move(list[i]);
        ++out;
      }
      list.resize(out);
    }
  }

  // Sets `modified` on every changeset the merge changed; only touched ones
  // can have changed.
  void mark_modified() {
    for (std::size_t c = 0; c < changesets.size(); ++c)
      if (before[c] && fingerprint(changesets[c].changeset) != *before[c])
        changesets[c].modified = true;
  }
};

// Which minor changesets hold an instruction that may interact with a given
// major instruction (interaction.hpp), so that a major instruction visits
// only those. Instructions whose footprints are equal form one group:
// may_interact() says the same for all of them.
class MinorIndex {
 public:
  void add(const Footprint& f, uint32_t c) {
    if (f.wild) return insert_sorted(wild_, c);
    auto& groups = f.schema ? schema_[f.table] : objects_[object_key(f)];
    for (auto& g : groups) {
      if (g.print.code == f.code && g.print.length == f.length && g.print.table == f.table &&
          g.print.object == f.object && g.print.field == f.field)
        return insert_sorted(g.changesets, c);
    }
    groups.push_back(Group{f, {c}});
  }

  // The minor changesets from c0 on that hold an instruction `major` may
  // interact with, ascending, into `out`. False when that may be any of them
  // (a schema or wild major instruction); `out` is then empty.
  bool candidates(const Footprint& major, uint32_t c0, std::vector<uint32_t>& out) const {
    out.clear();
    if (major.schema || major.wild) return false;
    int sources = 0;
    auto take = [&](const std::vector<uint32_t>& list) {
      auto from = std::lower_bound(list.begin(), list.end(), c0);
      if (from == list.end()) return;
      out.insert(out.end(), from, list.end());
      ++sources;
    };
    auto take_groups = [&](const std::vector<Group>& groups) {
      for (const auto& g : groups)
        if (may_interact(major, g.print)) take(g.changesets);
    };
    if (auto it = objects_.find(object_key(major)); it != objects_.end()) take_groups(it->second);
    if (auto it = schema_.find(major.table); it != schema_.end()) take_groups(it->second);
    take(wild_);
    if (sources > 1) {
      std::sort(out.begin(), out.end());
      out.erase(std::unique(out.begin(), out.end()), out.end());
    }
    return true;
  }

 private:
  struct Group {
    Footprint print;
    std::vector<uint32_t> changesets;  // ascending, unique
  };

  static uint64_t object_key(const Footprint& f) { return f.object ^ (uint64_t{f.table} << 32); }

  static void insert_sorted(std::vector<uint32_t>& list, uint32_t c) {
    auto at = std::lower_bound(list.begin(), list.end(), c);
    if (at == list.end() || *at != c) list.insert(at, c);
  }

  std::unordered_map<uint64_t, std::vector<Group>> objects_;  // object and path instructions
  std::unordered_map<uint32_t, std::vector<Group>> schema_;   // schema instructions, by table
  std::vector<uint32_t> wild_;
};

class Grid {
 public:
  Grid(std::span<MergeChangeset> history, std::span<MergeChangeset> incoming)
      : major_(history, ids_), minor_(incoming, ids_) {
    for (std::size_t c = 0; c < minor_.prints.size(); ++c)
      for (const auto& f : minor_.prints[c]) index_.add(f, static_cast<uint32_t>(c));
  }

  Result<void> run() {
    for (std::size_t h = 0; h < major_.changesets.size(); ++h) {
      for (std::size_t i = 0; i < major_.changesets[h].changeset.instructions.size(); ++i) {
        if (!major_.live[h][i]) continue;
        if (auto r = row(h, i, 0, 0); !r) return r;
      }
    }
    major_.compact();
    minor_.compact();
    major_.mark_modified();
    minor_.mark_modified();
    return {};
  }

 private:
  // Merges major instruction (h, i) with the minor instructions from
  // position (c0, j0) on. Instructions prepended to the major side before
  // (h, i) move it: `i` follows. Pairs that cannot interact are skipped:
  // whole changesets through the index, single pairs by footprint.
  Result<void> row(std::size_t h, std::size_t& i, std::size_t c0, std::size_t j0) {
    std::vector<uint32_t> candidates;
    if (!index_.candidates(major_.prints[h][i], static_cast<uint32_t>(c0), candidates)) {
      for (std::size_t c = c0; c < minor_.changesets.size(); ++c) {
        auto alive = visit(h, i, c, c == c0 ? j0 : 0);
        if (!alive) return alive.error();
        if (!*alive) return {};
      }
      return {};
    }
    for (uint32_t c : candidates) {
      auto alive = visit(h, i, c, c == c0 ? j0 : 0);
      if (!alive) return alive.error();
      if (!*alive) return {};
    }
    return {};
  }

  // Merges major instruction (h, i) with minor changeset c from instruction
  // j0 on; false once the major instruction is discarded.
  Result<bool> visit(std::size_t h, std::size_t& i, std::size_t c, std::size_t j0) {
    for (std::size_t j = j0; j < minor_.changesets[c].changeset.instructions.size(); ++j) {
      if (!minor_.live[c][j]) continue;
      if (!may_interact(major_.prints[h][i], minor_.prints[c][j])) continue;
      major_.touch(h);
      minor_.touch(c);
      Item major = major_.item(h, i);
      Item minor = minor_.item(c, j);
      if (auto r = merge_pair(major, minor); !r) return r.error();
      if (minor.discarded) minor_.live[c][j] = 0;
      if (major.discarded) major_.live[h][i] = 0;
      if (!minor.prepended.empty()) {
        // Later major instructions meet these before the instruction
        // that caused them.
        const std::size_t n = minor.prepended.size();
        minor_.insert(c, j, minor.prepended, ids_);
        for (std::size_t k = j; k < j + n; ++k)
          index_.add(minor_.prints[c][k], static_cast<uint32_t>(c));
        j += n;
      }
      if (!major.prepended.empty()) {
        // They have already met everything up to (c, j); they meet the
        // rest now, ahead of the instruction that caused them.
        const std::size_t n = major.prepended.size();
        major_.insert(h, i, major.prepended, ids_);
        i += n;
        for (std::size_t k = 0; k < n; ++k) {
          std::size_t x = i - n + k;
          const std::size_t before = x;
          if (auto r = row(h, x, c, j + 1); !r) return r.error();
          i += x - before;
        }
      }
      if (!major_.live[h][i]) return false;
    }
    return true;
  }

  StringIds ids_;  // declared before the sides, which use it
  Side major_;
  Side minor_;
  MinorIndex index_;
};

}  // namespace

Result<void> merge(std::span<MergeChangeset> history, std::span<MergeChangeset> incoming) {
  try {
    Grid grid(history, incoming);
    return grid.run();
  } catch (const std::out_of_range&) {
    // Only a Changeset that did not come from the parser can name a string
    // outside its table; it must not take a daemon down.
    return make_error(Errc::invalid_argument,
                      "bad changeset: an instruction names an interned string that does not exist");
  }
}

}  // namespace ros::sync::transform
