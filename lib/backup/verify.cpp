#include "backup/verify.hpp"

#include <sqlite3.h>

#include <algorithm>

#include "backup/copy.hpp"
#include "storage/layout.hpp"
#include "storage/sqlite.hpp"
#include "sync/store/realm_store.hpp"

namespace ros::backup {
namespace {

namespace fs = std::filesystem;

// The problems of one database, empty when it is intact.
std::vector<std::string> check_database(const fs::path& file, bool realm) {
  auto db = sql::open_existing(file.string(), 10'000);
  if (!db) return {db.error().message};
  sqlite3* raw = db->get();
  std::vector<std::string> problems;
  auto stmt = sql::Statement::prepare(raw, "PRAGMA integrity_check");
  if (!stmt) return {"integrity check failed: " + stmt.error().message};
  for (;;) {
    auto row = stmt->step();
    if (!row) return {"integrity check failed: " + row.error().message};
    if (!*row) break;
    const std::string line = stmt->text(0);
    if (line != "ok") problems.push_back("integrity: " + line);
    if (problems.size() >= 10) break;
  }
  if (!problems.empty() || !realm) return problems;
  auto app = sql::query_int(raw, "PRAGMA application_id");
  auto version = sql::query_int(raw, "PRAGMA user_version");
  if (!app || !version) return {"cannot read the file's header"};
  if (app->value_or(0) != sync::store::kApplicationId) return {"not a ros Realm file"};
  if (version->value_or(0) < 1 || version->value_or(0) > sync::store::kSchemaVersion) {
    return {"schema version " + std::to_string(version->value_or(0)) +
            " cannot be opened by this ros (it opens 1 to " +
            std::to_string(sync::store::kSchemaVersion) + ")"};
  }
  if (auto h = sql::query_int(raw, "SELECT count(*) FROM history"); !h) {
    return {"cannot read the history: " + h.error().message};
  }
  return problems;
}

}  // namespace

Result<VerifyReport> verify_backup(const fs::path& folder) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) {
    return make_error(Errc::not_found, "'" + folder.string() + "' is not a folder");
  }
  VerifyReport report;
  report.folder = fs::absolute(folder);
  const storage::Layout layout(folder);
  if (!fs::is_regular_file(layout.admin_db(), ec)) {
    report.problems.push_back({"admin.db", "missing: users and permissions would be lost"});
  }
  std::vector<fs::path> databases;
  auto it = fs::recursive_directory_iterator(folder, ec);
  if (ec) return make_error(Errc::unavailable, "cannot read '" + folder.string() + "': " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return make_error(Errc::unavailable, "cannot read '" + folder.string() + "': " + ec.message());
    if (it->is_directory(ec) && it->path() == layout.default_socket_dir()) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec)) continue;
    const std::string name = it->path().filename().string();
    if (name.ends_with("-wal") || name.ends_with("-shm") || name.ends_with("-journal")) continue;
    if (is_sqlite_file(it->path())) {
      databases.push_back(it->path());
    } else if (name.ends_with(".db") && !it->path().lexically_relative(layout.realms_dir()).empty() &&
               *it->path().lexically_relative(layout.realms_dir()).begin() != "..") {
      report.problems.push_back({it->path().lexically_relative(folder).string(),
                                 "not a SQLite database: a server could not open this Realm"});
    } else {
      ++report.files;
    }
  }
  std::sort(databases.begin(), databases.end());
  const fs::path realms = layout.realms_dir();
  for (const auto& file : databases) {
    const fs::path rel = file.lexically_relative(folder);
    const bool realm = !file.lexically_relative(realms).empty() &&
                       *file.lexically_relative(realms).begin() != "..";
    ++report.databases;
    if (realm) ++report.realms;
    for (auto& message : check_database(file, realm)) {
      report.problems.push_back({rel.string(), std::move(message)});
    }
  }
  return report;
}

nlohmann::json to_json(const VerifyReport& r) {
  nlohmann::json problems = nlohmann::json::array();
  for (const auto& p : r.problems) problems.push_back({{"file", p.file}, {"message", p.message}});
  return {{"target", r.folder.string()}, {"ok", r.ok()},       {"databases", r.databases},
          {"realms", r.realms},          {"files", r.files},   {"problems", std::move(problems)}};
}

}  // namespace ros::backup
