// Registry: the deployed Realm Functions and their delivery cursors, in
// admin.db (design.md, "Data directory"), written by ros-fnd only.
//
// Tables (created if missing; their names start with "function" so they
// never meet ros-authd's schema, which AdminStore migrates by user_version):
//   functions(name TEXT PRIMARY KEY, regex TEXT, kind TEXT, entry TEXT,
//             state TEXT, reason TEXT, deployed_at INTEGER, updated_at INTEGER)
//   function_cursors(name TEXT, path TEXT, version INTEGER,
//                    PRIMARY KEY (name, path))
// A cursor is the last server version of a Realm whose event the function
// has handled (exit 0); events are delivered after it, so an event is
// delivered at least once and a crash of ros-fnd repeats at most the event
// that was running.
//
// Durability: WAL, synchronous=FULL; a method that returned success is on
// disk. Errors carry SQLite's message and name admin.db.
// Thread safety: one connection guarded by a mutex; every method may be
// called from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "storage/sqlite.hpp"

namespace ros::functions {

// How a function is run (runner.hpp).
enum class Kind { executable, node };
std::string_view to_string(Kind kind);  // "executable", "node"
std::optional<Kind> kind_from_string(std::string_view text);

// running: receives events; stopped: by an operator (ros-fn stop); failed:
// stopped by ros-fnd after functions.max_attempts failed runs (see reason).
enum class State { running, stopped, failed };
std::string_view to_string(State state);
std::optional<State> state_from_string(std::string_view text);

struct FunctionRecord {
  std::string name;
  std::string regex;        // ECMAScript, matched against the whole Realm path
  Kind kind = Kind::node;
  std::string entry;        // the file run, relative to the function's folder
  State state = State::running;
  std::string reason;       // why it is failed or stopped; empty when running
  std::int64_t deployed_at = 0;  // seconds since the epoch
  std::int64_t updated_at = 0;
};

// Realm path -> last handled server version.
using Cursors = std::map<std::string, std::uint64_t>;

class Registry {
 public:
  static Result<std::unique_ptr<Registry>> open(const std::filesystem::path& admin_db);

  // Adds the function, or replaces its regex, kind and entry when it exists
  // (its cursors are kept); `cursors` are set for Realms that have none yet.
  // The state becomes running. One transaction.
  Result<FunctionRecord> deploy(const FunctionRecord& record, const Cursors& cursors);
  Result<std::vector<FunctionRecord>> list();
  // not_found "no function 'x'".
  Result<FunctionRecord> get(const std::string& name);
  Result<void> set_state(const std::string& name, State state, const std::string& reason);
  // Removes the function and its cursors; not_found when it does not exist.
  Result<void> remove(const std::string& name);

  Result<Cursors> cursors(const std::string& name);
  Result<void> set_cursor(const std::string& name, const std::string& path, std::uint64_t version);

 private:
  Registry(std::filesystem::path file, sql::Db db) : file_(std::move(file)), db_(std::move(db)) {}
  Result<FunctionRecord> get_locked(const std::string& name);
  Error in_file(const Error& e) const;

  const std::filesystem::path file_;
  std::mutex mutex_;
  sql::Db db_;  // guarded by mutex_
};

}  // namespace ros::functions
