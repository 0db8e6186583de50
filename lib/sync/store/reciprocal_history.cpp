#include "sync/store/reciprocal_history.hpp"

namespace ros::sync::store {

Result<std::vector<WindowEntry>> merge_window(sql::StatementCache& db, uint64_t client_file,
                                              uint64_t after, uint64_t upto) {
  // An empty *main* entry is skipped even if a reciprocal row exists (it
  // cannot: nothing merges into an empty entry).
  auto lease = db.get(
      "SELECT h.version, h.origin_file, h.origin_timestamp, h.changeset, r.changeset "
      "FROM history h LEFT JOIN reciprocal_history r "
      "ON r.client_file = ?3 AND r.version = h.version "
      "WHERE h.version > ?1 AND h.version <= ?2 AND h.origin_file != ?3 "
      "AND length(h.changeset) > 0 ORDER BY h.version");
  if (!lease) return lease.error();
  sql::Statement& stmt = **lease;
  stmt.bind(1, static_cast<int64_t>(after))
      .bind(2, static_cast<int64_t>(upto))
      .bind(3, static_cast<int64_t>(client_file));
  std::vector<WindowEntry> out;
  for (;;) {
    auto row = stmt.step();
    if (!row) return row.error();
    if (!*row) break;
    WindowEntry e;
    e.version = static_cast<uint64_t>(stmt.int64(0));
    e.origin_file_ident = static_cast<uint64_t>(stmt.int64(1));
    e.origin_timestamp = static_cast<uint64_t>(stmt.int64(2));
    e.reciprocal = !stmt.is_null(4);
    e.changeset = e.reciprocal ? stmt.blob(4) : stmt.blob(3);
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::optional<std::string>> read_reciprocal(sql::StatementCache& db, uint64_t client_file,
                                                   uint64_t version) {
  auto lease =
      db.get("SELECT changeset FROM reciprocal_history WHERE client_file = ?1 AND version = ?2");
  if (!lease) return lease.error();
  sql::Statement& stmt = **lease;
  stmt.bind(1, static_cast<int64_t>(client_file)).bind(2, static_cast<int64_t>(version));
  auto row = stmt.step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(stmt.blob(0));
}

Result<void> store_reciprocal(sql::StatementCache& db, uint64_t client_file, uint64_t version,
                              std::string_view changeset) {
  auto lease = db.get(
      "INSERT INTO reciprocal_history(client_file, version, changeset) VALUES (?1, ?2, ?3) "
      "ON CONFLICT(client_file, version) DO UPDATE SET changeset = excluded.changeset");
  if (!lease) return lease.error();
  sql::Statement& stmt = **lease;
  // A zero-length view may have a null data pointer, which SQLite would
  // bind as NULL; an empty reciprocal must stay "present and empty".
  static const char kNothing[1] = {0};
  std::string_view bytes = changeset.empty() ? std::string_view(kNothing, 0) : changeset;
  stmt.bind(1, static_cast<int64_t>(client_file))
      .bind(2, static_cast<int64_t>(version))
      .bind_blob(3, bytes);
  return stmt.run();
}

Result<void> trim_reciprocal(sql::StatementCache& db, uint64_t client_file, uint64_t base) {
  auto lease =
      db.get("DELETE FROM reciprocal_history WHERE client_file = ?1 AND version <= ?2");
  if (!lease) return lease.error();
  sql::Statement& stmt = **lease;
  stmt.bind(1, static_cast<int64_t>(client_file)).bind(2, static_cast<int64_t>(base));
  return stmt.run();
}

}  // namespace ros::sync::store
