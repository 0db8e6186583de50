// The per-client reciprocal history of a Realm file (merge.md 3.1) and the
// merge window an upload is transformed against (3.3), over the Realm file's
// tables history and reciprocal_history.
//
// Promises: plain reads and writes inside the caller's transaction, through
// the connection's kept statements; nothing here begins or commits one. A
// stored reciprocal form is never absent and empty at once: no row means
// "same as the main entry", a row with zero bytes means "the merge reduced
// it to nothing" (merge.md 2.5).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "storage/statement_cache.hpp"

namespace ros::sync::store {

// One history entry as client file X must see it in a merge.
struct WindowEntry {
  uint64_t version = 0;
  uint64_t origin_file_ident = 0;  // 0: the server itself
  uint64_t origin_timestamp = 0;
  std::string changeset;  // X's reciprocal form if stored, else the main entry
  bool reciprocal = false;  // `changeset` is X's reciprocal form
};

// The entries with after < version <= upto that X has to be merged against,
// oldest first: not originating from X and not empty (merge.md 3.3).
Result<std::vector<WindowEntry>> merge_window(sql::StatementCache& db, uint64_t client_file,
                                              uint64_t after, uint64_t upto);

// X's stored reciprocal form of `version`, nullopt when none.
Result<std::optional<std::string>> read_reciprocal(sql::StatementCache& db, uint64_t client_file,
                                                   uint64_t version);

// Stores (or replaces) X's reciprocal form of `version`.
Result<void> store_reciprocal(sql::StatementCache& db, uint64_t client_file, uint64_t version,
                              std::string_view changeset);

// Drops X's reciprocal forms of versions at or below `base` (the new base).
Result<void> trim_reciprocal(sql::StatementCache& db, uint64_t client_file, uint64_t base);

}  // namespace ros::sync::store
