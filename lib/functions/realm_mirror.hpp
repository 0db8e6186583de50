// RealmMirror: one Realm's objects as of a server version, rebuilt by
// applying the change feed's changesets in order (the history as
// integrated, so the mirror equals ros-syncd's materialized state at that
// version), and the change event of each entry (ros-fnd(8), "THE EVENT"):
//
//   {"path": "/abc/settings", "version": 7,
//    "changes": {"<class>": {"insertions": [i...], "modifications": [i...],
//                            "deletions": [i...], "insertedKeys": [pk...],
//                            "modifiedKeys": [pk...], "deletedKeys": [pk...]}},
//    "realm": {"<class>": [object...]}, "oldRealm": {"<class>": [object...]}}
//
// Objects of a class are ordered by primary key (the state's key order:
// null, then integers ascending, then strings by bytes, ...; see
// changeset/state.hpp); insertions and modifications are indices into the
// class's objects in `realm`, deletions into those in `oldRealm`, each list
// ascending, with the primary keys in the same order. `realm` and `oldRealm`
// hold the classes listed in `changes` (classes whose objects changed), as
// plain JSON (changeset/plain_json.hpp). An object is modified when an
// instruction of the entry changed one of its properties (even to the same
// value) and it exists before and after; created and erased in the same
// entry, it is in no list.
//
// Thread safety: none; one worker thread owns a mirror.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "sync/changeset/memory_state.hpp"

namespace ros::functions {

class RealmMirror {
 public:
  explicit RealmMirror(std::string path) : path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  // The version of the last entry applied (0: none).
  std::uint64_t version() const { return version_; }

  // Applies the entry `version` (its changeset as the feed sends it: base64
  // of the integrated bytes). With `want_event`, returns the change event,
  // or nullopt when no object changed (a schema-only entry). Errors
  // (invalid_argument): a changeset that does not decode or apply, which
  // means the mirror no longer matches the history; the mirror is then
  // unchanged.
  Result<std::optional<nlohmann::json>> apply(std::uint64_t version,
                                              const std::string& changeset_base64,
                                              bool want_event);

 private:
  const std::string path_;
  std::uint64_t version_ = 0;
  sync::changeset::MemoryState state_;
};

}  // namespace ros::functions
