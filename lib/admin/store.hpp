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
// 4: tokens_valid_after per user, removed user ids, admin tokens.
inline constexpr int kSchemaVersion = 4;

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
  // Tokens for this user issued (their timestamp) before this Unix second
  // grant nothing: set past the current second by a password change.
  std::int64_t tokens_valid_after = 0;

  // The provider_id of the "password" identity, if the user has one.
  std::optional<std::string> username() const;
};

// One stored permission entry (or, after a change that left no right, the
// entry as it would be: rights all false, and no row in the table).
// What admin.db says about the identity a token names (token_subject()).
enum class SubjectState {
  active,      // a user, and the token was issued at or after its tokens_valid_after
  superseded,  // a user, but the token predates its last password change
  removed,     // the id was a user of admin.db and was removed
  unknown,     // never a user here: a script's or an external service's identity
};

struct TokenSubject {
  SubjectState state = SubjectState::unknown;
  std::optional<User> user;  // set for active and superseded
};

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

// --- App Services (issue 13) ---------------------------------------------

// The provider names App Services clients know (app-services.md 1.2); a
// username/password user is "local-userpass" to them.
inline constexpr std::string_view kAnonProvider = "anon-user";
inline constexpr std::string_view kApiKeyProvider = "api-key";
// custom-token identities are stored as "custom-token:<app id>", since each
// app has its own identity system.
inline constexpr std::string_view kCustomTokenProvider = "custom-token";

// One refresh token's session: the token names it, deleting it revokes it.
struct AppSession {
  std::string id;  // 32 lowercase hex
  std::string user_id;
  std::string app_id;
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
};

struct ApiKey {
  std::string id;  // 24 lowercase hex
  std::string user_id;
  std::string name;
  bool disabled = false;
  std::int64_t created_at = 0;
};

// A new API key: its secret is shown once and never stored.
struct NewApiKey {
  ApiKey key;
  std::string secret;  // 64 lowercase hex
};

// A confirmation or password-reset token, handed out once.
struct UserpassToken {
  std::string token_id;  // 24 lowercase hex
  std::string token;     // 64 lowercase hex
};

enum class UserpassPurpose { confirm, reset };

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

  // Removes the user with its identities, and remembers its id as removed
  // (token_subject()). not_found: "no user 'x'".
  Result<void> remove_user(std::string_view user);

  // True when a user holds the identity ("password", username). For a cheap
  // refusal before hashing a password (registration).
  Result<bool> username_taken(std::string_view username);

  // Replaces the password and invalidates every token issued for the user
  // until now (invalidate_tokens()). not_found; conflict "user 'x' has no
  // password login" for a user created by another provider.
  Result<void> set_password(std::string_view user, std::string_view password);

  // Makes every token issued for `user` until now grant nothing: its
  // tokens_valid_after becomes the next Unix second. Tokens issued from then
  // on must carry a timestamp of at least that (issue_time()). not_found.
  Result<void> invalidate_tokens(std::string_view user);

  // The timestamp to put in a token issued for `user` at `now`: `now`, or its
  // tokens_valid_after when that is later (a token issued in the second of a
  // password change must still be valid, though the change counts whole
  // seconds).
  static std::int64_t issue_time(const User& user, std::int64_t now);

  // What a token naming `identity` (a user id, never a username) and issued
  // at `issued_at` (its timestamp; absent counts as 0) may act as. This is
  // the one question every token check asks admin.db, classic tokens and App
  // tokens alike: only `active` may act for a user; `removed` and
  // `superseded` grant nothing; `unknown` is an identity admin.db never knew,
  // to be trusted only as far as a path-scoped token says.
  Result<TokenSubject> token_subject(std::string_view identity,
                                     std::optional<std::int64_t> issued_at);

  // Grants (true) or revokes (false) admin. not_found.
  Result<void> set_admin(std::string_view user, bool is_admin);

  // The user holding (provider, provider_id), created (non-admin) if none
  // does. provider and provider_id: non-empty, at most 256 bytes, no control
  // characters; "password" is refused here (use create_password_user).
  Result<User> find_or_create_identity(std::string_view provider, std::string_view provider_id);

  // Records that the refresh token whose identity is `token_id`
  // (auth::token_identity(): its signed token_id claim, so every byte form
  // of one token is one revocation) is revoked until `expires_at` (Unix
  // seconds, the token's own expiry); only its SHA-256 is stored. Before
  // schema 4, ros stored the SHA-256 of the token's text here; those rows
  // still answer is_refresh_token_revoked() for that text.
  Result<void> revoke_refresh_token(std::string_view token_id, std::int64_t expires_at);

  // True when `token_id` was revoked and the revocation has not been purged.
  Result<bool> is_refresh_token_revoked(std::string_view token_id);

  // Drops revocations and admin tokens whose expires_at < now (the tokens
  // are expired anyway); returns how many revocations were dropped.
  Result<std::int64_t> purge_expired_revocations(std::int64_t now);

  // --- The admin token (admin_token.base64) --------------------------------

  // Records `token_id` as a valid admin token until `expires_at`; with
  // `revoke_others`, every other admin token stops being valid at once.
  Result<void> add_admin_token(std::string_view token_id, std::int64_t expires_at,
                               bool revoke_others);

  // True when `token_id` names an admin token recorded by add_admin_token(),
  // not replaced, and not expired at `now`.
  Result<bool> is_admin_token(std::string_view token_id, std::int64_t now);

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

  // --- App Services (issue 13; implemented in app_store.cpp) ---------------

  // A session for a new refresh token of `user_id` in `app_id`.
  Result<AppSession> create_app_session(std::string_view user_id, std::string_view app_id,
                                        std::int64_t now, std::int64_t expires_at);
  // The session `id` while it exists and has not expired at `now`;
  // not_found "the session has ended" otherwise.
  Result<AppSession> find_app_session(std::string_view id, std::int64_t now);
  // Ends a session (logout). Not an error: a session that is already gone.
  Result<void> remove_app_session(std::string_view id);

  // A new user whose only identity is ("anon-user", <random id>).
  Result<User> create_anonymous_user();

  // The profile data stored for the user (a JSON object's text, "{}" when
  // none), and replacing it (from custom-token claims at each login).
  Result<std::string> user_metadata(std::string_view user_id);
  Result<void> set_user_metadata(std::string_view user_id, std::string_view json_object);

  // API keys of a user. create: invalid_argument for an empty name or one
  // over 256 bytes, already_exists "an API key named 'x' already exists". The
  // user gets the identity ("api-key", <key id>) while the key exists.
  Result<NewApiKey> create_api_key(std::string_view user_id, std::string_view name,
                                   std::int64_t now);
  Result<std::vector<ApiKey>> api_keys_of(std::string_view user_id);
  // not_found "no API key 'id'" when the key is not this user's.
  Result<ApiKey> find_api_key(std::string_view user_id, std::string_view key_id);
  Result<void> remove_api_key(std::string_view user_id, std::string_view key_id);
  Result<void> set_api_key_disabled(std::string_view user_id, std::string_view key_id,
                                    bool disabled);
  // The user owning the enabled key with `secret`; permission_denied
  // "invalid API key" for an unknown or disabled one.
  Result<User> check_api_key(std::string_view secret);

  // local-userpass registrations (App Services' model): register records the
  // name and password hash; the user is created at the first login after
  // confirmation (claim_registration), or the identity is linked to a user.
  //
  // add_registration: the duplicate check comes before the password is
  // hashed (a taken name costs no CPU): already_exists "name already in use"
  // when a user or a registration has the name; validate_username /
  // validate_password errors.
  Result<void> add_registration(std::string_view username, std::string_view password,
                                bool confirmed, std::int64_t now);
  enum class RegistrationState { none, pending, confirmed };
  Result<RegistrationState> registration_state(std::string_view username);
  // A fresh token for `username` (older ones of the same purpose are
  // dropped), valid until now + lifetime.
  Result<UserpassToken> issue_userpass_token(std::string_view username, UserpassPurpose purpose,
                                             std::int64_t now, std::int64_t lifetime);
  // Confirms the registration a confirmation token names. invalid_argument
  // "invalid token data" for an unknown, wrong or expired token; conflict
  // "already confirmed".
  Result<void> confirm_registration(std::string_view token_id, std::string_view token,
                                    std::int64_t now);
  // Turns the confirmed registration of `username` into a login when
  // `password` matches: a new user, or, with `link_to`, that user gains the
  // identity ("password", username). The registration is consumed.
  // permission_denied "invalid username or password" (no registration or a
  // wrong password), conflict "confirmation required" for a pending one.
  Result<User> claim_registration(std::string_view username, std::string_view password,
                                  std::optional<std::string> link_to);
  // Sets a new password with a reset token (invalid_argument "invalid token
  // data" as above; validate_password errors).
  Result<User> reset_password(std::string_view token_id, std::string_view token,
                              std::string_view password, std::int64_t now);

  // Attaches the identity (provider, provider_id) to `user_id` (linking).
  // Not an error: the user has it already. conflict "a user already exists
  // with the specified provider" when another user holds it; invalid_argument
  // as find_or_create_identity for the parts.
  Result<User> link_identity(std::string_view user_id, std::string_view provider,
                             std::string_view provider_id);
  // Gives a user without a password login the identity ("password",
  // username) with `password` (linking local-userpass). conflict as above
  // when the name is taken, conflict "the user has a password login already".
  Result<User> add_password_login(std::string_view user_id, std::string_view username,
                                  std::string_view password);

  // The schema version of the open file (kSchemaVersion after open()).
  Result<int> schema_version();

 private:
  explicit AdminStore(sql::Db db) : db_(std::move(db)) {}

  // REQUIRES: mutex_ held.
  Result<std::optional<User>> load_user_locked(std::string_view id);
  Result<std::optional<std::string>> resolve_locked(std::string_view id_or_username);
  Result<void> invalidate_tokens_locked(const std::string& id);
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
