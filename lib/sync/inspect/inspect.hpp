// Reading a data directory's Realms for operators: the list of Realm files,
// one Realm's schema and objects, its decoded history, and removing a Realm.
// Used by ros-realm when ros-syncd is not running (it reads the files
// directly) and by ros-syncd's control ops realm.list, realm.show,
// realm.schema, realm.history and realm.rm (on the Realm's strand), so both
// ways print the same JSON.
//
// What it promises:
// - list_realms() never fails as a whole: a file it cannot read is listed with
//   an "error" member instead of its counts. Realms are sorted by path. It
//   opens each file with its own short-lived read connection, so it may run
//   while ros-syncd writes (WAL readers do not block the writer) and it never
//   creates or migrates a file.
// - realm_file() maps a path to its existing file or fails: not_found
//   "no Realm '/x' (no file '<root>/realms/x.db')"; invalid_argument for a
//   path that is not a valid Realm path.
// - realm_schema(), show_realm(), realm_history() only read the store; they
//   run on the store's thread (the Realm's strand in ros-syncd).
// - remove_realm() deletes the Realm's file and its -wal, -shm and -journal
//   companions, then the folders under realms/ it leaves empty. The caller
//   makes sure nothing has the file open (ros-syncd ends the Realm's sessions
//   and closes its RealmStore first; ros-realm only does it itself when
//   ros-syncd is not running).
// Results are nlohmann::json (the control protocol's type); the shapes are
// documented at each function and in ros-realm(1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "storage/layout.hpp"
#include "sync/store/realm_store.hpp"

namespace ros::sync::inspect {

// The number of objects per class show_realm() lists by default.
inline constexpr std::size_t kDefaultObjectLimit = 100;

// {"realms": [{"path": "/a/b", "owner": "<user id>" | null, "file": "<abs path>",
//   "size": <bytes of the file, -wal and -shm>, "history_length": <entries>,
//   "latest_version": <newest server version>}, ...]}; an unreadable file has
// "error": "<message>" instead of history_length and latest_version.
// ros-syncd adds "clients" (connected sessions) to each entry.
nlohmann::json list_realms(const storage::Layout& layout);

// One entry of list_realms() for `path` (a resolved Realm path).
// Errors: as realm_file().
Result<nlohmann::json> describe_realm(const storage::Layout& layout, std::string_view path);

// The file of the existing Realm at `path` (see the header).
Result<std::filesystem::path> realm_file(const storage::Layout& layout, std::string_view path);

// {"classes": {"<name>": {"embedded": bool, "primaryKey": {"field", "type",
//   "nullable"} | null, "columns": {"<field>": {"type", "nullable",
//   "collection", ["linkTarget"]}}}}}: the state dump's schema part
// (changeset/state_json.hpp), without objects.
Result<nlohmann::json> realm_schema(const store::RealmStore& store);

// The schema as realm_schema(), and for each top-level class also "objects"
// (the first `limit` objects in key order, as the state dump renders them,
// embedded objects inline) and "objectTotal" (how many it has); embedded
// classes have "objectCount" instead (counted in the objects listed). `cls`
// keeps only that class; Errors: not_found "no class 'C' in the Realm
// (classes: A, B)". `limit` 0 lists no objects, only the counts.
Result<nlohmann::json> show_realm(const store::RealmStore& store,
                                  const std::optional<std::string>& cls,
                                  std::size_t limit = kDefaultObjectLimit);

// {"latest": {"version", "salt"}, "entries": [{"version", "salt",
//   "origin_file_ident", "client_version", "base_server_version",
//   "origin_timestamp" (ms since 2015-01-01), "size" (bytes),
//   "cumulative_size", "changeset": <changeset JSON as ros-changeset decode
//   prints it> | "decode_error": "<message>"}, ...]}: the history entries with
// version >= `from` (oldest first; from 0 or 1 means all), at most `limit`
// of them when limit > 0 ("truncated": true when more follow).
// Errors: `from` beyond the latest version + 1: not_found.
Result<nlohmann::json> realm_history(const store::RealmStore& store, std::uint64_t from,
                                     std::size_t limit = 0);

// Deletes the Realm at `path` (see the header). {"removed": "/a/b", "file":
// "<abs path>"}. Errors: as realm_file(); unavailable when a file cannot be
// deleted (the system's message).
Result<nlohmann::json> remove_realm(const storage::Layout& layout, std::string_view path);

}  // namespace ros::sync::inspect
