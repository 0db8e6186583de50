#include "functions/registry.hpp"

#include <ctime>

namespace ros::functions {

std::string_view to_string(Kind kind) { return kind == Kind::node ? "node" : "executable"; }

std::optional<Kind> kind_from_string(std::string_view text) {
  if (text == "node") return Kind::node;
  if (text == "executable") return Kind::executable;
  return std::nullopt;
}

std::string_view to_string(State state) {
  switch (state) {
    case State::running: return "running";
    case State::stopped: return "stopped";
    case State::failed: return "failed";
  }
  return "running";
}

std::optional<State> state_from_string(std::string_view text) {
  if (text == "running") return State::running;
  if (text == "stopped") return State::stopped;
  if (text == "failed") return State::failed;
  return std::nullopt;
}

namespace {

std::int64_t now() { return static_cast<std::int64_t>(std::time(nullptr)); }

Error no_function(const std::string& name) {
  return make_error(Errc::not_found, "no function '" + name + "' (ros-fn ls lists them)");
}

}  // namespace

Error Registry::in_file(const Error& e) const {
  return make_error(e.code, "'" + file_.string() + "': " + e.message);
}

Result<std::unique_ptr<Registry>> Registry::open(const std::filesystem::path& admin_db) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(admin_db.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  sql::Db db(raw);
  if (rc != SQLITE_OK) {
    return make_error(Errc::unavailable, "cannot open admin database '" + admin_db.string() +
                                             "': " +
                                             (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(raw, 5000);
  std::unique_ptr<Registry> registry(new Registry(admin_db, std::move(db)));
  for (const char* statement : {
           "PRAGMA journal_mode=WAL",
           "PRAGMA synchronous=FULL",
           "CREATE TABLE IF NOT EXISTS functions(name TEXT PRIMARY KEY, regex TEXT NOT NULL, "
           "kind TEXT NOT NULL, entry TEXT NOT NULL, state TEXT NOT NULL, "
           "reason TEXT NOT NULL DEFAULT '', deployed_at INTEGER NOT NULL, "
           "updated_at INTEGER NOT NULL)",
           "CREATE TABLE IF NOT EXISTS function_cursors(name TEXT NOT NULL, path TEXT NOT NULL, "
           "version INTEGER NOT NULL, PRIMARY KEY (name, path)) WITHOUT ROWID",
       }) {
    auto stmt = sql::Statement::prepare(raw, statement);
    if (!stmt) return registry->in_file(stmt.error());
    // PRAGMA journal_mode answers with a row; step through it.
    while (true) {
      auto row = stmt->step();
      if (!row) return registry->in_file(row.error());
      if (!*row) break;
    }
  }
  return registry;
}

Result<FunctionRecord> Registry::deploy(const FunctionRecord& record, const Cursors& cursors) {
  std::lock_guard lock(mutex_);
  sql::Transaction tx(db_.get());
  if (!tx.begun()) return in_file(tx.begun().error());
  auto upsert = sql::Statement::prepare(
      db_.get(),
      "INSERT INTO functions(name, regex, kind, entry, state, reason, deployed_at, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, 'running', '', ?5, ?5) ON CONFLICT(name) DO UPDATE SET "
      "regex = ?2, kind = ?3, entry = ?4, state = 'running', reason = '', deployed_at = ?5, "
      "updated_at = ?5");
  if (!upsert) return in_file(upsert.error());
  upsert->bind(1, record.name)
      .bind(2, record.regex)
      .bind(3, to_string(record.kind))
      .bind(4, record.entry)
      .bind(5, now());
  if (auto ok = upsert->run(); !ok) return in_file(ok.error());
  for (const auto& [path, version] : cursors) {
    auto put = sql::Statement::prepare(
        db_.get(),
        "INSERT INTO function_cursors(name, path, version) VALUES (?1, ?2, ?3) "
        "ON CONFLICT(name, path) DO NOTHING");
    if (!put) return in_file(put.error());
    put->bind(1, record.name).bind(2, path).bind(3, static_cast<std::int64_t>(version));
    if (auto ok = put->run(); !ok) return in_file(ok.error());
  }
  if (auto ok = tx.commit(); !ok) return in_file(ok.error());
  return get_locked(record.name);
}

Result<FunctionRecord> Registry::get_locked(const std::string& name) {
  auto stmt = sql::Statement::prepare(
      db_.get(),
      "SELECT name, regex, kind, entry, state, reason, deployed_at, updated_at FROM functions "
      "WHERE name = ?1");
  if (!stmt) return in_file(stmt.error());
  stmt->bind(1, name);
  auto row = stmt->step();
  if (!row) return in_file(row.error());
  if (!*row) return no_function(name);
  FunctionRecord r;
  r.name = stmt->text(0);
  r.regex = stmt->text(1);
  r.kind = kind_from_string(stmt->text(2)).value_or(Kind::executable);
  r.entry = stmt->text(3);
  r.state = state_from_string(stmt->text(4)).value_or(State::stopped);
  r.reason = stmt->text(5);
  r.deployed_at = stmt->int64(6);
  r.updated_at = stmt->int64(7);
  return r;
}

Result<FunctionRecord> Registry::get(const std::string& name) {
  std::lock_guard lock(mutex_);
  return get_locked(name);
}

Result<std::vector<FunctionRecord>> Registry::list() {
  std::vector<std::string> names;
  {
    std::lock_guard lock(mutex_);
    auto stmt = sql::Statement::prepare(db_.get(), "SELECT name FROM functions ORDER BY name");
    if (!stmt) return in_file(stmt.error());
    while (true) {
      auto row = stmt->step();
      if (!row) return in_file(row.error());
      if (!*row) break;
      names.push_back(stmt->text(0));
    }
  }
  std::vector<FunctionRecord> out;
  for (const auto& name : names) {
    auto r = get(name);
    if (r) out.push_back(std::move(*r));  // removed meanwhile: left out
  }
  return out;
}

Result<void> Registry::set_state(const std::string& name, State state, const std::string& reason) {
  std::lock_guard lock(mutex_);
  auto stmt = sql::Statement::prepare(
      db_.get(), "UPDATE functions SET state = ?2, reason = ?3, updated_at = ?4 WHERE name = ?1");
  if (!stmt) return in_file(stmt.error());
  stmt->bind(1, name).bind(2, to_string(state)).bind(3, reason).bind(4, now());
  if (auto ok = stmt->run(); !ok) return in_file(ok.error());
  if (sqlite3_changes(db_.get()) == 0) return no_function(name);
  return {};
}

Result<void> Registry::remove(const std::string& name) {
  std::lock_guard lock(mutex_);
  sql::Transaction tx(db_.get());
  if (!tx.begun()) return in_file(tx.begun().error());
  auto del = sql::Statement::prepare(db_.get(), "DELETE FROM functions WHERE name = ?1");
  if (!del) return in_file(del.error());
  del->bind(1, name);
  if (auto ok = del->run(); !ok) return in_file(ok.error());
  if (sqlite3_changes(db_.get()) == 0) return no_function(name);
  auto cur = sql::Statement::prepare(db_.get(), "DELETE FROM function_cursors WHERE name = ?1");
  if (!cur) return in_file(cur.error());
  cur->bind(1, name);
  if (auto ok = cur->run(); !ok) return in_file(ok.error());
  if (auto ok = tx.commit(); !ok) return in_file(ok.error());
  return {};
}

Result<Cursors> Registry::cursors(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto stmt = sql::Statement::prepare(
      db_.get(), "SELECT path, version FROM function_cursors WHERE name = ?1");
  if (!stmt) return in_file(stmt.error());
  stmt->bind(1, name);
  Cursors out;
  while (true) {
    auto row = stmt->step();
    if (!row) return in_file(row.error());
    if (!*row) break;
    out[stmt->text(0)] = static_cast<std::uint64_t>(stmt->int64(1));
  }
  return out;
}

Result<void> Registry::set_cursor(const std::string& name, const std::string& path,
                                  std::uint64_t version) {
  std::lock_guard lock(mutex_);
  auto stmt = sql::Statement::prepare(
      db_.get(),
      "INSERT INTO function_cursors(name, path, version) VALUES (?1, ?2, ?3) "
      "ON CONFLICT(name, path) DO UPDATE SET version = MAX(version, ?3)");
  if (!stmt) return in_file(stmt.error());
  stmt->bind(1, name).bind(2, path).bind(3, static_cast<std::int64_t>(version));
  if (auto ok = stmt->run(); !ok) return in_file(ok.error());
  return {};
}

}  // namespace ros::functions
