// realm-backup --verify: whether a folder (a backup, or a data directory
// whose server is stopped) holds what a server needs to start, intact.
//
// What it checks:
// - admin.db is there (users, identities, permissions, offers);
// - every SQLite database in the tree passes PRAGMA integrity_check;
// - every realms/**.db is a ros Realm file (application_id) of a schema
//   version this build can open, and its history can be read.
// Databases are opened read-write without being created, only read; SQLite
// may create and remove -wal and -shm files beside them while they are open.
// Threads: blocking.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace ros::backup {

struct Problem {
  std::string file;     // relative to the folder
  std::string message;  // what is wrong, for people
};

struct VerifyReport {
  std::filesystem::path folder;
  std::size_t databases = 0;  // databases checked
  std::size_t realms = 0;     // of which Realm files
  std::size_t files = 0;      // other files seen
  std::vector<Problem> problems;
  bool ok() const { return problems.empty(); }
};

// Errors: the folder does not exist or cannot be read (not_found, unavailable).
// A damaged backup is not an Error: its problems are in the report.
Result<VerifyReport> verify_backup(const std::filesystem::path& folder);

// {"target", "ok", "databases", "realms", "files", "problems": [{"file", "message"}]}
nlohmann::json to_json(const VerifyReport& report);

}  // namespace ros::backup
