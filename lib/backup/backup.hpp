// realm-backup's work: a consistent online copy of a data directory
// (design.md, "Data directory") into a new folder with the same structure,
// so that the copy can be started as a server (restore: stop, copy, start).
//
// What it promises:
// - Refusals change nothing: SOURCE missing or not a data directory (neither
//   admin.db nor realms/ in it); TARGET existing and not an empty folder;
//   TARGET inside SOURCE (or the same); TARGET's parent folder missing; less
//   free space under TARGET's parent than SOURCE's files take.
// - Every SQLite database (admin.db, realms/**.db, any database of Functions)
//   is copied through SQLite's online backup, each one a snapshot of one
//   commit (copy.hpp); every other regular file (functions/, logs/) byte
//   for byte. Not copied: admin_token.base64 (a credential; ros-authd writes
//   a new one at start, and admin.db's record of it is void then), run/ (control sockets),
//   anything that is not a regular file or folder, and SQLite's -wal, -shm
//   and -journal files (their content is inside the copied databases).
//   Files are listed once at the start: a Realm created during the backup
//   may be missing from it, one removed during it is skipped.
// - All of it is written into a hidden sibling of TARGET
//   (".<name>.partial-<pid>") and renamed to TARGET only when complete and
//   synced; on any failure or cancellation the sibling is removed, so TARGET
//   is either the whole backup or as it was.
// - Permission bits of the copied files and folders are the source's.
// Threads: blocking; `cancel` may be set from a signal handler.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace ros::backup {

struct Progress {
  std::size_t files_done = 0;
  std::size_t files_total = 0;
  std::uint64_t bytes_done = 0;
  std::uint64_t bytes_total = 0;  // an estimate: the sizes seen when listing
  std::string current;            // the file being copied, relative to SOURCE
};

struct Options {
  std::filesystem::path source;
  std::filesystem::path target;
  std::function<void(const Progress&)> on_progress;  // may be empty
  const std::atomic<bool>* cancel = nullptr;          // may be null
};

struct Summary {
  std::filesystem::path source;  // absolute
  std::filesystem::path target;  // absolute
  std::size_t files = 0;         // everything copied, databases included
  std::size_t databases = 0;
  std::size_t realms = 0;        // databases under realms/
  std::uint64_t bytes = 0;       // bytes written
  double seconds = 0;
  std::vector<std::string> skipped;  // relative paths that vanished while copying
};

// Errors: the refusals above (invalid_argument, not_found or conflict; the
// message names the path and the reason), copy failures (unavailable, from
// copy.hpp), "interrupted" when cancelled.
Result<Summary> run_backup(const Options& options);

// {"source", "target", "files", "databases", "realms", "bytes", "seconds", "skipped"}
nlohmann::json to_json(const Summary& summary);

}  // namespace ros::backup
