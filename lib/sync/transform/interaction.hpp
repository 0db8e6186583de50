// Which instruction pairs of a merge can interact, decided before any rule
// runs, from a small footprint computed once per instruction: its type code,
// path length, and its table, object and field resolved to merge-wide
// identifiers (interned by content, so that two changesets' tables of
// strings compare by number).
//
// Promises: when may_interact() is false for two instructions of opposite
// sides, merging them (the nested rule of merge.md 4.2, then the pair rule
// of 4.3, in either major/minor order) changes neither, discards neither,
// prepends nothing and cannot fail; the merge loop may skip the pair. The
// reasoning, per rule family:
//  - every rule between an object or path instruction and anything else
//    first requires the same table (EraseTable's nested rule, same_column,
//    same_object, prefix, container_prefix), and between two object or path
//    instructions also the same object; between two path instructions also
//    the same field;
//  - two schema instructions may interact across tables (an AddColumn
//    linking to a table that the other side erases), so they are only
//    filtered by type;
//  - a pair of types with no pair rule, where the shorter path's type has no
//    nested rule (or the lengths are equal), does nothing.
// A footprint depends only on what no rule changes (type, table, object key,
// field, path length). A string reference outside its changeset's table
// makes the footprint `wild`: it may interact with anything, so the rule
// that runs reports the bad reference as before.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sync/changeset/instruction.hpp"

namespace ros::sync::transform {

// Merge-wide identifiers of strings, by content. Ids start at 1.
class StringIds {
 public:
  uint32_t id(std::string_view text);

 private:
  std::unordered_map<std::string, uint32_t> ids_;
};

// One changeset's strings mapped to StringIds, resolved on first use; the
// table may grow while a rule appends strings to the changeset.
class ChangesetStrings {
 public:
  // 0 when `ref` is outside the changeset's table.
  uint32_t id(StringIds& ids, const changeset::Changeset& cs, changeset::InternRef ref);

 private:
  std::vector<uint32_t> resolved_;  // 0 = not resolved yet
};

struct Footprint {
  uint8_t code = 0;      // instruction type
  uint32_t length = 0;   // path_length()
  bool schema = false;   // AddTable, EraseTable, AddColumn, EraseColumn
  bool wild = false;     // names a string that does not exist
  uint32_t table = 0;    // StringIds id
  uint32_t field = 0;    // path instructions: StringIds id of the field; else 0
  uint64_t object = 0;   // object and path instructions: a hash of the key
};

Footprint footprint(const changeset::Instruction& instruction, StringIds& ids,
                    ChangesetStrings& strings, const changeset::Changeset& cs);

// By type and path length alone: can a nested or a pair rule do anything?
bool types_may_interact(const Footprint& a, const Footprint& b);

inline bool may_interact(const Footprint& a, const Footprint& b) {
  if (a.wild || b.wild) return true;
  if (!(a.schema && b.schema)) {
    if (a.table != b.table) return false;
    if (!a.schema && !b.schema) {
      if (a.object != b.object) return false;
      if (a.field != 0 && b.field != 0 && a.field != b.field) return false;
    }
  }
  return types_may_interact(a, b);
}

// What a whole changeset may interact with, independent of any merge (by
// string content, so it can be kept with a stored changeset): whether it has
// a schema instruction, and per object and path instruction a hash of its
// (table, object key) with its type and path length. Computed from a
// changeset, it also covers every form the merge can transform it into
// (rules never change a table, an object key, a type or a path length; the
// one instruction a rule adds is a schema instruction, added only to a
// changeset that already has one).
struct ChangesetKeys {
  struct Key {
    uint64_t object = 0;
    uint32_t length = 0;
    uint8_t code = 0;
    auto operator<=>(const Key&) const = default;
  };
  bool schema = false;    // a schema instruction, or a string outside the table
  std::vector<Key> keys;  // ascending, unique (after normalize())

  // Adds another changeset's keys; call normalize() after the last add.
  void add(const ChangesetKeys& other);
  void normalize();
};

ChangesetKeys changeset_keys(const changeset::Changeset& cs);

// False when no instruction of one can interact with an instruction of the
// other (may_interact() above is false for every pair): neither has a schema
// instruction, and where they address an object in common, their types and
// path lengths have no rule. A merge of the two then changes neither.
bool may_interact(const ChangesetKeys& a, const ChangesetKeys& b);

}  // namespace ros::sync::transform
