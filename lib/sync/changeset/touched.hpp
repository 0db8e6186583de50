// Which top-level objects a changeset touches, per class: the keys it
// creates (CreateObject), erases (EraseObject) and changes (every instruction
// with a path: Update, AddInteger, the list, set and dictionary ones, Clear).
// The change feed of ros-syncd publishes this per history entry, and ros-fnd
// uses it to know which objects to compare before and after the entry.
//
// Promises: a pure function of the changeset, no state consulted, so it can
// be computed again from the history at any time. Each list holds a key at
// most once, in the order of its first instruction. A key created by the
// changeset is not also listed as changed (changes of a new object are part
// of its insertion). A key may be both created and erased (the caller, who
// has the states, decides what that means). Schema instructions (AddTable,
// AddColumn, EraseColumn, EraseTable) touch no object. Embedded objects are
// reached through the path of their top-level owner, so they count as a
// change of the owner.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "sync/changeset/instruction.hpp"
#include "sync/changeset/state.hpp"
#include "sync/changeset/value_json.hpp"

namespace ros::sync::changeset {

struct TouchedClass {
  std::vector<ObjectKey> created;
  std::vector<ObjectKey> erased;
  std::vector<ObjectKey> changed;
};

// Class name -> the keys of its objects the changeset touches; classes it
// does not touch are absent.
using Touched = std::map<std::string, TouchedClass>;

Touched touched_objects(const Changeset& changeset);

// {"<class>": {"inserted": [key...], "modified": [key...], "deleted": [key...]}}
// with keys in the plain form of plain_json.hpp (plain_key).
Json touched_to_json(const Touched& touched);

}  // namespace ros::sync::changeset
