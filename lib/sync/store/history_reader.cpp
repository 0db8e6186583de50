#include "sync/store/history_reader.hpp"

namespace ros::sync::store {

Result<HistoryReader> HistoryReader::open(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    return make_error(Errc::not_found, "no Realm file '" + file.string() + "'");
  }
  auto db = sql::open_existing(file.string());
  if (!db) {
    return make_error(db.error().code, "'" + file.string() + "': " + db.error().message);
  }
  return HistoryReader(file, std::move(*db));
}

Result<std::vector<HistoryEntry>> HistoryReader::entries_after(std::uint64_t version,
                                                               std::size_t limit) {
  auto in_file = [&](const Error& e) {
    return make_error(e.code, "cannot read the history of '" + file_.string() + "': " + e.message);
  };
  auto stmt = sql::Statement::prepare(
      db_.get(),
      "SELECT version, salt, origin_file, client_version, base_server_version, "
      "origin_timestamp, changeset, cumulative_size FROM history WHERE version > ?1 "
      "ORDER BY version LIMIT ?2");
  if (!stmt) return in_file(stmt.error());
  stmt->bind(1, static_cast<std::int64_t>(version)).bind(2, static_cast<std::int64_t>(limit));
  std::vector<HistoryEntry> out;
  while (true) {
    auto row = stmt->step();
    if (!row) return in_file(row.error());
    if (!*row) break;
    HistoryEntry e;
    e.version = static_cast<std::uint64_t>(stmt->int64(0));
    e.salt = static_cast<std::uint64_t>(stmt->int64(1));
    e.origin_file_ident = static_cast<std::uint64_t>(stmt->int64(2));
    e.client_version = static_cast<std::uint64_t>(stmt->int64(3));
    e.base_server_version = static_cast<std::uint64_t>(stmt->int64(4));
    e.origin_timestamp = static_cast<std::uint64_t>(stmt->int64(5));
    e.changeset = stmt->blob(6);
    e.cumulative_size = static_cast<std::uint64_t>(stmt->int64(7));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace ros::sync::store
