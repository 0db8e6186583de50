// Copying one file of a data directory into a backup: a SQLite database
// through SQLite's online backup API (a consistent snapshot while its owner
// keeps writing), any other file byte for byte. Both end with the copy
// synced to disk and given the source's permission bits.
//
// What it promises:
// - copy_database() reads the source inside one read transaction, so the
//   copy is the database as of one commit: every transaction committed
//   before the snapshot is in it, none after it, nothing torn. In WAL mode
//   (every ros database) the snapshot never blocks the writer; a busy source
//   is retried for a while before giving up.
// - The source is only read; it is opened read-write (never created) when it
//   may be, because a read-only connection to a WAL database leaves -wal and
//   -shm files behind.
// - Both stop early when `cancel` becomes true (checked between pages and
//   chunks): Errc::unavailable "interrupted". A partly written target is the
//   caller's to remove.
// - Errors name the file and the system's reason ("cannot write
//   '<file>': No space left on device").
// Threads: blocking; one call at a time per file.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>

#include "common/result.hpp"

namespace ros::backup {

// Called with the bytes copied so far of the current file.
using OnBytes = std::function<void(std::uint64_t)>;

// True when `file` starts with SQLite's header ("SQLite format 3\0").
bool is_sqlite_file(const std::filesystem::path& file);

// The database at `source` into the new file `target`. The bytes of the copy.
Result<std::uint64_t> copy_database(const std::filesystem::path& source,
                                    const std::filesystem::path& target,
                                    const std::atomic<bool>* cancel, const OnBytes& on_bytes);

// A plain file. The bytes copied.
Result<std::uint64_t> copy_file(const std::filesystem::path& source,
                                const std::filesystem::path& target,
                                const std::atomic<bool>* cancel, const OnBytes& on_bytes);

// fsync of a file or directory; errors name it.
Result<void> sync_path(const std::filesystem::path& path);

}  // namespace ros::backup
