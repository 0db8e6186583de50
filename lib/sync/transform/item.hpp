// One instruction as a merge rule sees it: the instruction itself, the
// changeset that owns its interned strings, the discriminant it inherits
// (merge.md 1.5), and what the rule decided about it.
//
// Promises: rules only set `discarded` and fill `prepended`; the merge loop
// (merge.cpp) removes and inserts afterwards, so references into the
// changesets stay valid while a rule runs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "sync/changeset/instruction.hpp"

namespace ros::sync::transform {

// The tie-break of merge.md 1.5: origin timestamp, then origin file.
struct Discriminant {
  uint64_t timestamp = 0;
  uint64_t file = 0;
};

inline bool before(const Discriminant& a, const Discriminant& b) {
  return a.timestamp < b.timestamp || (a.timestamp == b.timestamp && a.file < b.file);
}

struct Item {
  changeset::Changeset& changeset;
  changeset::Instruction& instruction;
  Discriminant when;
  // Offset of a String/Binary payload in the parser's string buffer (see
  // string_buffer.hpp); 0 for other instructions.
  uint64_t payload_offset = 0;
  bool discarded = false;
  // Instructions to insert into this side immediately before `instruction`
  // (merge.md 2.3); they count as merged with everything up to the other
  // side's current instruction.
  std::vector<changeset::Instruction> prepended;

  template <class T>
  T& as() {
    return std::get<T>(instruction);
  }
  std::size_t code() const { return instruction.index(); }
};

// True when `a` is older than `b` (loses a last-writer-wins tie).
inline bool older(const Item& a, const Item& b) { return before(a.when, b.when); }

inline void discard(Item& item) { item.discarded = true; }

// Discards the older of two instructions; `b` on equal discriminants
// (which two sides never have), as realm-core does in most rules.
inline void discard_older(Item& a, Item& b) { discard(older(a, b) ? a : b); }

// merge.md section 5: a fatal conflict, naming the instruction pair.
Error bad_merge(const Item& left, const Item& right, const std::string& why);

// Input no rule can handle (merge.md 4.4), naming the instruction pair.
Error bad_input(const Item& left, const Item& right, const std::string& why);

}  // namespace ros::sync::transform
