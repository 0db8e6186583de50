// AdminStore: the admin database <root>/admin.db (design.md, "Data directory"):
// users, their identities, password hashes, the admin flag, and revoked
// refresh tokens; Realm permissions and offers.
//
// Permissions (schema version 2, issue 4; the model is in permissions.hpp):
// one row per (Realm path, grantee), the grantee a user id or "*" for the
// Realm's default. A row exists only while it grants something: a grant or
// revoke that leaves no right deletes it. Removing a user deletes the rows
// naming that user and the offers they created; "*" rows belong to no user.
// The store does not check who makes a change (authd does, with rights_of()),
// except create_offer(), whose creator must have manage rights. Offers: a
// random token that grants the offered rights to whoever accepts it, until it
// expires or is revoked.
//
// Realm paths given to the permission methods are resolved already
// (storage::resolve_realm_path, "~" expanded); the store validates them again
// and refuses an invalid one (e.g. not starting with '/', or with "~") with
// invalid_argument "invalid Realm path '<path>': <rule>".
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
// without leading or trailing spaces, and not "*" (which names a Realm's
// default entry). Passwords are 1-1024 bytes.
//
// Methods that take `user` accept a user id or a username; an id is tried
// first. Every error carries a message that can be shown to a user as is,
// e.g. "user 'alice' already exists", "no user 'bob'".
//
// Not errors: revoking a token twice (the later expiry wins); purging when
// nothing has expired; set_admin to the current value; granting a right
// already held or revoking one not held (the entry is returned unchanged);
// revoking an offer twice; rights_of() on a Realm nobody has named.
//
// Each permission change reads and writes in one BEGIN IMMEDIATE
// transaction, so concurrent changes, also from other processes, never lose
// one another's flags.
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

#include "admin/permissions.hpp"
#include "storage/sqlite.hpp"
#include "common/result.hpp"

namespace ros::admin {

// The provider of username/password identities.
inline constexpr std::string_view kPasswordProvider = "password";

// The schema version this program writes (see the migrations in store.cpp).
// 1: users, identities, refresh-token revocations. 2: permissions, offers.
// 3: App Services sessions, API keys, pending registrations, userpass tokens.
inline constexpr int kSchemaVersion = 3;

// The grantee naming a Realm's default entry.
inline constexpr std::string_view kDefaultGrantee = "*";

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

// One stored permission entry (or, after a change that left no right, the
// entry as it would be: rights all false, and no row in the table).
struct PermissionEntry {
  std::string realm_path;
  std::string user_id;                  // a user id, or "*" for the Realm's default
  std::optional<std::string> username;  // the user's username, if any; nullopt for "*"
  Rights rights;
  bool operator==(const PermissionEntry&) const = default;
};

struct Offer {
  std::string token;  // 32 random lowercase hex characters
  std::string realm_path;
  Rights rights;           // at least read; never write or manage without read
  std::string created_by;  // user id of the creator
  std::int64_t created_at = 0;              // Unix seconds
  std::optional<std::int64_t> expires_at;   // Unix seconds; nullopt: never
  bool revoked = false;
  bool operator==(const Offer&) const = default;
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

  // --- Permissions ---------------------------------------------------------

  // The effective rights of `user` (as given: its id and admin flag are
  // used, so pass a freshly loaded User) on `resolved_path`:
  // effective_rights() with the stored entries. invalid_argument for a bad
  // path. A Realm nobody has named is not an error (no rights, or all for
  // its owner and admins).
  Result<Rights> rights_of(const User& user, std::string_view resolved_path);

  // Applies apply_grant() / apply_revoke() to the entry of `user` (a user id,
  // a username, or "*" for the Realm's default; a missing entry counts as no
  // rights) on `resolved_path`, in one transaction, and returns the entry
  // after the change; when it grants nothing the row is deleted and the entry
  // is returned with no rights. Errors: invalid_argument for a bad path or a
  // refused combination (apply_grant's messages); not_found "no user 'x'".
  // Granting to the Realm's owner or to an admin is stored (it changes
  // nothing effective while they stay owner or admin).
  Result<PermissionEntry> grant(std::string_view resolved_path, std::string_view user,
                                RightsChange change);
  Result<PermissionEntry> revoke(std::string_view resolved_path, std::string_view user,
                                 RightsChange change);

  // The stored entries of a Realm: the default ("*") first, then per-user
  // entries by username (or id, for users without one), then id. Empty when
  // nothing is stored; the owner's implicit rights are not listed.
  Result<std::vector<PermissionEntry>> permissions_of_realm(std::string_view resolved_path);

  // The stored entries naming `user` (id, username, or "*" for every default
  // entry), by Realm path. not_found "no user 'x'".
  Result<std::vector<PermissionEntry>> permissions_of_user(std::string_view user);

  // "*" as the Realm: applies grant() / revoke() for `user` to every Realm
  // owned by `changer` (path "/<changer.id>/..."), all in one transaction
  // (one refusal changes nothing). The Realms are those paths that appear in
  // the permissions table (for any grantee) or in `known_paths` (the caller's
  // list of existing Realms; paths there that `changer` does not own are
  // ignored, invalid ones are refused with invalid_argument). Returns the
  // entries after the change, by path; empty when the changer owns none.
  // Being an admin does not widen "*": it is still the changer's own Realms.
  Result<std::vector<PermissionEntry>> grant_all_owned(
      const User& changer, std::string_view user, RightsChange change,
      const std::vector<std::string>& known_paths = {});
  Result<std::vector<PermissionEntry>> revoke_all_owned(
      const User& changer, std::string_view user, RightsChange change,
      const std::vector<std::string>& known_paths = {});

  // --- Offers ----------------------------------------------------------------

  // A new offer of `rights` on `resolved_path` by `creator`, who must have
  // manage rights on it (effective, as rights_of()): else permission_denied
  // "you need manage rights on '/x' to offer it". `rights` must include read
  // (invalid_argument "an offer must grant at least read") and pass
  // validate_rights(). expires_at must be after `now` when given
  // (invalid_argument "the offer's expiry must be in the future").
  Result<Offer> create_offer(const User& creator, std::string_view resolved_path, Rights rights,
                             std::optional<std::int64_t> expires_at, std::int64_t now);

  // Offers, oldest first; only those created by `created_by` (user id or
  // username; not_found for an unknown one) when given. Expired and revoked
  // offers are listed too, with their state.
  Result<std::vector<Offer>> list_offers(std::optional<std::string> created_by = std::nullopt);

  // Marks the offer revoked. not_found "no offer 'token'". Not an error:
  // revoking it twice.
  Result<void> revoke_offer(std::string_view token);

  // Grants the offer's rights to `user` (additive_change(): never lowers a
  // right the user's entry already has) and returns the user's entry.
  // Errors: not_found "no offer 'token'"; conflict "offer was revoked",
  // "offer expired at 2026-11-26T14:00:00Z" (expired when now >= expires_at),
  // "offer is no longer valid: its creator has lost manage rights on '/x'"
  // (checked at accept time, so a demoted manager's offers stop working).
  // An offer may be accepted many times, by many users, until it expires.
  Result<PermissionEntry> accept_offer(std::string_view token, const User& user, std::int64_t now);

  // The schema version of the open file (kSchemaVersion after open()).
  Result<int> schema_version();

 private:
  explicit AdminStore(sql::Db db) : db_(std::move(db)) {}

  // REQUIRES: mutex_ held.
  Result<std::optional<User>> load_user_locked(std::string_view id);
  Result<std::optional<std::string>> resolve_locked(std::string_view id_or_username);
  Result<std::string> require_user_locked(std::string_view id_or_username);
  // The grantee key for `user`: "*" or a user id. not_found.
  Result<std::string> require_grantee_locked(std::string_view user);
  Result<std::optional<Rights>> stored_rights_locked(std::string_view path,
                                                     std::string_view grantee);
  Result<Rights> rights_of_locked(const User& user, std::string_view path);
  // Writes `rights` for (path, grantee): upsert, or delete when none.
  Result<void> store_rights_locked(std::string_view path, std::string_view grantee,
                                   Rights rights);
  Result<PermissionEntry> entry_locked(std::string path, std::string grantee, Rights rights);
  // One grant (revoke == false) or revoke, without a transaction of its own.
  Result<PermissionEntry> change_locked(std::string_view path, std::string_view grantee,
                                        RightsChange change, bool revoke);
  Result<PermissionEntry> change(std::string_view path, std::string_view user,
                                 RightsChange change, bool revoke);
  Result<std::vector<PermissionEntry>> change_all_owned(const User& changer,
                                                        std::string_view user,
                                                        RightsChange change, bool revoke,
                                                        const std::vector<std::string>& known);

  std::mutex mutex_;
  sql::Db db_;  // GUARDED_BY(mutex_)
};

}  // namespace ros::admin
