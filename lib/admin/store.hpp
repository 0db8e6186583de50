// AdminStore: the admin database <root>/admin.db (design.md, "Data directory"):
// users, their identities, password hashes, the admin flag, and revoked
// refresh tokens.
//
// Storage: SQLite in WAL mode, synchronous=FULL (a change is durable when its
// method returns), foreign keys on, busy timeout 5 s (other processes may
// open the same file). The schema has a version (PRAGMA user_version); open()
// applies the missing forward migrations in one transaction, and refuses a
// file whose version is newer than this program knows.
//
// Users: an id of 32 random lowercase hex characters, an admin flag, a
// creation time, and identities (provider, provider_id), unique per pair. A
// password user has the identity ("password", <username>); usernames are
// case-sensitive, 1-128 characters of UTF-8 without control characters and
// without leading or trailing spaces. Passwords are 1-1024 bytes.
//
// Methods that take `user` accept a user id or a username; an id is tried
// first. Every error carries a message that can be shown to a user as is,
// e.g. "user 'alice' already exists", "no user 'bob'".
//
// Not errors: revoking a token twice (the later expiry wins); purging when
// nothing has expired; set_admin to the current value.
//
// Thread safety: one connection, guarded by `mutex_`; every public method may
// be called from any thread. Password hashing (about 50 ms, password.hpp)
// runs outside the mutex, so logins do not serialise other requests.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admin/sqlite.hpp"
#include "common/result.hpp"

namespace ros::admin {

// The provider of username/password identities.
inline constexpr std::string_view kPasswordProvider = "password";

// The schema version this program writes (see the migrations in store.cpp).
inline constexpr int kSchemaVersion = 1;

struct Identity {
  std::string provider;     // "password", "google", "custom/<name>", ...
  std::string provider_id;  // the username for "password"
  bool operator==(const Identity&) const = default;
};

struct User {
  std::string id;  // 32 lowercase hex characters, random
  bool is_admin = false;
  std::int64_t created_at = 0;  // Unix seconds
  std::vector<Identity> identities;  // ordered by provider, then provider_id

  // The provider_id of the "password" identity, if the user has one.
  std::optional<std::string> username() const;
};

// Input checks used by the store, exposed for callers that validate early.
// Errc::invalid_argument with the message the store would give.
Result<void> validate_username(std::string_view username);
Result<void> validate_password(std::string_view password);

class AdminStore {
 public:
  // Opens (creating if needed) the database file; its directory must exist.
  // Errors: Errc::unavailable when the file cannot be opened or is not a
  // database, Errc::conflict for a schema version newer than kSchemaVersion.
  static Result<std::unique_ptr<AdminStore>> open(const std::filesystem::path& db_file);

  AdminStore(const AdminStore&) = delete;
  AdminStore& operator=(const AdminStore&) = delete;

  // A new user with the identity ("password", username).
  // already_exists: "user 'alice' already exists" (also when `username` is
  // another user's id, which would shadow it in find_user()).
  Result<User> create_password_user(std::string_view username, std::string_view password,
                                    bool is_admin);

  // The user when the password matches. An unknown user, a user without a
  // password, and a wrong password all give permission_denied "invalid
  // username or password", in the same time.
  Result<User> check_password(std::string_view username, std::string_view password);

  // not_found: "no user 'x'".
  Result<User> find_user(std::string_view id_or_username);

  // Every user, oldest first.
  Result<std::vector<User>> list_users();

  // Removes the user with its identities. not_found: "no user 'x'".
  Result<void> remove_user(std::string_view user);

  // Replaces the password. not_found; conflict "user 'x' has no password
  // login" for a user created by another provider.
  Result<void> set_password(std::string_view user, std::string_view password);

  // Grants (true) or revokes (false) admin. not_found.
  Result<void> set_admin(std::string_view user, bool is_admin);

  // The user holding (provider, provider_id), created (non-admin) if none
  // does. provider and provider_id: non-empty, at most 256 bytes, no control
  // characters; "password" is refused here (use create_password_user).
  Result<User> find_or_create_identity(std::string_view provider, std::string_view provider_id);

  // Records that the refresh token `token` (its full text) is revoked until
  // `expires_at` (Unix seconds, the token's own expiry); only its SHA-256 is
  // stored.
  Result<void> revoke_refresh_token(std::string_view token, std::int64_t expires_at);

  // True when `token` was revoked and the revocation has not been purged.
  Result<bool> is_refresh_token_revoked(std::string_view token);

  // Drops revocations whose expires_at < now (the tokens are expired anyway);
  // returns how many were dropped.
  Result<std::int64_t> purge_expired_revocations(std::int64_t now);

  // The schema version of the open file (kSchemaVersion after open()).
  Result<int> schema_version();

 private:
  explicit AdminStore(sql::Db db) : db_(std::move(db)) {}

  // REQUIRES: mutex_ held.
  Result<std::optional<User>> load_user_locked(std::string_view id);
  Result<std::optional<std::string>> resolve_locked(std::string_view id_or_username);
  Result<std::string> require_user_locked(std::string_view id_or_username);

  std::mutex mutex_;
  sql::Db db_;  // GUARDED_BY(mutex_)
};

}  // namespace ros::admin
