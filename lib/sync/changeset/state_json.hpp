// The JSON dump of a whole State, in the form of the vectors' final states
// (README "Realm state"): classes sorted by name, each with its schema and
// either its objects (sorted by key, properties sorted by name, defaults
// filled in) or, for embedded classes, an objectCount; embedded objects
// inline in their owners. A link to a missing object (a tombstone) reads as
// realm-core's accessors read it: null in a link or Mixed property and in a
// list of Mixed (nested or not), {"link": {"table": T, "unresolved": true}}
// in a list or set of links, a set of Mixed and a dictionary.
//
// Promises: deterministic output for a given state. Objects of classes
// without a primary key carry "_globalKey" as {"globalKey": {"hi", "lo"}}
// (the README names the member but no vector shows its form).
#pragma once

#include "common/result.hpp"
#include "sync/changeset/state.hpp"
#include "sync/changeset/value_json.hpp"

namespace ros::sync::changeset {

Result<Json> state_to_json(const State& state);

// The JSON of an object key: null, {"int": n}, {"string": s}, ...
Json object_key_to_json(const ObjectKey& key);

}  // namespace ros::sync::changeset
