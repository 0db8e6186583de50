#include "sync/store/realm_store.hpp"

#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <system_error>

#include "storage/sqlite.hpp"
#include "storage/statement_cache.hpp"
#include "sync/changeset/applier.hpp"
#include "sync/changeset/encoder.hpp"
#include "sync/changeset/parser.hpp"
#include "sync/store/reciprocal_history.hpp"
#include "sync/store/sqlite_state.hpp"
#include "sync/transform/merge.hpp"

namespace ros::sync::store {

namespace cs = ros::sync::changeset;
namespace tf = ros::sync::transform;

namespace {

constexpr std::string_view kSyncErrorTag = " (sync error ";

Error sync_refusal(Errc code, SyncError which, std::string message) {
  return make_error(code, std::move(message) + std::string(kSyncErrorTag) +
                              std::to_string(static_cast<int>(which)) + ")");
}

// A random non-zero 63-bit value (client-file and server-version salts).
Result<uint64_t> random_salt() {
  for (;;) {
    uint64_t v = 0;
    ssize_t n = getrandom(&v, sizeof v, 0);
    if (n != static_cast<ssize_t>(sizeof v)) {
      if (n < 0 && errno == EINTR) continue;
      return make_error(Errc::internal, "cannot draw a random salt: getrandom failed");
    }
    v &= 0x7fffffffffffffffULL;
    if (v != 0) return v;
  }
}

// One migration per schema version: the statements that take a file from
// version N-1 to N. Only ever append.
const std::vector<std::vector<const char*>>& migrations() {
  static const std::vector<std::vector<const char*>> list = {
      // 1: history, client files, materialized state.
      {
          "CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
          // next_client_file_ident: the identifier counter (3.4).
          // history_base_version / history_base_salt: trimming base (4.7).
          "INSERT INTO meta(key, value) VALUES ('next_client_file_ident', 2), "
          "('history_base_version', 0), ('history_base_salt', 0)",
          "CREATE TABLE history(version INTEGER PRIMARY KEY, salt INTEGER NOT NULL, "
          "origin_file INTEGER NOT NULL, client_version INTEGER NOT NULL, "
          "base_server_version INTEGER NOT NULL, origin_timestamp INTEGER NOT NULL, "
          "changeset BLOB NOT NULL, cumulative_size INTEGER NOT NULL)",
          "CREATE TABLE client_files(ident INTEGER PRIMARY KEY, salt INTEGER NOT NULL, "
          "client_type INTEGER NOT NULL, upload_client_version INTEGER NOT NULL DEFAULT 0, "
          "upload_server_version INTEGER NOT NULL DEFAULT 0, "
          "locked_server_version INTEGER NOT NULL DEFAULT 0, "
          "expired INTEGER NOT NULL DEFAULT 0, last_seen INTEGER NOT NULL DEFAULT 0)",
          "CREATE TABLE classes(name TEXT PRIMARY KEY, spec BLOB NOT NULL)",
          "CREATE TABLE objects(class TEXT NOT NULL, key BLOB NOT NULL, "
          "value BLOB NOT NULL, PRIMARY KEY (class, key)) WITHOUT ROWID",
      },
      // 2: the reciprocal history per client file (merge.md 3.1). A row is
      // a stored transformed copy of history entry `version` (zero bytes
      // when merged to nothing); no row means "same as the main entry".
      {
          "CREATE TABLE reciprocal_history(client_file INTEGER NOT NULL, "
          "version INTEGER NOT NULL, changeset BLOB NOT NULL, "
          "PRIMARY KEY (client_file, version)) WITHOUT ROWID",
      },
  };
  return list;
}

Result<int64_t> meta_int(sql::StatementCache& db, std::string_view key) {
  auto lease = db.get("SELECT value FROM meta WHERE key = ?1");
  if (!lease) return lease.error();
  sql::Statement& stmt = **lease;
  stmt.bind(1, key);
  auto row = stmt.step();
  if (!row) return row.error();
  if (!*row) return make_error(Errc::internal, "meta value '" + std::string(key) + "' is missing");
  return stmt.int64(0);
}

Result<void> set_meta_int(sql::StatementCache& db, std::string_view key, int64_t value) {
  auto lease = db.get("UPDATE meta SET value = ?2 WHERE key = ?1");
  if (!lease) return lease.error();
  sql::Statement& stmt = **lease;
  stmt.bind(1, key).bind(2, value);
  return stmt.run();
}

struct Latest {
  uint64_t version = 0;
  uint64_t salt = 0;
  uint64_t cumulative_size = 0;
};

Result<Latest> read_latest(sql::StatementCache& db) {
  auto lease = db.get(
      "SELECT version, salt, cumulative_size FROM history ORDER BY version DESC LIMIT 1");
  if (!lease) return lease.error();
  sql::Statement& stmt = **lease;
  auto row = stmt.step();
  if (!row) return row.error();
  if (*row) {
    return Latest{static_cast<uint64_t>(stmt.int64(0)), static_cast<uint64_t>(stmt.int64(1)),
                  static_cast<uint64_t>(stmt.int64(2))};
  }
  auto base = meta_int(db, "history_base_version");
  if (!base) return base.error();
  auto salt = meta_int(db, "history_base_salt");
  if (!salt) return salt.error();
  return Latest{static_cast<uint64_t>(*base), static_cast<uint64_t>(*salt), 0};
}

Result<std::optional<ClientFile>> read_client_file(sql::StatementCache& db, uint64_t ident) {
  auto lease = db.get(
      "SELECT salt, client_type, upload_client_version, upload_server_version, "
      "locked_server_version, expired FROM client_files WHERE ident = ?1");
  if (!lease) return lease.error();
  sql::Statement& stmt = **lease;
  stmt.bind(1, static_cast<int64_t>(ident));
  auto row = stmt.step();
  if (!row) return row.error();
  if (!*row) return std::optional<ClientFile>();
  ClientFile f;
  f.ident = ident;
  f.salt = static_cast<uint64_t>(stmt.int64(0));
  f.type = static_cast<ClientType>(stmt.int64(1));
  f.upload_client_version = static_cast<uint64_t>(stmt.int64(2));
  f.upload_server_version = static_cast<uint64_t>(stmt.int64(3));
  f.locked_server_version = static_cast<uint64_t>(stmt.int64(4));
  f.expired = stmt.int64(5) != 0;
  return std::optional<ClientFile>(f);
}

// RAII savepoint: rolled back and released unless release() succeeded.
class Savepoint {
 public:
  explicit Savepoint(sql::StatementCache& db) : db_(db), begun_(db.exec("SAVEPOINT upload")) {}
  ~Savepoint() {
    if (begun_.ok() && !done_) {
      (void)db_.exec("ROLLBACK TO upload");
      (void)db_.exec("RELEASE upload");
    }
  }
  const Result<void>& begun() const { return begun_; }
  Result<void> release() {
    auto r = db_.exec("RELEASE upload");
    if (r.ok()) done_ = true;
    return r;
  }

 private:
  sql::StatementCache& db_;
  Result<void> begun_;
  bool done_ = false;
};

}  // namespace

std::optional<SyncError> sync_error(const Error& error) {
  const std::string& m = error.message;
  auto at = m.rfind(kSyncErrorTag);
  if (at == std::string::npos || m.empty() || m.back() != ')') return std::nullopt;
  std::string digits = m.substr(at + kSyncErrorTag.size(),
                                m.size() - 1 - at - kSyncErrorTag.size());
  if (digits.size() != 3) return std::nullopt;
  for (char c : digits)
    if (c < '0' || c > '9') return std::nullopt;
  return static_cast<SyncError>(std::stoi(digits));
}

RealmStore::RealmStore(std::filesystem::path file, sqlite3* db)
    : file_(std::move(file)),
      db_(db),
      statements_(std::make_unique<sql::StatementCache>(db)),
      state_(std::make_unique<SqliteState>(db)) {}

RealmStore::~RealmStore() {
  // Statements are finalized before their connection closes.
  state_.reset();
  statements_.reset();
  sqlite3_close_v2(db_);
}

Error RealmStore::in_file(const Error& e) const {
  return Error{e.code, "Realm file '" + file_.string() + "': " + e.message};
}

const cs::State& RealmStore::state() const { return *state_; }

Result<std::unique_ptr<RealmStore>> RealmStore::open(const std::filesystem::path& file) {
  const std::string name = "'" + file.string() + "'";
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  if (ec) {
    return make_error(Errc::unavailable, "cannot create the folder of Realm file " + name +
                                             ": " + ec.message());
  }
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(file.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  sql::Db db(raw);
  if (rc != SQLITE_OK) {
    return make_error(Errc::unavailable, "cannot open Realm file " + name + ": " +
                                             (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, 5000);

  // The first read of the file: a corrupt or foreign file fails here, in
  // SQLite's words ("file is not a database").
  auto mode = sql::query_text(raw, "PRAGMA journal_mode=WAL");
  if (!mode) {
    return make_error(Errc::unavailable, "cannot open Realm file " + name + ": " +
                                             sqlite3_errmsg(raw) +
                                             " (restore it from a backup)");
  }
  if (*mode != "wal") {
    return make_error(Errc::unavailable,
                      "cannot open Realm file " + name + ": cannot switch it to WAL mode");
  }
  // FULL, not NORMAL: see the header (acknowledged means synced).
  if (auto r = sql::exec(raw, "PRAGMA synchronous=FULL"); !r) {
    return make_error(r.error().code, "cannot open Realm file " + name + ": " + r.error().message);
  }

  // Check and migrate in one IMMEDIATE transaction, so two openers of a new
  // file migrate it once.
  sql::Transaction tx(raw);
  auto failed = [&](const Error& e) {
    return make_error(e.code, "cannot open Realm file " + name + ": " + e.message);
  };
  if (!tx.begun()) return failed(tx.begun().error());
  auto app = sql::query_int(raw, "PRAGMA application_id");
  auto stored = sql::query_int(raw, "PRAGMA user_version");
  auto tables = sql::query_int(raw, "SELECT count(*) FROM sqlite_master");
  if (!app) return failed(app.error());
  if (!stored) return failed(stored.error());
  if (!tables) return failed(tables.error());
  int64_t version = stored->value_or(0);
  if (app->value_or(0) != kApplicationId && (app->value_or(0) != 0 || tables->value_or(0) != 0)) {
    return make_error(Errc::conflict, "cannot open Realm file " + name +
                                          ": it is a SQLite database of another program, not a "
                                          "ros Realm file (move it away)");
  }
  if (version > kSchemaVersion) {
    return make_error(Errc::conflict, "cannot open Realm file " + name + ": schema version " +
                                          std::to_string(version) +
                                          " is newer than this ros supports (" +
                                          std::to_string(kSchemaVersion) +
                                          "); upgrade ros or restore a backup");
  }
  if (version < 0) {
    return make_error(Errc::conflict, "cannot open Realm file " + name +
                                          ": invalid schema version " + std::to_string(version));
  }
  const auto& list = migrations();
  for (auto v = version; v < kSchemaVersion; ++v) {
    for (const char* statement : list[static_cast<std::size_t>(v)]) {
      if (auto r = sql::exec(raw, statement); !r) {
        return failed(make_error(r.error().code, "migration to schema version " +
                                                     std::to_string(v + 1) + ": " +
                                                     r.error().message));
      }
    }
  }
  if (version < kSchemaVersion) {
    // PRAGMAs take no parameters; both values are compile-time constants.
    const std::string set_version = "PRAGMA user_version=" + std::to_string(kSchemaVersion);
    const std::string set_app = "PRAGMA application_id=" + std::to_string(kApplicationId);
    for (const std::string& p : {set_version, set_app}) {
      if (auto r = sql::exec(raw, p); !r) return failed(r.error());
    }
  }
  if (auto r = tx.commit(); !r) return failed(r.error());
  return std::unique_ptr<RealmStore>(new RealmStore(file, db.release()));
}

Result<ClientFile> RealmStore::allocate_client_file(ClientType type) { return allocate(0, type); }

Result<ClientFile> RealmStore::allocate_client_file_at(uint64_t ident, ClientType type) {
  if (ident <= kServerFileIdent) {
    return make_error(Errc::invalid_argument,
                      "client file " + std::to_string(ident) +
                          " cannot be allocated: client file identifiers start at 2");
  }
  return allocate(ident, type);
}

// ident 0 (never a client's) stands for "the next one".
Result<ClientFile> RealmStore::allocate(uint64_t ident, ClientType type) {
  auto salt = random_salt();
  if (!salt) return salt.error();
  sql::Transaction tx(db_);
  if (!tx.begun()) return in_file(tx.begun().error());
  auto next = meta_int(*statements_, "next_client_file_ident");
  if (!next) return in_file(next.error());
  if (ident != 0 && ident < static_cast<uint64_t>(*next)) {
    return in_file(make_error(Errc::conflict, "client file " + std::to_string(ident) +
                                                  " cannot be allocated: identifiers up to " +
                                                  std::to_string(*next - 1) +
                                                  " were already issued"));
  }
  if (ident != 0) *next = static_cast<int64_t>(ident);
  ClientFile f;
  f.ident = static_cast<uint64_t>(*next);
  f.salt = *salt;
  f.type = type;
  auto stmt = sql::Statement::prepare(
      db_, "INSERT INTO client_files(ident, salt, client_type, last_seen) VALUES (?1, ?2, ?3, ?4)");
  if (!stmt) return in_file(stmt.error());
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  stmt->bind(1, static_cast<int64_t>(f.ident))
      .bind(2, static_cast<int64_t>(f.salt))
      .bind(3, static_cast<int64_t>(type))
      .bind(4, static_cast<int64_t>(now));
  if (auto r = stmt->run(); !r) return in_file(r.error());
  if (auto r = set_meta_int(*statements_, "next_client_file_ident", *next + 1); !r) {
    return in_file(r.error());
  }
  // Durable (synchronous=FULL) before the identifier can be sent in IDENT.
  if (auto r = tx.commit(); !r) return in_file(r.error());
  return f;
}

Result<ClientFile> RealmStore::client_file(uint64_t ident, uint64_t salt) const {
  auto record = read_client_file(*statements_, ident);
  if (!record) return in_file(record.error());
  if (!*record) {
    return sync_refusal(Errc::not_found, SyncError::bad_client_file_ident,
                        "bad client file ident: " + std::to_string(ident) +
                            " was never issued for '" + file_.string() + "'");
  }
  if ((*record)->salt != salt) {
    return sync_refusal(Errc::conflict, SyncError::diverging_histories,
                        "diverging histories: client file " + std::to_string(ident) +
                            " presents salt " + std::to_string(salt) +
                            ", not the one it was issued with");
  }
  return **record;
}

Result<ClientFile> RealmStore::check_ident(const Ident& id) const {
  auto newest = read_latest(*statements_);
  if (!newest) return in_file(newest.error());
  const uint64_t n = newest->version;
  auto bad_version = [](const std::string& why) {
    return sync_refusal(Errc::conflict, SyncError::bad_server_version, "bad server version: " + why);
  };
  if (id.latest_server_version > n) {  // 1
    return bad_version("the client knows version " + std::to_string(id.latest_server_version) +
                       ", the newest here is " + std::to_string(n));
  }
  auto record = client_file(id.client_file_ident, id.client_file_salt);  // 2, 3
  if (!record) return record.error();
  if (id.scan_server_version < record->upload_server_version) {  // 4
    return bad_version("download cursor at " + std::to_string(id.scan_server_version) +
                       ", below the last integrated server version " +
                       std::to_string(record->upload_server_version));
  }
  if (record->expired) {  // 5
    return sync_refusal(Errc::conflict, SyncError::client_file_expired,
                        "client file expired: the history client file " +
                            std::to_string(id.client_file_ident) + " needs was compacted");
  }
  if (id.scan_server_version > n) {  // 6
    return bad_version("download cursor at " + std::to_string(id.scan_server_version) +
                       ", the newest here is " + std::to_string(n));
  }
  if (id.scan_client_version > record->upload_client_version) {  // 7
    return sync_refusal(Errc::conflict, SyncError::bad_client_version,
                        "bad client version: the client says its version " +
                            std::to_string(id.scan_client_version) +
                            " was integrated, the server has up to " +
                            std::to_string(record->upload_client_version));
  }
  if (id.latest_server_version < id.scan_server_version) {  // 8
    return bad_version("latest version " + std::to_string(id.latest_server_version) +
                       " below the download cursor " + std::to_string(id.scan_server_version));
  }
  auto salt = server_version_salt(id.latest_server_version);  // 9
  if (!salt) return salt.error();
  if (*salt != id.latest_server_version_salt) {
    return sync_refusal(Errc::conflict, SyncError::diverging_histories,
                        "diverging histories: server version " +
                            std::to_string(id.latest_server_version) +
                            " has another salt here");
  }
  if (record->type != id.type) {  // 10
    return sync_refusal(Errc::conflict, SyncError::bad_client_file_ident,
                        "bad client file ident: client file " +
                            std::to_string(id.client_file_ident) +
                            " was issued to another type of client");
  }
  return record;
}

Result<std::optional<std::string>> RealmStore::reciprocal(uint64_t ident,
                                                          uint64_t version) const {
  auto r = read_reciprocal(*statements_, ident, version);
  if (!r) return in_file(r.error());
  return r;
}

Result<ServerVersion> RealmStore::latest() const {
  auto l = read_latest(*statements_);
  if (!l) return in_file(l.error());
  return ServerVersion{l->version, l->salt};
}

Result<uint64_t> RealmStore::server_version_salt(uint64_t version) const {
  auto l = read_latest(*statements_);
  if (!l) return in_file(l.error());
  auto base = meta_int(*statements_, "history_base_version");
  if (!base) return in_file(base.error());
  if (version > l->version || version < static_cast<uint64_t>(*base)) {
    return sync_refusal(Errc::not_found, SyncError::bad_server_version,
                        "bad server version: " + std::to_string(version) +
                            " does not exist (history " + std::to_string(*base) + ".." +
                            std::to_string(l->version) + ")");
  }
  if (version == static_cast<uint64_t>(*base)) {
    auto salt = meta_int(*statements_, "history_base_salt");
    if (!salt) return in_file(salt.error());
    return static_cast<uint64_t>(*salt);
  }
  auto lease = statements_->get("SELECT salt FROM history WHERE version = ?1");
  if (!lease) return in_file(lease.error());
  sql::Statement& stmt = **lease;
  stmt.bind(1, static_cast<int64_t>(version));
  auto row = stmt.step();
  if (!row) return in_file(row.error());
  if (!*row) {
    return in_file(make_error(Errc::internal,
                              "history entry " + std::to_string(version) + " is missing"));
  }
  return static_cast<uint64_t>(stmt.int64(0));
}

Result<std::vector<HistoryEntry>> RealmStore::history_since(uint64_t version,
                                                            uint64_t limit_bytes) const {
  auto l = read_latest(*statements_);
  if (!l) return in_file(l.error());
  if (version > l->version) {
    return sync_refusal(Errc::not_found, SyncError::bad_server_version,
                        "bad server version: " + std::to_string(version) +
                            " is newer than the latest, " + std::to_string(l->version));
  }
  auto lease = statements_->get(
      "SELECT version, salt, origin_file, client_version, base_server_version, "
      "origin_timestamp, changeset, cumulative_size FROM history WHERE version > ?1 "
      "ORDER BY version");
  if (!lease) return in_file(lease.error());
  sql::Statement& stmt = **lease;
  stmt.bind(1, static_cast<int64_t>(version));
  std::vector<HistoryEntry> out;
  uint64_t bytes = 0;
  for (;;) {
    auto row = stmt.step();
    if (!row) return in_file(row.error());
    if (!*row) break;
    HistoryEntry e;
    e.version = static_cast<uint64_t>(stmt.int64(0));
    e.salt = static_cast<uint64_t>(stmt.int64(1));
    e.origin_file_ident = static_cast<uint64_t>(stmt.int64(2));
    e.client_version = static_cast<uint64_t>(stmt.int64(3));
    e.base_server_version = static_cast<uint64_t>(stmt.int64(4));
    e.origin_timestamp = static_cast<uint64_t>(stmt.int64(5));
    e.changeset = stmt.blob(6);
    e.cumulative_size = static_cast<uint64_t>(stmt.int64(7));
    if (!out.empty() && bytes + e.changeset.size() > limit_bytes) break;
    bytes += e.changeset.size();
    out.push_back(std::move(e));
  }
  return out;
}

Result<Integrated> RealmStore::integrate_upload(const Upload& upload) {
  auto group = integrate_group(std::span<const Upload>(&upload, 1));
  if (!group) return group.error();
  return std::move(group->front());
}

Result<std::vector<Result<Integrated>>> RealmStore::integrate_group(
    std::span<const Upload> uploads) {
  sql::Transaction tx(db_);
  if (!tx.begun()) return in_file(tx.begun().error());
  std::vector<Result<Integrated>> results;
  results.reserve(uploads.size());
  pending_keys_.clear();
  for (const Upload& upload : uploads) {
    Savepoint sp(*statements_);
    if (!sp.begun()) return in_file(sp.begun().error());
    const std::size_t keys_before = pending_keys_.size();
    auto r = integrate_one(upload);
    if (r.ok()) {
      if (auto rel = sp.release(); !rel) return in_file(rel.error());
    } else {
      pending_keys_.resize(keys_before);
    }
    // A failed upload is rolled back to its savepoint by ~Savepoint.
    results.push_back(std::move(r));
  }
  // The one durable point of the group: COMMIT syncs the WAL
  // (synchronous=FULL). The results go back only after it, because the
  // caller acknowledges them and an acknowledgement promises durability.
  if (auto r = tx.commit(); !r) return in_file(r.error());
  constexpr std::size_t kMaxKeptKeys = 16384;
  for (auto& [version, keys] : pending_keys_) {
    if (entry_keys_.size() >= kMaxKeptKeys) entry_keys_.clear();
    entry_keys_[version] = std::move(keys);
  }
  pending_keys_.clear();
  return results;
}

Result<Integrated> RealmStore::integrate_one(const Upload& upload) {
  const uint64_t x = upload.client_file_ident;
  const std::string who = "client file " + std::to_string(x);
  auto record = read_client_file(*statements_, x);
  if (!record) return in_file(record.error());
  if (!*record) {
    return sync_refusal(Errc::not_found, SyncError::bad_client_file_ident,
                        "bad client file ident: " + std::to_string(x) +
                            " was never issued for '" + file_.string() + "'");
  }
  const ClientFile& client = **record;
  if (client.expired) {
    return sync_refusal(Errc::conflict, SyncError::client_file_expired,
                        "client file expired: the history " + who + " needs was compacted");
  }
  auto entry_name = [&](const UploadEntry& e) {
    return "changeset with client version " + std::to_string(e.client_version) + " of " + who;
  };

  // Entries at or below the record's client version are integrated already
  // (the session filters them, protocol.md 3.8, but a second session of the
  // same file may have queued them too): skipped, never integrated twice.
  std::vector<const UploadEntry*> entries;
  for (const UploadEntry& e : upload.entries) {
    if (e.client_version > client.upload_client_version) entries.push_back(&e);
  }

  // Parse and check every entry first: a bad one refuses the whole upload.
  // Each carries the discriminant of merge.md 1.5 (origin 0 = X itself).
  std::vector<tf::MergeChangeset> incoming;
  incoming.reserve(entries.size());
  // What the rest of the upload may still hold, so that a flood of tiny
  // instructions is refused before it is in memory.
  std::size_t instruction_budget = limits_.max_upload_instructions;
  for (const UploadEntry* entry : entries) {
    const UploadEntry& e = *entry;
    if (e.origin_file_ident != 0) {
      return sync_refusal(Errc::invalid_argument, SyncError::bad_origin_file_ident,
                          "bad origin file ident: " + entry_name(e) + " names origin " +
                              std::to_string(e.origin_file_ident));
    }
    auto p = cs::parse(e.changeset, instruction_budget);
    if (p) instruction_budget -= p->changeset.instructions.size();
    if (!p && p.error().message.ends_with(" instructions")) {
      return sync_refusal(Errc::invalid_argument, SyncError::bad_changeset,
                          "changeset too large: " + entry_name(e) +
                              " takes the upload beyond the server's limit of " +
                              std::to_string(limits_.max_upload_instructions) +
                              " instructions per upload (sync.max_changeset_instructions)");
    }
    if (!p) {
      return sync_refusal(Errc::invalid_argument, SyncError::bad_changeset,
                          "bad changeset: " + entry_name(e) + ": " + p.error().message);
    }
    // The layout the client used matters to the merge (quirk z3).
    incoming.push_back(
        tf::MergeChangeset{std::move(p->changeset), e.origin_timestamp, x, p->layout});
  }

  // What the upload's changesets (all runs) may interact with: a history
  // entry that cannot interact with any of them is left out of the merge,
  // which would leave both sides as they are (interaction.hpp).
  tf::ChangesetKeys upload_keys;
  for (const auto& m : incoming) upload_keys.add(tf::changeset_keys(m.changeset));
  upload_keys.normalize();

  auto latest = read_latest(*statements_);
  if (!latest) return in_file(latest.error());
  // The merge window ends at the version before this upload (realm-core
  // reads it once per upload); this upload's own entries are X's anyway.
  const uint64_t current = latest->version;
  for (const UploadEntry* entry : entries) {
    const UploadEntry& e = *entry;
    const uint64_t base = e.last_integrated_server_version;
    if (base > current || base < client.upload_server_version) {
      return sync_refusal(Errc::invalid_argument, SyncError::bad_server_version,
                          "bad server version: " + entry_name(e) + " is based on server version " +
                              std::to_string(base) + ", outside " +
                              std::to_string(client.upload_server_version) + ".." +
                              std::to_string(current));
    }
  }

  // The history side, X's view of the entries after the lowest base met so
  // far, oldest first, transformed in place run after run (merge.md 3.3:
  // a later run is merged against what the earlier runs left).
  std::vector<tf::MergeChangeset> history;
  std::vector<uint64_t> versions;
  std::vector<std::string> loaded;  // the bytes each was parsed from
  uint64_t loaded_after = current;
  for (std::size_t i = 0; i < incoming.size();) {
    const uint64_t base = entries[i]->last_integrated_server_version;
    std::size_t end = i + 1;
    while (end < incoming.size() && entries[end]->last_integrated_server_version == base) {
      ++end;
    }
    if (base < loaded_after) {
      auto window = merge_window(*statements_, x, base, loaded_after);
      if (!window) return in_file(window.error());
      std::vector<tf::MergeChangeset> older;
      for (WindowEntry& w : *window) {
        // A reciprocal form's keys are within its main entry's (rules
        // never move an instruction to another object), but are not kept.
        if (!w.reciprocal) {
          auto known = entry_keys_.find(w.version);
          if (known != entry_keys_.end() && !tf::may_interact(known->second, upload_keys)) {
            continue;
          }
        }
        auto p = cs::parse(w.changeset);
        if (!p) {
          return in_file(make_error(Errc::internal,
                                    "history entry " + std::to_string(w.version) + " (as " + who +
                                        " sees it) is unreadable: " + p.error().message));
        }
        auto keys = tf::changeset_keys(p->changeset);
        const bool needed = tf::may_interact(keys, upload_keys);
        if (!w.reciprocal && !entry_keys_.contains(w.version)) {
          pending_keys_.emplace_back(w.version, std::move(keys));
        }
        if (!needed) continue;
        const uint64_t origin = w.origin_file_ident == 0 ? kServerFileIdent : w.origin_file_ident;
        older.push_back(
            tf::MergeChangeset{std::move(p->changeset), w.origin_timestamp, origin, p->layout});
        versions.insert(versions.begin() + static_cast<std::ptrdiff_t>(older.size() - 1),
                        w.version);
        loaded.insert(loaded.begin() + static_cast<std::ptrdiff_t>(older.size() - 1),
                      std::move(w.changeset));
      }
      history.insert(history.begin(), std::make_move_iterator(older.begin()),
                     std::make_move_iterator(older.end()));
      loaded_after = base;
    }
    const auto first = static_cast<std::size_t>(
        std::upper_bound(versions.begin(), versions.end(), base) - versions.begin());
    if (first < history.size()) {
      // The merge compares each pair; refuse before starting what would
      // hold the Realm's strand for minutes.
      std::uint64_t older_count = 0;
      std::uint64_t run_count = 0;
      for (std::size_t k = first; k < history.size(); ++k) {
        older_count += history[k].changeset.instructions.size();
      }
      for (std::size_t k = i; k < end; ++k) run_count += incoming[k].changeset.instructions.size();
      if (run_count != 0 && older_count > limits_.max_merge_work / run_count) {
        return sync_refusal(Errc::invalid_argument, SyncError::bad_changeset,
                            "upload too costly to merge: " + entry_name(*entries[i]) +
                                " and the changesets with the same base carry " +
                                std::to_string(run_count) + " instructions against " +
                                std::to_string(older_count) +
                                " in the history since server version " +
                                std::to_string(base) + ", beyond the server's limit of " +
                                std::to_string(limits_.max_merge_work) +
                                " (sync.max_merge_work); upload smaller changesets more often");
      }
      auto r = tf::merge(std::span(history).subspan(first),
                         std::span(incoming).subspan(i, end - i));
      if (!r) {
        if (r.error().code != Errc::invalid_argument) return in_file(r.error());
        return sync_refusal(Errc::invalid_argument, SyncError::bad_changeset,
                            "bad changeset: " + entry_name(*entries[i]) +
                                " cannot be merged with the history: " + r.error().message);
      }
    }
    i = end;
  }

  // X's reciprocal forms that the merge changed. Every stored form is a
  // hoisted encoding, so equal bytes mean an unchanged changeset; one the
  // merge never marked modified is unchanged without encoding it again.
  for (std::size_t k = 0; k < history.size(); ++k) {
    if (!history[k].modified) continue;
    auto bytes = cs::encode(history[k].changeset, cs::Layout::hoisted);
    if (!bytes) {
      return in_file(make_error(Errc::internal, "the merged form of history entry " +
                                                    std::to_string(versions[k]) + " for " + who +
                                                    " cannot be encoded: " +
                                                    bytes.error().message));
    }
    if (*bytes == loaded[k]) continue;
    if (auto r = store_reciprocal(*statements_, x, versions[k], *bytes); !r) {
      return in_file(r.error());
    }
  }

  Integrated out;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const UploadEntry& e = *entries[i];
    const cs::Changeset& merged = incoming[i].changeset;
    // Apply to the state (the applier's savepoint nests in ours).
    if (auto r = cs::apply(*state_, merged); !r) {
      if (r.error().code != Errc::invalid_argument) return in_file(r.error());
      return sync_refusal(Errc::invalid_argument, SyncError::bad_changeset,
                          entry_name(e) + ": " + r.error().message);
    }
    // Stored as integrated, hoisted: what realm-core's server stores and
    // what downloading clients receive. Merged to nothing, it is empty.
    auto bytes = cs::encode(merged, cs::Layout::hoisted);
    if (!bytes) {
      return sync_refusal(Errc::invalid_argument, SyncError::bad_changeset,
                          entry_name(e) + ": " + bytes.error().message);
    }
    auto salt = random_salt();
    if (!salt) return salt.error();
    const uint64_t version = latest->version + 1;
    const uint64_t cumulative = latest->cumulative_size + bytes->size();
    auto lease = statements_->get(
        "INSERT INTO history(version, salt, origin_file, client_version, base_server_version, "
        "origin_timestamp, changeset, cumulative_size) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!lease) return in_file(lease.error());
    sql::Statement& insert = **lease;
    insert.bind(1, static_cast<int64_t>(version))
        .bind(2, static_cast<int64_t>(*salt))
        .bind(3, static_cast<int64_t>(x))
        .bind(4, static_cast<int64_t>(e.client_version))
        .bind(5, static_cast<int64_t>(e.last_integrated_server_version))
        .bind(6, static_cast<int64_t>(e.origin_timestamp))
        .bind_blob(7, *bytes)
        .bind(8, static_cast<int64_t>(cumulative));
    if (auto r = insert.run(); !r) return in_file(r.error());
    *latest = Latest{version, *salt, cumulative};
    out.versions.push_back(version);
    pending_keys_.emplace_back(version, tf::changeset_keys(merged));
  }

  // The upload cursor moves only with the client version (merge.md 3.3);
  // a higher server version is the reciprocal history's new base.
  uint64_t client_version = client.upload_client_version;
  uint64_t rh_base = client.upload_server_version;
  if (upload.progress_client_version > client_version) {
    client_version = upload.progress_client_version;
    if (upload.progress_server_version > rh_base) {
      rh_base = upload.progress_server_version;
      if (auto r = trim_reciprocal(*statements_, x, rh_base); !r) return in_file(r.error());
    }
  }
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  auto lease = statements_->get(
      "UPDATE client_files SET upload_client_version = ?2, upload_server_version = ?3, "
      "locked_server_version = max(locked_server_version, ?4), last_seen = ?5 WHERE ident = ?1");
  if (!lease) return in_file(lease.error());
  sql::Statement& update = **lease;
  update.bind(1, static_cast<int64_t>(x))
      .bind(2, static_cast<int64_t>(client_version))
      .bind(3, static_cast<int64_t>(rh_base))
      .bind(4, static_cast<int64_t>(upload.locked_server_version))
      .bind(5, static_cast<int64_t>(now));
  if (auto r = update.run(); !r) return in_file(r.error());
  out.latest = ServerVersion{latest->version, latest->salt};
  return out;
}

}  // namespace ros::sync::store
