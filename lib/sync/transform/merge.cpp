// The merge loop of merge.md 2.1-2.3: every live history instruction meets
// every live incoming instruction, in order, as one grid.
#include "sync/transform/merge.hpp"

#include <stdexcept>

#include "sync/changeset/encoder.hpp"
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

// merge.md 2.2: the nested rule of the instruction with the shorter path,
// then the pair rule if both survived.
Result<void> merge_pair(Item& major, Item& minor) {
  const auto major_length = path_length(major.instruction);
  const auto minor_length = path_length(minor.instruction);
  if (minor_length < major_length) {
    if (auto r = apply_nested(minor, major); !r) return r;
  } else if (major_length < minor_length) {
    if (auto r = apply_nested(major, minor); !r) return r;
  }
  if (major.discarded || minor.discarded) return {};
  return apply_pair_rule(major, minor);
}

// One side's changesets with a live flag per instruction.
struct Side {
  std::span<MergeChangeset> changesets;
  std::vector<std::vector<char>> live;
  std::vector<std::vector<uint64_t>> offsets;  // payload_offsets() of the input

  explicit Side(std::span<MergeChangeset> cs) : changesets(cs) {
    for (const auto& c : cs) {
      live.emplace_back(c.changeset.instructions.size(), 1);
      offsets.push_back(payload_offsets(c.changeset, c.layout));
    }
  }

  Item item(std::size_t c, std::size_t i) {
    auto& mc = changesets[c];
    return Item{mc.changeset,
                mc.changeset.instructions[i],
                Discriminant{mc.origin_timestamp, mc.origin_file_ident},
                offsets[c][i],
                false,
                {}};
  }

  // Inserts `added` before instruction i of changeset c.
  void insert(std::size_t c, std::size_t i, std::vector<Instruction>& added) {
    auto& list = changesets[c].changeset.instructions;
    list.insert(list.begin() + static_cast<std::ptrdiff_t>(i),
                std::make_move_iterator(added.begin()), std::make_move_iterator(added.end()));
    live[c].insert(live[c].begin() + static_cast<std::ptrdiff_t>(i), added.size(), 1);
    offsets[c].insert(offsets[c].begin() + static_cast<std::ptrdiff_t>(i), added.size(), 0);
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
};

class Grid {
 public:
  Grid(std::span<MergeChangeset> history, std::span<MergeChangeset> incoming)
      : major_(history), minor_(incoming) {}

  Result<void> run() {
    for (std::size_t h = 0; h < major_.changesets.size(); ++h) {
      for (std::size_t i = 0; i < major_.changesets[h].changeset.instructions.size(); ++i) {
        if (!major_.live[h][i]) continue;
        if (auto r = row(h, i, 0, 0); !r) return r;
      }
    }
    major_.compact();
    minor_.compact();
    return {};
  }

 private:
  // Merges major instruction (h, i) with the minor instructions from
  // position (c0, j0) on. Instructions prepended to the major side before
  // (h, i) move it: `i` follows.
  Result<void> row(std::size_t h, std::size_t& i, std::size_t c0, std::size_t j0) {
    for (std::size_t c = c0; c < minor_.changesets.size(); ++c) {
      for (std::size_t j = (c == c0 ? j0 : 0);
           j < minor_.changesets[c].changeset.instructions.size(); ++j) {
        if (!minor_.live[c][j]) continue;
        Item major = major_.item(h, i);
        Item minor = minor_.item(c, j);
        if (auto r = merge_pair(major, minor); !r) return r;
        if (minor.discarded) minor_.live[c][j] = 0;
        if (major.discarded) major_.live[h][i] = 0;
        if (!minor.prepended.empty()) {
          // Later major instructions meet these before the instruction
          // that caused them.
          const std::size_t n = minor.prepended.size();
          minor_.insert(c, j, minor.prepended);
          j += n;
        }
        if (!major.prepended.empty()) {
          // They have already met everything up to (c, j); they meet the
          // rest now, ahead of the instruction that caused them.
          const std::size_t n = major.prepended.size();
          major_.insert(h, i, major.prepended);
          i += n;
          for (std::size_t k = 0; k < n; ++k) {
            std::size_t x = i - n + k;
            const std::size_t before = x;
            if (auto r = row(h, x, c, j + 1); !r) return r;
            i += x - before;
          }
        }
        if (!major_.live[h][i]) return {};
      }
    }
    return {};
  }

  Side major_;
  Side minor_;
};

// Encoded form, to tell whether the merge changed a changeset.
std::string fingerprint(const Changeset& cs) {
  auto bytes = encode(cs, Layout::hoisted);
  return bytes ? *bytes : std::string("\xff invalid");
}

}  // namespace

Result<void> merge(std::span<MergeChangeset> history, std::span<MergeChangeset> incoming) {
  std::vector<std::string> before;
  for (const auto& c : history) before.push_back(fingerprint(c.changeset));
  for (const auto& c : incoming) before.push_back(fingerprint(c.changeset));
  Grid grid(history, incoming);
  try {
    if (auto r = grid.run(); !r) return r;
  } catch (const std::out_of_range&) {
    // Only a Changeset that did not come from the parser can name a string
    // outside its table; it must not take a daemon down.
    return make_error(Errc::invalid_argument,
                      "bad changeset: an instruction names an interned string that does not exist");
  }
  std::size_t k = 0;
  for (auto& c : history)
    if (fingerprint(c.changeset) != before[k++]) c.modified = true;
  for (auto& c : incoming)
    if (fingerprint(c.changeset) != before[k++]) c.modified = true;
  return {};
}

}  // namespace ros::sync::transform
