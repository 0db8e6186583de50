// HistoryReader: a read-only view of one Realm file's history, for readers
// outside the Realm's strand (ros-syncd's change feed). It has its own
// SQLite connection, so in WAL mode it reads committed entries while the
// RealmStore writes, and it never creates, migrates or locks the file for
// writing.
//
// Promises: entries_after() returns committed entries only, oldest first,
// with the changeset as integrated (hoisted layout, as realm_store.hpp stores
// it). Errors: not_found when the file does not exist; unavailable when it
// cannot be opened or read (SQLite's message, naming the file).
// Thread safety: none; one thread at a time per reader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "common/result.hpp"
#include "storage/sqlite.hpp"
#include "sync/store/realm_store.hpp"

namespace ros::sync::store {

class HistoryReader {
 public:
  static Result<HistoryReader> open(const std::filesystem::path& file);

  // Up to `limit` entries with version > `version`, oldest first; empty when
  // there are none yet.
  Result<std::vector<HistoryEntry>> entries_after(std::uint64_t version, std::size_t limit);

 private:
  HistoryReader(std::filesystem::path file, sql::Db db)
      : file_(std::move(file)), db_(std::move(db)) {}
  std::filesystem::path file_;
  sql::Db db_;
};

}  // namespace ros::sync::store
