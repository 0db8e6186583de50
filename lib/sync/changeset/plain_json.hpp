// The plain JSON of Realm values, for programs that are not Realm tools
// (Realm Functions): the state dump's tagged values (state_json.hpp,
// {"int": 5}, {"string": "x"}, ...) become what a JavaScript reader of a
// Realm object expects (5, "x", ...).
//
// The mapping: int, bool, string, float, double (non-finite ones stay the
// strings "NaN", "Infinity", "-Infinity") as JSON scalars; decimal, objectId
// and uuid as their strings; binary as base64 text; timestamp as its
// {"seconds", "nanoseconds"} object; a link as the target's primary key
// (plain), an unresolved link as null; an embedded object as an object of
// plain properties; lists and sets as arrays; dictionaries as objects.
// A global key (objects of classes without a primary key) reads
// {"hi": n, "lo": n}.
//
// Promises: pure and total: a form it does not know is passed through as is.
#pragma once

#include "sync/changeset/state.hpp"
#include "sync/changeset/value_json.hpp"

namespace ros::sync::changeset {

// One tagged value (a property, an element) in plain form.
Json plain_value(const Json& tagged);

// A rendered object (an object of the state dump: property -> tagged value)
// in plain form; "_globalKey" is kept, in its plain form.
Json plain_object(const Json& tagged_object);

// An object key in plain form.
Json plain_key(const ObjectKey& key);

}  // namespace ros::sync::changeset
