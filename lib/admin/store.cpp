#include "admin/store.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>
#include <set>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "admin/password.hpp"
#include "storage/realm_path.hpp"

namespace ros::admin {
namespace {

// Forward migrations: migration i takes the schema from version i to i + 1.
// Append only; never edit a released entry. Each runs in the transaction of
// open(), together with the user_version update.
struct Migration {
  std::vector<const char*> statements;
};

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> list = {
      // 0 -> 1: users, identities, password hashes, admin flag, refresh-token revocations.
      {{
          "CREATE TABLE users ("
          "  id TEXT PRIMARY KEY NOT NULL,"
          "  is_admin INTEGER NOT NULL DEFAULT 0,"
          "  created_at INTEGER NOT NULL,"
          "  password_hash TEXT"  // NULL: no password login
          ")",
          "CREATE TABLE identities ("
          "  provider TEXT NOT NULL,"
          "  provider_id TEXT NOT NULL,"
          "  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
          "  PRIMARY KEY (provider, provider_id)"
          ")",
          "CREATE INDEX identities_by_user ON identities(user_id)",
          "CREATE TABLE revoked_refresh_tokens ("
          "  token_sha256 TEXT PRIMARY KEY NOT NULL,"  // lowercase hex
          "  expires_at INTEGER NOT NULL"
          ")",
          "CREATE INDEX revoked_refresh_tokens_by_expiry ON revoked_refresh_tokens(expires_at)",
      }},
      // 1 -> 2: permissions (per user and per Realm default) and offers.
      {{
          // grantee: a user id, or '*' for the Realm's default. user_id is
          // the same id (NULL for '*'), so that removing the user removes the
          // row while '*' rows stay. A row always grants something.
          "CREATE TABLE permissions ("
          "  realm_path TEXT NOT NULL,"
          "  grantee TEXT NOT NULL,"
          "  user_id TEXT REFERENCES users(id) ON DELETE CASCADE,"
          "  may_read INTEGER NOT NULL,"
          "  may_write INTEGER NOT NULL,"
          "  may_manage INTEGER NOT NULL,"
          "  PRIMARY KEY (realm_path, grantee),"
          "  CHECK ((grantee = '*' AND user_id IS NULL) OR grantee = user_id),"
          "  CHECK (may_read IN (0, 1) AND may_write IN (0, 1) AND may_manage IN (0, 1)),"
          "  CHECK (may_read = 1 OR (may_write = 0 AND may_manage = 0)),"
          "  CHECK (may_read + may_write + may_manage > 0)"
          ") WITHOUT ROWID",
          "CREATE INDEX permissions_by_user ON permissions(user_id)",
          "CREATE INDEX permissions_by_grantee ON permissions(grantee, realm_path)",
          "CREATE TABLE offers ("
          "  token TEXT PRIMARY KEY NOT NULL,"  // 32 lowercase hex
          "  realm_path TEXT NOT NULL,"
          "  may_read INTEGER NOT NULL,"
          "  may_write INTEGER NOT NULL,"
          "  may_manage INTEGER NOT NULL,"
          "  created_by TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
          "  created_at INTEGER NOT NULL,"
          "  expires_at INTEGER,"  // NULL: never
          "  revoked INTEGER NOT NULL DEFAULT 0,"
          "  CHECK (may_read = 1 AND may_write IN (0, 1) AND may_manage IN (0, 1))"
          ")",
          "CREATE INDEX offers_by_creator ON offers(created_by)",
      }},
      // 2 -> 3: App Services (issue 13): refresh sessions, API keys, pending
      // local-userpass registrations and their confirmation/reset tokens.
      {{
          // One row per App refresh token (its "session" claim); deleting the
          // row revokes the token. Removing the user removes its sessions.
          "CREATE TABLE app_sessions ("
          "  id TEXT PRIMARY KEY NOT NULL,"  // 32 lowercase hex
          "  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
          "  app_id TEXT NOT NULL,"
          "  created_at INTEGER NOT NULL,"
          "  expires_at INTEGER NOT NULL"
          ")",
          "CREATE INDEX app_sessions_by_user ON app_sessions(user_id)",
          "CREATE INDEX app_sessions_by_expiry ON app_sessions(expires_at)",
          // Only the SHA-256 of a key's secret is kept.
          "CREATE TABLE api_keys ("
          "  id TEXT PRIMARY KEY NOT NULL,"  // 24 lowercase hex
          "  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
          "  name TEXT NOT NULL,"
          "  key_sha256 TEXT NOT NULL UNIQUE,"
          "  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),"
          "  created_at INTEGER NOT NULL,"
          "  UNIQUE (user_id, name)"
          ")",
          // A local-userpass registration (App Services' model): the user is
          // created at its first login, or the identity is linked to an
          // existing user, once the registration is confirmed.
          "CREATE TABLE registrations ("
          "  username TEXT PRIMARY KEY NOT NULL,"
          "  password_hash TEXT NOT NULL,"
          "  confirmed INTEGER NOT NULL CHECK (confirmed IN (0, 1)),"
          "  created_at INTEGER NOT NULL"
          ")",
          // Confirmation and password-reset tokens; the token itself is
          // handed out once, only its SHA-256 is kept.
          "CREATE TABLE userpass_tokens ("
          "  token_id TEXT PRIMARY KEY NOT NULL,"  // 24 lowercase hex
          "  token_sha256 TEXT NOT NULL,"
          "  purpose TEXT NOT NULL CHECK (purpose IN ('confirm', 'reset')),"
          "  username TEXT NOT NULL,"
          "  expires_at INTEGER NOT NULL"
          ")",
          "CREATE INDEX userpass_tokens_by_username ON userpass_tokens(username)",
          // Profile data (a JSON object) from the user's identity provider.
          "CREATE TABLE user_metadata ("
          "  user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
          "  data TEXT NOT NULL"
          ")",
      }},
      // 3 -> 4 (issue 14): a user's tokens issued before its last password
      // change grant nothing; the ids of removed users are remembered, so
      // that their tokens grant nothing either; the valid admin tokens.
      {{
          "ALTER TABLE users ADD COLUMN tokens_valid_after INTEGER NOT NULL DEFAULT 0",
          "CREATE TABLE removed_users ("
          "  id TEXT PRIMARY KEY NOT NULL,"
          "  removed_at INTEGER NOT NULL"
          ") WITHOUT ROWID",
          "CREATE TABLE admin_tokens ("
          "  token_id TEXT PRIMARY KEY NOT NULL,"
          "  expires_at INTEGER NOT NULL"
          ") WITHOUT ROWID",
      }},
  };
  static_assert(kSchemaVersion == 4, "add a migration with the new version");
  return list;
}

constexpr std::string_view kInvalidLogin = "invalid username or password";
constexpr std::size_t kMaxUsernameChars = 128;
constexpr std::size_t kMaxPasswordBytes = 1024;
constexpr std::size_t kMaxProviderBytes = 256;

// A value for a message: quoted, control characters escaped, long values cut.
std::string quote(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'";
  std::size_t n = 0;
  for (char c : s) {
    if (++n > 160) {
      out += "...";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string hex(const unsigned char* data, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 15];
  }
  return out;
}

bool looks_like_id(std::string_view s) {
  if (s.size() != 32) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<std::string> random_hex_id(const char* what) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    ERR_clear_error();
    return make_error(Errc::internal, std::string("cannot get random bytes for ") + what);
  }
  return hex(bytes, sizeof bytes);
}

Result<std::string> new_user_id() { return random_hex_id("a user id"); }

// "2026-11-26T14:00:00Z".
std::string iso_time(std::int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return std::to_string(seconds);
  char buffer[32];
  std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return n ? std::string(buffer, n) : std::to_string(seconds);
}

// A resolved Realm path, validated again: resolve_realm_path without a user
// refuses "~", so a valid path resolves to itself.
Result<std::string> check_path(std::string_view path) {
  return storage::resolve_realm_path(path, "");
}

std::int64_t flag(bool b) { return b ? 1 : 0; }

Result<std::string> token_digest(std::string_view token) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(token.data(), token.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    ERR_clear_error();
    return make_error(Errc::internal, "cannot hash a token (SHA-256 failed)");
  }
  return hex(digest, length);
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The code points of valid UTF-8 `s` (no overlongs, surrogates or values past
// U+10FFFF), calling `each` for each; false on invalid UTF-8.
template <class F>
bool for_each_code_point(std::string_view s, F each) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    std::uint32_t cp;
    std::size_t len;
    if (b < 0x80) {
      cp = b, len = 1;
    } else if ((b & 0xe0) == 0xc0) {
      cp = b & 0x1f, len = 2;
    } else if ((b & 0xf0) == 0xe0) {
      cp = b & 0x0f, len = 3;
    } else if ((b & 0xf8) == 0xf0) {
      cp = b & 0x07, len = 4;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3f);
    }
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    each(cp);
    i += len;
  }
  return true;
}

bool is_control(std::uint32_t cp) { return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f); }

// Checks a provider or provider id.
Result<void> validate_identity_part(std::string_view value, const char* what) {
  std::string name(what);
  if (value.empty()) return make_error(Errc::invalid_argument, name + " must not be empty");
  if (value.size() > kMaxProviderBytes) {
    return make_error(Errc::invalid_argument,
                      name + " must be at most " + std::to_string(kMaxProviderBytes) + " bytes");
  }
  bool control = false;
  if (!for_each_code_point(value, [&](std::uint32_t cp) { control = control || is_control(cp); })) {
    return make_error(Errc::invalid_argument, name + " must be valid UTF-8");
  }
  if (control) {
    return make_error(Errc::invalid_argument, name + " must not contain control characters");
  }
  return {};
}

Error not_found(std::string_view user) {
  return make_error(Errc::not_found, "no user " + quote(user));
}

Error in_file(const std::filesystem::path& file, const Error& e) {
  return make_error(e.code, "admin database '" + file.string() + "': " + e.message);
}

}  // namespace

std::optional<std::string> User::username() const {
  for (const auto& identity : identities) {
    if (identity.provider == kPasswordProvider) return identity.provider_id;
  }
  return std::nullopt;
}

Result<void> validate_username(std::string_view username) {
  if (username.empty()) return make_error(Errc::invalid_argument, "username must not be empty");
  std::size_t chars = 0;
  bool control = false;
  if (!for_each_code_point(username, [&](std::uint32_t cp) {
        ++chars;
        control = control || is_control(cp);
      })) {
    return make_error(Errc::invalid_argument, "username must be valid UTF-8");
  }
  if (chars > kMaxUsernameChars) {
    return make_error(Errc::invalid_argument, "username must be at most " +
                                                  std::to_string(kMaxUsernameChars) +
                                                  " characters");
  }
  if (control) {
    return make_error(Errc::invalid_argument, "username must not contain control characters");
  }
  if (username.front() == ' ' || username.back() == ' ') {
    return make_error(Errc::invalid_argument, "username must not begin or end with a space");
  }
  if (username == kDefaultGrantee) {
    return make_error(Errc::invalid_argument,
                      "username must not be '*' (it names a Realm's default permissions)");
  }
  return {};
}

Result<void> validate_password(std::string_view password) {
  if (password.empty()) return make_error(Errc::invalid_argument, "password must not be empty");
  if (password.size() > kMaxPasswordBytes) {
    return make_error(Errc::invalid_argument, "password must be at most " +
                                                  std::to_string(kMaxPasswordBytes) + " bytes");
  }
  return {};
}

Result<std::unique_ptr<AdminStore>> AdminStore::open(const std::filesystem::path& db_file) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(db_file.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  sql::Db db(raw);
  if (rc != SQLITE_OK) {
    return make_error(Errc::unavailable, "cannot open admin database '" + db_file.string() +
                                             "': " +
                                             (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, 5000);

  // journal_mode answers with the mode in effect; it is the first read of
  // the file, so "file is not a database" shows up here, in SQLite's words.
  auto mode = sql::query_text(raw, "PRAGMA journal_mode=WAL");
  if (!mode) {
    return make_error(Errc::unavailable, "cannot open admin database '" + db_file.string() +
                                             "': " + sqlite3_errmsg(raw));
  }
  if (*mode != "wal") {
    return make_error(Errc::unavailable, "cannot open admin database '" + db_file.string() +
                                             "': cannot switch it to WAL mode");
  }
  for (const char* pragma : {"PRAGMA foreign_keys=ON", "PRAGMA synchronous=FULL"}) {
    if (auto r = sql::exec(raw, pragma); !r) return in_file(db_file, r.error());
  }

  // Read the version and migrate in one IMMEDIATE transaction, so that two
  // programs opening a fresh file at once migrate it once.
  sql::Transaction tx(raw);
  if (!tx.begun()) return in_file(db_file, tx.begun().error());
  auto stored = sql::query_int(raw, "PRAGMA user_version");
  if (!stored) return in_file(db_file, stored.error());
  std::int64_t version = stored->value_or(0);
  if (version > kSchemaVersion) {
    return make_error(Errc::conflict, "admin database '" + db_file.string() +
                                          "' has schema version " + std::to_string(version) +
                                          ", newer than this ros supports (" +
                                          std::to_string(kSchemaVersion) +
                                          "); upgrade ros or restore a backup");
  }
  if (version < 0) {
    return make_error(Errc::conflict, "admin database '" + db_file.string() +
                                          "' has an invalid schema version " +
                                          std::to_string(version));
  }
  const auto& list = migrations();
  for (auto v = version; v < kSchemaVersion; ++v) {
    for (const char* statement : list[static_cast<std::size_t>(v)].statements) {
      if (auto r = sql::exec(raw, statement); !r) {
        return in_file(db_file, make_error(r.error().code, "migration to schema version " +
                                                               std::to_string(v + 1) +
                                                               " failed: " + r.error().message));
      }
    }
  }
  if (version != kSchemaVersion) {
    // PRAGMA takes no bound parameter; the value is our own constant.
    if (auto r = sql::exec(raw, "PRAGMA user_version=" + std::to_string(kSchemaVersion)); !r) {
      return in_file(db_file, r.error());
    }
  }
  if (auto r = tx.commit(); !r) return in_file(db_file, r.error());
  return std::unique_ptr<AdminStore>(new AdminStore(std::move(db)));
}

Result<int> AdminStore::schema_version() {
  std::lock_guard lock(mutex_);
  auto version = sql::query_int(db_.get(), "PRAGMA user_version");
  if (!version) return version.error();
  return static_cast<int>(version->value_or(0));
}

Result<std::optional<User>> AdminStore::load_user_locked(std::string_view id) {
  auto stmt = sql::Statement::prepare(
      db_.get(), "SELECT id, is_admin, created_at, tokens_valid_after FROM users WHERE id = ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, id);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return std::optional<User>{};
  User user;
  user.id = stmt->text(0);
  user.is_admin = stmt->int64(1) != 0;
  user.created_at = stmt->int64(2);
  user.tokens_valid_after = stmt->int64(3);
  auto ids = sql::Statement::prepare(
      db_.get(),
      "SELECT provider, provider_id FROM identities WHERE user_id = ?1 "
      "ORDER BY provider, provider_id");
  if (!ids) return ids.error();
  ids->bind(1, id);
  for (;;) {
    auto more = ids->step();
    if (!more) return more.error();
    if (!*more) break;
    user.identities.push_back({ids->text(0), ids->text(1)});
  }
  return std::optional<User>(std::move(user));
}

Result<std::optional<std::string>> AdminStore::resolve_locked(std::string_view id_or_username) {
  if (looks_like_id(id_or_username)) {
    auto stmt = sql::Statement::prepare(db_.get(), "SELECT id FROM users WHERE id = ?1");
    if (!stmt) return stmt.error();
    stmt->bind(1, id_or_username);
    auto row = stmt->step();
    if (!row) return row.error();
    if (*row) return std::optional<std::string>(stmt->text(0));
  }
  auto stmt = sql::Statement::prepare(
      db_.get(), "SELECT user_id FROM identities WHERE provider = ?1 AND provider_id = ?2");
  if (!stmt) return stmt.error();
  stmt->bind(1, kPasswordProvider).bind(2, id_or_username);
  auto row = stmt->step();
  if (!row) return row.error();
  if (*row) return std::optional<std::string>(stmt->text(0));
  return std::optional<std::string>{};
}

Result<std::string> AdminStore::require_user_locked(std::string_view id_or_username) {
  auto id = resolve_locked(id_or_username);
  if (!id) return id.error();
  if (!*id) return not_found(id_or_username);
  return std::move(**id);
}

Result<User> AdminStore::create_password_user(std::string_view username, std::string_view password,
                                              bool is_admin) {
  if (auto r = validate_username(username); !r) return r.error();
  if (auto r = validate_password(password); !r) return r.error();
  auto taken = make_error(Errc::already_exists, "user " + quote(username) + " already exists");
  // Refused before hashing: otherwise registering an existing name over and
  // over costs ~50 ms of CPU each for nothing (issue 14). Checked again below,
  // in the transaction that inserts.
  if (auto exists = username_taken(username); !exists) {
    return exists.error();
  } else if (*exists) {
    return taken;
  }
  auto hash = hash_password(password);  // outside the mutex: ~50 ms
  if (!hash) return hash.error();

  std::lock_guard lock(mutex_);
  sql::Transaction tx(db_.get());
  if (!tx.begun()) return tx.begun().error();
  // A username equal to another user's id would be shadowed by that id in
  // find_user(), so it counts as taken too.
  auto existing = resolve_locked(username);
  if (!existing) return existing.error();
  if (*existing) return taken;
  auto id = new_user_id();
  if (!id) return id.error();
  auto insert_user = sql::Statement::prepare(
      db_.get(),
      "INSERT INTO users (id, is_admin, created_at, password_hash) VALUES (?1, ?2, ?3, ?4)");
  if (!insert_user) return insert_user.error();
  insert_user->bind(1, *id)
      .bind(2, std::int64_t{is_admin ? 1 : 0})
      .bind(3, now_seconds())
      .bind(4, *hash);
  if (auto r = insert_user->run(); !r) return r.error();
  auto insert_identity = sql::Statement::prepare(
      db_.get(), "INSERT INTO identities (provider, provider_id, user_id) VALUES (?1, ?2, ?3)");
  if (!insert_identity) return insert_identity.error();
  insert_identity->bind(1, kPasswordProvider).bind(2, username).bind(3, *id);
  if (auto r = insert_identity->run(); !r) {
    return r.error().code == Errc::conflict ? taken : r.error();
  }
  if (auto r = tx.commit(); !r) return r.error();
  auto user = load_user_locked(*id);
  if (!user) return user.error();
  if (!*user) return make_error(Errc::internal, "user " + quote(*id) + " vanished after creation");
  return std::move(**user);
}

Result<User> AdminStore::check_password(std::string_view username, std::string_view password) {
  auto denied = make_error(Errc::permission_denied, std::string(kInvalidLogin));
  std::optional<std::string> id, hash;
  if (validate_username(username).ok() && validate_password(password).ok()) {
    std::lock_guard lock(mutex_);
    auto stmt = sql::Statement::prepare(
        db_.get(),
        "SELECT u.id, u.password_hash FROM identities i JOIN users u ON u.id = i.user_id "
        "WHERE i.provider = ?1 AND i.provider_id = ?2");
    if (!stmt) return stmt.error();
    stmt->bind(1, kPasswordProvider).bind(2, username);
    auto row = stmt->step();
    if (!row) return row.error();
    if (*row && !stmt->is_null(1)) {
      id = stmt->text(0);
      hash = stmt->text(1);
    }
  }
  // Outside the mutex. Unknown users cost the same as known ones.
  if (!hash) {
    burn_password_check(password.substr(0, kMaxPasswordBytes));
    return denied;
  }
  if (!verify_password(password, *hash)) return denied;

  std::lock_guard lock(mutex_);
  auto user = load_user_locked(*id);
  if (!user) return user.error();
  if (!*user) return denied;  // removed meanwhile
  return std::move(**user);
}

Result<User> AdminStore::find_user(std::string_view id_or_username) {
  std::lock_guard lock(mutex_);
  auto id = require_user_locked(id_or_username);
  if (!id) return id.error();
  auto user = load_user_locked(*id);
  if (!user) return user.error();
  if (!*user) return not_found(id_or_username);
  return std::move(**user);
}

Result<std::vector<User>> AdminStore::list_users() {
  std::lock_guard lock(mutex_);
  auto stmt = sql::Statement::prepare(
      db_.get(),
      "SELECT id, is_admin, created_at, tokens_valid_after FROM users ORDER BY created_at, id");
  if (!stmt) return stmt.error();
  std::vector<User> users;
  std::map<std::string, std::size_t, std::less<>> index;
  for (;;) {
    auto more = stmt->step();
    if (!more) return more.error();
    if (!*more) break;
    User user;
    user.id = stmt->text(0);
    user.is_admin = stmt->int64(1) != 0;
    user.created_at = stmt->int64(2);
    user.tokens_valid_after = stmt->int64(3);
    index[user.id] = users.size();
    users.push_back(std::move(user));
  }
  auto ids = sql::Statement::prepare(
      db_.get(), "SELECT user_id, provider, provider_id FROM identities "
                 "ORDER BY provider, provider_id");
  if (!ids) return ids.error();
  for (;;) {
    auto more = ids->step();
    if (!more) return more.error();
    if (!*more) break;
    auto it = index.find(ids->text(0));
    if (it != index.end()) users[it->second].identities.push_back({ids->text(1), ids->text(2)});
  }
  return users;
}

Result<void> AdminStore::remove_user(std::string_view user) {
  std::lock_guard lock(mutex_);
  sql::Transaction tx(db_.get());
  if (!tx.begun()) return tx.begun().error();
  auto id = require_user_locked(user);
  if (!id) return id.error();
  auto stmt = sql::Statement::prepare(db_.get(), "DELETE FROM users WHERE id = ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, *id);
  if (auto r = stmt->run(); !r) return r.error();
  if (sqlite3_changes(db_.get()) != 1) return not_found(user);
  // In the same transaction: there is no moment when the id is neither a
  // user nor known as removed (its tokens would then count as a stranger's).
  auto remember = sql::Statement::prepare(
      db_.get(), "INSERT OR REPLACE INTO removed_users (id, removed_at) VALUES (?1, ?2)");
  if (!remember) return remember.error();
  remember->bind(1, *id).bind(2, now_seconds());
  if (auto r = remember->run(); !r) return r.error();
  return tx.commit();
}

Result<bool> AdminStore::username_taken(std::string_view username) {
  std::lock_guard lock(mutex_);
  auto existing = resolve_locked(username);
  if (!existing) return existing.error();
  return existing->has_value();
}

Result<void> AdminStore::invalidate_tokens(std::string_view user) {
  std::lock_guard lock(mutex_);
  auto id = require_user_locked(user);
  if (!id) return id.error();
  return invalidate_tokens_locked(*id);
}

Result<void> AdminStore::invalidate_tokens_locked(const std::string& id) {
  // The next second: a token issued in this second may predate the change.
  auto stmt = sql::Statement::prepare(
      db_.get(), "UPDATE users SET tokens_valid_after = max(tokens_valid_after, ?1) WHERE id = ?2");
  if (!stmt) return stmt.error();
  stmt->bind(1, now_seconds() + 1).bind(2, id);
  if (auto r = stmt->run(); !r) return r.error();
  if (sqlite3_changes(db_.get()) != 1) return not_found(id);
  return {};
}

std::int64_t AdminStore::issue_time(const User& user, std::int64_t now) {
  return std::max(now, user.tokens_valid_after);
}

Result<TokenSubject> AdminStore::token_subject(std::string_view identity,
                                               std::optional<std::int64_t> issued_at) {
  std::lock_guard lock(mutex_);
  TokenSubject subject;
  auto user = load_user_locked(identity);
  if (!user) return user.error();
  if (*user) {
    subject.state = issued_at.value_or(0) >= (*user)->tokens_valid_after ? SubjectState::active
                                                                           : SubjectState::superseded;
    subject.user = std::move(**user);
    return subject;
  }
  auto removed = sql::Statement::prepare(db_.get(), "SELECT 1 FROM removed_users WHERE id = ?1");
  if (!removed) return removed.error();
  removed->bind(1, identity);
  auto row = removed->step();
  if (!row) return row.error();
  subject.state = *row ? SubjectState::removed : SubjectState::unknown;
  return subject;
}

Result<void> AdminStore::set_password(std::string_view user, std::string_view password) {
  if (auto r = validate_password(password); !r) return r.error();
  std::string id;
  {
    std::lock_guard lock(mutex_);
    auto found = require_user_locked(user);
    if (!found) return found.error();
    auto loaded = load_user_locked(*found);
    if (!loaded) return loaded.error();
    if (!*loaded) return not_found(user);
    if (!(*loaded)->username()) {
      return make_error(Errc::conflict, "user " + quote(user) + " has no password login");
    }
    id = std::move(*found);
  }
  auto hash = hash_password(password);  // outside the mutex: ~50 ms
  if (!hash) return hash.error();
  std::lock_guard lock(mutex_);
  sql::Transaction tx(db_.get());
  if (!tx.begun()) return tx.begun().error();
  auto stmt = sql::Statement::prepare(db_.get(), "UPDATE users SET password_hash = ?1 WHERE id = ?2");
  if (!stmt) return stmt.error();
  stmt->bind(1, *hash).bind(2, id);
  if (auto r = stmt->run(); !r) return r.error();
  if (sqlite3_changes(db_.get()) != 1) return not_found(user);
  // A new password signs the user out everywhere: whoever had the old one
  // may hold tokens made with it.
  if (auto r = invalidate_tokens_locked(id); !r) return r.error();
  return tx.commit();
}

Result<void> AdminStore::set_admin(std::string_view user, bool is_admin) {
  std::lock_guard lock(mutex_);
  auto id = require_user_locked(user);
  if (!id) return id.error();
  auto stmt = sql::Statement::prepare(db_.get(), "UPDATE users SET is_admin = ?1 WHERE id = ?2");
  if (!stmt) return stmt.error();
  stmt->bind(1, std::int64_t{is_admin ? 1 : 0}).bind(2, *id);
  if (auto r = stmt->run(); !r) return r.error();
  if (sqlite3_changes(db_.get()) != 1) return not_found(user);
  return {};
}

Result<User> AdminStore::find_or_create_identity(std::string_view provider,
                                                 std::string_view provider_id) {
  if (auto r = validate_identity_part(provider, "identity provider"); !r) return r.error();
  if (auto r = validate_identity_part(provider_id, "provider id"); !r) return r.error();
  if (provider == kPasswordProvider) {
    return make_error(Errc::invalid_argument,
                      "password identities are created with a username and a password");
  }
  std::lock_guard lock(mutex_);
  sql::Transaction tx(db_.get());
  if (!tx.begun()) return tx.begun().error();
  std::string id;
  auto stmt = sql::Statement::prepare(
      db_.get(), "SELECT user_id FROM identities WHERE provider = ?1 AND provider_id = ?2");
  if (!stmt) return stmt.error();
  stmt->bind(1, provider).bind(2, provider_id);
  auto row = stmt->step();
  if (!row) return row.error();
  if (*row) {
    id = stmt->text(0);
  } else {
    auto new_id = new_user_id();
    if (!new_id) return new_id.error();
    id = std::move(*new_id);
    auto insert_user = sql::Statement::prepare(
        db_.get(), "INSERT INTO users (id, is_admin, created_at) VALUES (?1, 0, ?2)");
    if (!insert_user) return insert_user.error();
    insert_user->bind(1, id).bind(2, now_seconds());
    if (auto r = insert_user->run(); !r) return r.error();
    auto insert_identity = sql::Statement::prepare(
        db_.get(), "INSERT INTO identities (provider, provider_id, user_id) VALUES (?1, ?2, ?3)");
    if (!insert_identity) return insert_identity.error();
    insert_identity->bind(1, provider).bind(2, provider_id).bind(3, id);
    if (auto r = insert_identity->run(); !r) return r.error();
    if (auto r = tx.commit(); !r) return r.error();
  }
  auto user = load_user_locked(id);
  if (!user) return user.error();
  if (!*user) return make_error(Errc::internal, "user " + quote(id) + " vanished");
  return std::move(**user);
}

Result<void> AdminStore::revoke_refresh_token(std::string_view token, std::int64_t expires_at) {
  auto digest = token_digest(token);
  if (!digest) return digest.error();
  std::lock_guard lock(mutex_);
  auto stmt = sql::Statement::prepare(
      db_.get(),
      "INSERT INTO revoked_refresh_tokens (token_sha256, expires_at) VALUES (?1, ?2) "
      "ON CONFLICT (token_sha256) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)");
  if (!stmt) return stmt.error();
  stmt->bind(1, *digest).bind(2, expires_at);
  return stmt->run();
}

Result<bool> AdminStore::is_refresh_token_revoked(std::string_view token) {
  auto digest = token_digest(token);
  if (!digest) return digest.error();
  std::lock_guard lock(mutex_);
  auto stmt = sql::Statement::prepare(
      db_.get(), "SELECT 1 FROM revoked_refresh_tokens WHERE token_sha256 = ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, *digest);
  return stmt->step();
}

Result<std::int64_t> AdminStore::purge_expired_revocations(std::int64_t now) {
  std::lock_guard lock(mutex_);
  auto stmt = sql::Statement::prepare(
      db_.get(), "DELETE FROM revoked_refresh_tokens WHERE expires_at < ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, now);
  if (auto r = stmt->run(); !r) return r.error();
  auto dropped = static_cast<std::int64_t>(sqlite3_changes64(db_.get()));
  auto admin = sql::Statement::prepare(db_.get(), "DELETE FROM admin_tokens WHERE expires_at < ?1");
  if (!admin) return admin.error();
  admin->bind(1, now);
  if (auto r = admin->run(); !r) return r.error();
  return dropped;
}

Result<void> AdminStore::add_admin_token(std::string_view token_id, std::int64_t expires_at,
                                         bool revoke_others) {
  std::lock_guard lock(mutex_);
  sql::Transaction tx(db_.get());
  if (!tx.begun()) return tx.begun().error();
  if (revoke_others) {
    if (auto r = sql::exec(db_.get(), "DELETE FROM admin_tokens"); !r) return r.error();
  }
  auto stmt = sql::Statement::prepare(
      db_.get(), "INSERT OR REPLACE INTO admin_tokens (token_id, expires_at) VALUES (?1, ?2)");
  if (!stmt) return stmt.error();
  stmt->bind(1, token_id).bind(2, expires_at);
  if (auto r = stmt->run(); !r) return r.error();
  return tx.commit();
}

Result<bool> AdminStore::is_admin_token(std::string_view token_id, std::int64_t now) {
  std::lock_guard lock(mutex_);
  auto stmt = sql::Statement::prepare(
      db_.get(), "SELECT 1 FROM admin_tokens WHERE token_id = ?1 AND expires_at >= ?2");
  if (!stmt) return stmt.error();
  stmt->bind(1, token_id).bind(2, now);
  return stmt->step();
}

// --- Permissions -------------------------------------------------------------

Result<std::string> AdminStore::require_grantee_locked(std::string_view user) {
  if (user == kDefaultGrantee) return std::string(kDefaultGrantee);
  return require_user_locked(user);
}

Result<std::optional<Rights>> AdminStore::stored_rights_locked(std::string_view path,
                                                               std::string_view grantee) {
  auto stmt = sql::Statement::prepare(
      db_.get(),
      "SELECT may_read, may_write, may_manage FROM permissions "
      "WHERE realm_path = ?1 AND grantee = ?2");
  if (!stmt) return stmt.error();
  stmt->bind(1, path).bind(2, grantee);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return std::optional<Rights>{};
  return std::optional<Rights>(Rights{stmt->int64(0) != 0, stmt->int64(1) != 0,
                                      stmt->int64(2) != 0});
}

Result<Rights> AdminStore::rights_of_locked(const User& user, std::string_view path) {
  auto own = stored_rights_locked(path, user.id);
  if (!own) return own.error();
  auto fallback = stored_rights_locked(path, kDefaultGrantee);
  if (!fallback) return fallback.error();
  return effective_rights(user, path, *own, *fallback);
}

Result<void> AdminStore::store_rights_locked(std::string_view path, std::string_view grantee,
                                             Rights rights) {
  if (rights.none()) {
    auto stmt = sql::Statement::prepare(
        db_.get(), "DELETE FROM permissions WHERE realm_path = ?1 AND grantee = ?2");
    if (!stmt) return stmt.error();
    stmt->bind(1, path).bind(2, grantee);
    return stmt->run();
  }
  auto stmt = sql::Statement::prepare(
      db_.get(),
      "INSERT INTO permissions (realm_path, grantee, user_id, may_read, may_write, may_manage) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
      "ON CONFLICT (realm_path, grantee) DO UPDATE SET may_read = excluded.may_read, "
      "may_write = excluded.may_write, may_manage = excluded.may_manage");
  if (!stmt) return stmt.error();
  stmt->bind(1, path).bind(2, grantee);
  if (grantee == kDefaultGrantee) {
    stmt->bind_null(3);
  } else {
    stmt->bind(3, grantee);
  }
  stmt->bind(4, flag(rights.read)).bind(5, flag(rights.write)).bind(6, flag(rights.manage));
  return stmt->run();
}

Result<PermissionEntry> AdminStore::entry_locked(std::string path, std::string grantee,
                                                 Rights rights) {
  PermissionEntry entry{std::move(path), std::move(grantee), std::nullopt, rights};
  if (entry.user_id != kDefaultGrantee) {
    auto user = load_user_locked(entry.user_id);
    if (!user) return user.error();
    if (*user) entry.username = (*user)->username();
  }
  return entry;
}

Result<PermissionEntry> AdminStore::change_locked(std::string_view path, std::string_view grantee,
                                                  RightsChange change, bool revoke) {
  auto current = stored_rights_locked(path, grantee);
  if (!current) return current.error();
  Rights before = current->value_or(Rights{});
  Rights after;
  if (revoke) {
    after = apply_revoke(before, change);
  } else {
    auto granted = apply_grant(before, change);
    if (!granted) return granted.error();
    after = *granted;
  }
  if (after != before) {  // a stored row always grants something, so none deletes it
    if (auto r = store_rights_locked(path, grantee, after); !r) return r.error();
  }
  return entry_locked(std::string(path), std::string(grantee), after);
}

Result<PermissionEntry> AdminStore::change(std::string_view path, std::string_view user,
                                           RightsChange change, bool revoke) {
  auto checked = check_path(path);
  if (!checked) return checked.error();
  std::lock_guard lock(mutex_);
  sql::Transaction tx(db_.get());
  if (!tx.begun()) return tx.begun().error();
  auto grantee = require_grantee_locked(user);
  if (!grantee) return grantee.error();
  auto entry = change_locked(*checked, *grantee, change, revoke);
  if (!entry) return entry.error();
  if (auto r = tx.commit(); !r) return r.error();
  return entry;
}

Result<Rights> AdminStore::rights_of(const User& user, std::string_view resolved_path) {
  auto checked = check_path(resolved_path);
  if (!checked) return checked.error();
  std::lock_guard lock(mutex_);
  return rights_of_locked(user, *checked);
}

Result<PermissionEntry> AdminStore::grant(std::string_view resolved_path, std::string_view user,
                                          RightsChange change) {
  return this->change(resolved_path, user, change, false);
}

Result<PermissionEntry> AdminStore::revoke(std::string_view resolved_path, std::string_view user,
                                           RightsChange change) {
  return this->change(resolved_path, user, change, true);
}

namespace {

// Reads every row of `stmt` (realm_path, grantee, username or NULL, read,
// write, manage) into entries.
Result<std::vector<PermissionEntry>> read_entries(sql::Statement& stmt) {
  std::vector<PermissionEntry> entries;
  for (;;) {
    auto more = stmt.step();
    if (!more) return more.error();
    if (!*more) break;
    PermissionEntry entry;
    entry.realm_path = stmt.text(0);
    entry.user_id = stmt.text(1);
    if (!stmt.is_null(2)) entry.username = stmt.text(2);
    entry.rights = {stmt.int64(3) != 0, stmt.int64(4) != 0, stmt.int64(5) != 0};
    entries.push_back(std::move(entry));
  }
  return entries;
}

constexpr std::string_view kEntryColumns =
    "SELECT p.realm_path, p.grantee, i.provider_id, p.may_read, p.may_write, p.may_manage "
    "FROM permissions p LEFT JOIN identities i "
    "ON i.user_id = p.user_id AND i.provider = 'password' ";

}  // namespace

Result<std::vector<PermissionEntry>> AdminStore::permissions_of_realm(
    std::string_view resolved_path) {
  auto checked = check_path(resolved_path);
  if (!checked) return checked.error();
  std::lock_guard lock(mutex_);
  auto stmt = sql::Statement::prepare(
      db_.get(), std::string(kEntryColumns) +
                     "WHERE p.realm_path = ?1 "
                     "ORDER BY p.grantee <> '*', coalesce(i.provider_id, p.grantee), p.grantee");
  if (!stmt) return stmt.error();
  stmt->bind(1, *checked);
  return read_entries(*stmt);
}

Result<std::vector<PermissionEntry>> AdminStore::permissions_of_user(std::string_view user) {
  std::lock_guard lock(mutex_);
  auto grantee = require_grantee_locked(user);
  if (!grantee) return grantee.error();
  auto stmt = sql::Statement::prepare(
      db_.get(), std::string(kEntryColumns) + "WHERE p.grantee = ?1 ORDER BY p.realm_path");
  if (!stmt) return stmt.error();
  stmt->bind(1, *grantee);
  return read_entries(*stmt);
}

Result<std::vector<PermissionEntry>> AdminStore::change_all_owned(
    const User& changer, std::string_view user, RightsChange change, bool revoke,
    const std::vector<std::string>& known) {
  std::set<std::string> paths;
  for (const auto& path : known) {
    auto checked = check_path(path);
    if (!checked) return checked.error();
    if (storage::realm_owner(*checked) == changer.id) paths.insert(std::move(*checked));
  }
  std::lock_guard lock(mutex_);
  sql::Transaction tx(db_.get());
  if (!tx.begun()) return tx.begun().error();
  auto grantee = require_grantee_locked(user);
  if (!grantee) return grantee.error();
  // Paths "/<id>/..." sort between "/<id>/" and "/<id>0"; realm_owner() then
  // confirms each (the id has no LIKE metacharacters, but a range is exact).
  auto stmt = sql::Statement::prepare(
      db_.get(),
      "SELECT DISTINCT realm_path FROM permissions WHERE realm_path > ?1 AND realm_path < ?2");
  if (!stmt) return stmt.error();
  stmt->bind(1, "/" + changer.id + "/").bind(2, "/" + changer.id + "0");
  for (;;) {
    auto more = stmt->step();
    if (!more) return more.error();
    if (!*more) break;
    auto path = stmt->text(0);
    if (storage::realm_owner(path) == changer.id) paths.insert(std::move(path));
  }
  std::vector<PermissionEntry> entries;
  for (const auto& path : paths) {
    auto entry = change_locked(path, *grantee, change, revoke);
    if (!entry) return entry.error();
    entries.push_back(std::move(*entry));
  }
  if (auto r = tx.commit(); !r) return r.error();
  return entries;
}

Result<std::vector<PermissionEntry>> AdminStore::grant_all_owned(
    const User& changer, std::string_view user, RightsChange change,
    const std::vector<std::string>& known_paths) {
  return change_all_owned(changer, user, change, false, known_paths);
}

Result<std::vector<PermissionEntry>> AdminStore::revoke_all_owned(
    const User& changer, std::string_view user, RightsChange change,
    const std::vector<std::string>& known_paths) {
  return change_all_owned(changer, user, change, true, known_paths);
}

// --- Offers ------------------------------------------------------------------

namespace {

Error no_offer(std::string_view token) {
  return make_error(Errc::not_found, "no offer " + quote(token));
}

constexpr std::string_view kOfferColumns =
    "SELECT token, realm_path, may_read, may_write, may_manage, created_by, created_at, "
    "expires_at, revoked FROM offers ";

Offer read_offer(const sql::Statement& stmt) {
  Offer offer;
  offer.token = stmt.text(0);
  offer.realm_path = stmt.text(1);
  offer.rights = {stmt.int64(2) != 0, stmt.int64(3) != 0, stmt.int64(4) != 0};
  offer.created_by = stmt.text(5);
  offer.created_at = stmt.int64(6);
  if (!stmt.is_null(7)) offer.expires_at = stmt.int64(7);
  offer.revoked = stmt.int64(8) != 0;
  return offer;
}

}  // namespace

Result<Offer> AdminStore::create_offer(const User& creator, std::string_view resolved_path,
                                       Rights rights, std::optional<std::int64_t> expires_at,
                                       std::int64_t now) {
  auto checked = check_path(resolved_path);
  if (!checked) return checked.error();
  if (auto r = validate_rights(rights); !r) return r.error();
  if (!rights.read) {
    return make_error(Errc::invalid_argument, "an offer must grant at least read");
  }
  if (expires_at && *expires_at <= now) {
    return make_error(Errc::invalid_argument, "the offer's expiry must be in the future");
  }
  auto token = random_hex_id("an offer token");
  if (!token) return token.error();

  std::lock_guard lock(mutex_);
  sql::Transaction tx(db_.get());
  if (!tx.begun()) return tx.begun().error();
  auto have = rights_of_locked(creator, *checked);
  if (!have) return have.error();
  if (!have->manage) {
    return make_error(Errc::permission_denied,
                      "you need manage rights on " + quote(*checked) + " to offer it");
  }
  Offer offer{std::move(*token), std::move(*checked), rights, creator.id, now, expires_at, false};
  auto stmt = sql::Statement::prepare(
      db_.get(),
      "INSERT INTO offers (token, realm_path, may_read, may_write, may_manage, created_by, "
      "created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!stmt) return stmt.error();
  stmt->bind(1, offer.token)
      .bind(2, offer.realm_path)
      .bind(3, flag(rights.read))
      .bind(4, flag(rights.write))
      .bind(5, flag(rights.manage))
      .bind(6, offer.created_by)
      .bind(7, now);
  if (expires_at) {
    stmt->bind(8, *expires_at);
  } else {
    stmt->bind_null(8);
  }
  if (auto r = stmt->run(); !r) {
    // The only foreign key: the creator's row.
    return r.error().code == Errc::conflict ? not_found(creator.id) : r.error();
  }
  if (auto r = tx.commit(); !r) return r.error();
  return offer;
}

Result<std::vector<Offer>> AdminStore::list_offers(std::optional<std::string> created_by) {
  std::lock_guard lock(mutex_);
  std::optional<std::string> creator_id;
  if (created_by) {
    auto id = require_user_locked(*created_by);
    if (!id) return id.error();
    creator_id = std::move(*id);
  }
  auto stmt = sql::Statement::prepare(
      db_.get(), std::string(kOfferColumns) +
                     "WHERE ?1 IS NULL OR created_by = ?1 ORDER BY created_at, token");
  if (!stmt) return stmt.error();
  if (creator_id) {
    stmt->bind(1, *creator_id);
  } else {
    stmt->bind_null(1);
  }
  std::vector<Offer> offers;
  for (;;) {
    auto more = stmt->step();
    if (!more) return more.error();
    if (!*more) break;
    offers.push_back(read_offer(*stmt));
  }
  return offers;
}

Result<void> AdminStore::revoke_offer(std::string_view token) {
  std::lock_guard lock(mutex_);
  auto stmt = sql::Statement::prepare(db_.get(), "UPDATE offers SET revoked = 1 WHERE token = ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, token);
  if (auto r = stmt->run(); !r) return r.error();
  if (sqlite3_changes(db_.get()) != 1) return no_offer(token);
  return {};
}

Result<PermissionEntry> AdminStore::accept_offer(std::string_view token, const User& user,
                                                 std::int64_t now) {
  std::lock_guard lock(mutex_);
  sql::Transaction tx(db_.get());
  if (!tx.begun()) return tx.begun().error();
  auto stmt = sql::Statement::prepare(db_.get(), std::string(kOfferColumns) + "WHERE token = ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, token);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return no_offer(token);
  Offer offer = read_offer(*stmt);
  if (offer.revoked) return make_error(Errc::conflict, "offer was revoked");
  if (offer.expires_at && now >= *offer.expires_at) {
    return make_error(Errc::conflict, "offer expired at " + iso_time(*offer.expires_at));
  }
  auto creator = load_user_locked(offer.created_by);
  if (!creator) return creator.error();
  bool creator_may = false;
  if (*creator) {
    auto have = rights_of_locked(**creator, offer.realm_path);
    if (!have) return have.error();
    creator_may = have->manage;
  }
  if (!creator_may) {
    return make_error(Errc::conflict, "offer is no longer valid: its creator has lost manage "
                                      "rights on " + quote(offer.realm_path));
  }
  // The accepting user must still exist (the grant's foreign key).
  auto accepter = require_user_locked(user.id);
  if (!accepter) return accepter.error();
  auto entry = change_locked(offer.realm_path, *accepter, additive_change(offer.rights), false);
  if (!entry) return entry.error();
  if (auto r = tx.commit(); !r) return r.error();
  return entry;
}

}  // namespace ros::admin
