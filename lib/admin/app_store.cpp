// AdminStore's App Services part (issue 13): refresh sessions, anonymous
// users, profile metadata, API keys, and local-userpass registration with
// confirmation and reset tokens. The tables are schema version 3 (store.cpp).
#include <openssl/crypto.h>

#include <nlohmann/json.hpp>

#include "admin/password.hpp"
#include "admin/secrets.hpp"
#include "admin/store.hpp"

namespace ros::admin {
namespace {

constexpr std::size_t kMaxApiKeyName = 256;

Error invalid_token() { return make_error(Errc::invalid_argument, "invalid token data"); }

const char* purpose_name(UserpassPurpose p) {
  return p == UserpassPurpose::confirm ? "confirm" : "reset";
}

ApiKey api_key_row(const sql::Statement& s) {
  return {s.text(0), s.text(1), s.text(2), s.int64(3) != 0, s.int64(4)};
}

constexpr const char* kApiKeyColumns = "id, user_id, name, disabled, created_at";

}  // namespace

Result<AppSession> AdminStore::create_app_session(std::string_view user_id,
                                                  std::string_view app_id, std::int64_t now,
                                                  std::int64_t expires_at) {
  auto id = random_hex(16, "a session id");
  if (!id) return id.error();
  std::lock_guard lock(mutex_);
  auto stmt = sql::Statement::prepare(
      db_.get(),
      "INSERT INTO app_sessions (id, user_id, app_id, created_at, expires_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!stmt) return stmt.error();
  stmt->bind(1, *id).bind(2, user_id).bind(3, app_id).bind(4, now).bind(5, expires_at);
  if (auto r = stmt->run(); !r) {
    if (r.error().code == Errc::conflict) {
      return make_error(Errc::not_found, "no user '" + std::string(user_id) + "'");
    }
    return r.error();
  }
  return AppSession{*id, std::string(user_id), std::string(app_id), now, expires_at};
}

Result<AppSession> AdminStore::find_app_session(std::string_view id, std::int64_t now) {
  std::lock_guard lock(mutex_);
  auto stmt = sql::Statement::prepare(
      db_.get(),
      "SELECT id, user_id, app_id, created_at, expires_at FROM app_sessions WHERE id = ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, id);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row || stmt->int64(4) < now) {
    return make_error(Errc::not_found, "the session has ended");
  }
  return AppSession{stmt->text(0), stmt->text(1), stmt->text(2), stmt->int64(3), stmt->int64(4)};
}

Result<void> AdminStore::remove_app_session(std::string_view id) {
  std::lock_guard lock(mutex_);
  auto stmt = sql::Statement::prepare(db_.get(), "DELETE FROM app_sessions WHERE id = ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, id);
  return stmt->run();
}

Result<User> AdminStore::create_anonymous_user() {
  auto id = random_hex(12, "an anonymous identity");
  if (!id) return id.error();
  return find_or_create_identity(kAnonProvider, *id);
}

Result<std::string> AdminStore::user_metadata(std::string_view user_id) {
  std::lock_guard lock(mutex_);
  auto stmt = sql::Statement::prepare(db_.get(), "SELECT data FROM user_metadata WHERE user_id = ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, user_id);
  auto row = stmt->step();
  if (!row) return row.error();
  return *row ? stmt->text(0) : std::string("{}");
}

Result<void> AdminStore::set_user_metadata(std::string_view user_id, std::string_view json_object) {
  std::lock_guard lock(mutex_);
  auto stmt = sql::Statement::prepare(
      db_.get(),
      "INSERT INTO user_metadata (user_id, data) VALUES (?1, ?2) "
      "ON CONFLICT (user_id) DO UPDATE SET data = excluded.data");
  if (!stmt) return stmt.error();
  stmt->bind(1, user_id).bind(2, json_object);
  return stmt->run();
}

Result<NewApiKey> AdminStore::create_api_key(std::string_view user_id, std::string_view name,
                                             std::int64_t now) {
  if (name.empty() || name.size() > kMaxApiKeyName) {
    return make_error(Errc::invalid_argument, "an API key name must be 1-256 bytes");
  }
  auto id = random_hex(12, "an API key id");
  if (!id) return id.error();
  auto secret = random_hex(32, "an API key");
  if (!secret) return secret.error();
  auto digest = sha256_hex(*secret);
  if (!digest) return digest.error();

  std::lock_guard lock(mutex_);
  sql::Transaction tx(db_.get());
  if (!tx.begun()) return tx.begun().error();
  auto insert = sql::Statement::prepare(
      db_.get(),
      "INSERT INTO api_keys (id, user_id, name, key_sha256, disabled, created_at) "
      "VALUES (?1, ?2, ?3, ?4, 0, ?5)");
  if (!insert) return insert.error();
  insert->bind(1, *id).bind(2, user_id).bind(3, name).bind(4, *digest).bind(5, now);
  if (auto r = insert->run(); !r) {
    if (r.error().code == Errc::conflict) {
      auto user = load_user_locked(user_id);
      if (user && !*user) return make_error(Errc::not_found, "no user '" + std::string(user_id) + "'");
      return make_error(Errc::already_exists,
                        "an API key named '" + std::string(name) + "' already exists");
    }
    return r.error();
  }
  auto identity = sql::Statement::prepare(
      db_.get(), "INSERT INTO identities (provider, provider_id, user_id) VALUES (?1, ?2, ?3)");
  if (!identity) return identity.error();
  identity->bind(1, kApiKeyProvider).bind(2, *id).bind(3, user_id);
  if (auto r = identity->run(); !r) return r.error();
  if (auto r = tx.commit(); !r) return r.error();
  return NewApiKey{{*id, std::string(user_id), std::string(name), false, now}, *secret};
}

Result<std::vector<ApiKey>> AdminStore::api_keys_of(std::string_view user_id) {
  std::lock_guard lock(mutex_);
  auto stmt = sql::Statement::prepare(
      db_.get(), std::string("SELECT ") + kApiKeyColumns +
                     " FROM api_keys WHERE user_id = ?1 ORDER BY created_at, id");
  if (!stmt) return stmt.error();
  stmt->bind(1, user_id);
  std::vector<ApiKey> keys;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) break;
    keys.push_back(api_key_row(*stmt));
  }
  return keys;
}

Result<ApiKey> AdminStore::find_api_key(std::string_view user_id, std::string_view key_id) {
  std::lock_guard lock(mutex_);
  auto stmt = sql::Statement::prepare(
      db_.get(), std::string("SELECT ") + kApiKeyColumns +
                     " FROM api_keys WHERE user_id = ?1 AND id = ?2");
  if (!stmt) return stmt.error();
  stmt->bind(1, user_id).bind(2, key_id);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return make_error(Errc::not_found, "no API key '" + std::string(key_id) + "'");
  return api_key_row(*stmt);
}

Result<void> AdminStore::remove_api_key(std::string_view user_id, std::string_view key_id) {
  if (auto found = find_api_key(user_id, key_id); !found) return found.error();
  std::lock_guard lock(mutex_);
  sql::Transaction tx(db_.get());
  if (!tx.begun()) return tx.begun().error();
  for (const char* sql : {"DELETE FROM api_keys WHERE user_id = ?1 AND id = ?2",
                          "DELETE FROM identities WHERE user_id = ?1 AND provider_id = ?2 "
                          "AND provider = 'api-key'"}) {
    auto stmt = sql::Statement::prepare(db_.get(), sql);
    if (!stmt) return stmt.error();
    stmt->bind(1, user_id).bind(2, key_id);
    if (auto r = stmt->run(); !r) return r.error();
  }
  return tx.commit();
}

Result<void> AdminStore::set_api_key_disabled(std::string_view user_id, std::string_view key_id,
                                              bool disabled) {
  if (auto found = find_api_key(user_id, key_id); !found) return found.error();
  std::lock_guard lock(mutex_);
  auto stmt = sql::Statement::prepare(
      db_.get(), "UPDATE api_keys SET disabled = ?3 WHERE user_id = ?1 AND id = ?2");
  if (!stmt) return stmt.error();
  stmt->bind(1, user_id).bind(2, key_id).bind(3, std::int64_t{disabled ? 1 : 0});
  return stmt->run();
}

Result<User> AdminStore::check_api_key(std::string_view secret) {
  auto denied = make_error(Errc::permission_denied, "invalid API key");
  if (secret.empty() || secret.size() > 1024) return denied;
  auto digest = sha256_hex(secret);
  if (!digest) return digest.error();
  std::lock_guard lock(mutex_);
  auto stmt = sql::Statement::prepare(
      db_.get(), "SELECT user_id FROM api_keys WHERE key_sha256 = ?1 AND disabled = 0");
  if (!stmt) return stmt.error();
  stmt->bind(1, *digest);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return denied;
  auto user = load_user_locked(stmt->text(0));
  if (!user) return user.error();
  if (!*user) return denied;
  return std::move(**user);
}

Result<void> AdminStore::add_registration(std::string_view username, std::string_view password,
                                          bool confirmed, std::int64_t now) {
  if (auto r = validate_username(username); !r) return r.error();
  if (auto r = validate_password(password); !r) return r.error();
  auto taken = make_error(Errc::already_exists, "name already in use");
  // The cheap checks first: a taken name costs no password hashing.
  {
    std::lock_guard lock(mutex_);
    auto existing = resolve_locked(username);
    if (!existing) return existing.error();
    if (*existing) return taken;
  }
  auto state = registration_state(username);
  if (!state) return state.error();
  if (*state != RegistrationState::none) return taken;
  auto hash = hash_password(password);  // outside the mutex: ~50 ms
  if (!hash) return hash.error();
  std::lock_guard lock(mutex_);
  sql::Transaction tx(db_.get());
  if (!tx.begun()) return tx.begun().error();
  auto existing = resolve_locked(username);  // again: another request may have won
  if (!existing) return existing.error();
  if (*existing) return taken;
  auto stmt = sql::Statement::prepare(
      db_.get(),
      "INSERT INTO registrations (username, password_hash, confirmed, created_at) "
      "VALUES (?1, ?2, ?3, ?4)");
  if (!stmt) return stmt.error();
  stmt->bind(1, username).bind(2, *hash).bind(3, std::int64_t{confirmed ? 1 : 0}).bind(4, now);
  if (auto r = stmt->run(); !r) return r.error().code == Errc::conflict ? taken : r.error();
  return tx.commit();
}

Result<AdminStore::RegistrationState> AdminStore::registration_state(std::string_view username) {
  std::lock_guard lock(mutex_);
  auto stmt = sql::Statement::prepare(db_.get(),
                                      "SELECT confirmed FROM registrations WHERE username = ?1");
  if (!stmt) return stmt.error();
  stmt->bind(1, username);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return RegistrationState::none;
  return stmt->int64(0) ? RegistrationState::confirmed : RegistrationState::pending;
}

Result<UserpassToken> AdminStore::issue_userpass_token(std::string_view username,
                                                       UserpassPurpose purpose, std::int64_t now,
                                                       std::int64_t lifetime) {
  auto token_id = random_hex(12, "a token id");
  if (!token_id) return token_id.error();
  auto token = random_hex(32, "a token");
  if (!token) return token.error();
  auto digest = sha256_hex(*token);
  if (!digest) return digest.error();
  std::lock_guard lock(mutex_);
  sql::Transaction tx(db_.get());
  if (!tx.begun()) return tx.begun().error();
  auto drop = sql::Statement::prepare(
      db_.get(), "DELETE FROM userpass_tokens WHERE username = ?1 AND purpose = ?2");
  if (!drop) return drop.error();
  drop->bind(1, username).bind(2, purpose_name(purpose));
  if (auto r = drop->run(); !r) return r.error();
  auto insert = sql::Statement::prepare(
      db_.get(),
      "INSERT INTO userpass_tokens (token_id, token_sha256, purpose, username, expires_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!insert) return insert.error();
  insert->bind(1, *token_id).bind(2, *digest).bind(3, purpose_name(purpose)).bind(4, username)
      .bind(5, now + lifetime);
  if (auto r = insert->run(); !r) return r.error();
  if (auto r = tx.commit(); !r) return r.error();
  return UserpassToken{*token_id, *token};
}

// REQUIRES: mutex_ held, inside a transaction. The username of a valid,
// unexpired token of `purpose`, which is consumed.
static Result<std::string> take_token_locked(sqlite3* db, std::string_view token_id,
                                             std::string_view token, UserpassPurpose purpose,
                                             std::int64_t now) {
  auto digest = sha256_hex(token);
  if (!digest) return digest.error();
  auto stmt = sql::Statement::prepare(
      db, "SELECT token_sha256, username, expires_at FROM userpass_tokens "
          "WHERE token_id = ?1 AND purpose = ?2");
  if (!stmt) return stmt.error();
  stmt->bind(1, token_id).bind(2, purpose_name(purpose));
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return invalid_token();
  std::string stored = stmt->text(0);
  std::string username = stmt->text(1);
  std::int64_t expires_at = stmt->int64(2);
  if (stored.size() != digest->size() ||
      CRYPTO_memcmp(stored.data(), digest->data(), stored.size()) != 0 || expires_at < now) {
    return invalid_token();
  }
  auto drop = sql::Statement::prepare(db, "DELETE FROM userpass_tokens WHERE token_id = ?1");
  if (!drop) return drop.error();
  drop->bind(1, token_id);
  if (auto r = drop->run(); !r) return r.error();
  return username;
}

Result<void> AdminStore::confirm_registration(std::string_view token_id, std::string_view token,
                                              std::int64_t now) {
  std::lock_guard lock(mutex_);
  sql::Transaction tx(db_.get());
  if (!tx.begun()) return tx.begun().error();
  auto username = take_token_locked(db_.get(), token_id, token, UserpassPurpose::confirm, now);
  if (!username) return username.error();
  auto stmt = sql::Statement::prepare(
      db_.get(), "UPDATE registrations SET confirmed = 1 WHERE username = ?1 AND confirmed = 0");
  if (!stmt) return stmt.error();
  stmt->bind(1, *username);
  if (auto r = stmt->run(); !r) return r.error();
  if (sqlite3_changes(db_.get()) == 0) {
    // Consume the token all the same: it has done its work.
    if (auto r = tx.commit(); !r) return r.error();
    return make_error(Errc::conflict, "already confirmed");
  }
  return tx.commit();
}

Result<User> AdminStore::claim_registration(std::string_view username, std::string_view password,
                                            std::optional<std::string> link_to) {
  auto denied = make_error(Errc::permission_denied, "invalid username or password");
  std::string hash;
  bool confirmed = false;
  {
    std::lock_guard lock(mutex_);
    auto stmt = sql::Statement::prepare(
        db_.get(), "SELECT password_hash, confirmed FROM registrations WHERE username = ?1");
    if (!stmt) return stmt.error();
    stmt->bind(1, username);
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) return denied;
    hash = stmt->text(0);
    confirmed = stmt->int64(1) != 0;
  }
  if (!verify_password(password, hash)) return denied;
  if (!confirmed) return make_error(Errc::conflict, "confirmation required");
  std::string id;
  {
    std::lock_guard lock(mutex_);
    sql::Transaction tx(db_.get());
    if (!tx.begun()) return tx.begun().error();
    auto drop = sql::Statement::prepare(db_.get(), "DELETE FROM registrations WHERE username = ?1");
    if (!drop) return drop.error();
    drop->bind(1, username);
    if (auto r = drop->run(); !r) return r.error();
    if (sqlite3_changes(db_.get()) == 0) return denied;  // claimed meanwhile
    if (link_to) {
      id = *link_to;
      auto user = load_user_locked(id);
      if (!user) return user.error();
      if (!*user) return make_error(Errc::not_found, "no user '" + id + "'");
      if ((*user)->username()) return make_error(Errc::conflict, "the user has a password login already");
      auto update = sql::Statement::prepare(db_.get(), "UPDATE users SET password_hash = ?2 WHERE id = ?1");
      if (!update) return update.error();
      update->bind(1, id).bind(2, hash);
      if (auto r = update->run(); !r) return r.error();
    } else {
      auto new_id = random_hex(16, "a user id");
      if (!new_id) return new_id.error();
      id = *new_id;
      auto insert_user = sql::Statement::prepare(
          db_.get(),
          "INSERT INTO users (id, is_admin, created_at, password_hash) "
          "VALUES (?1, 0, strftime('%s', 'now'), ?2)");
      if (!insert_user) return insert_user.error();
      insert_user->bind(1, id).bind(2, hash);
      if (auto r = insert_user->run(); !r) return r.error();
    }
    auto identity = sql::Statement::prepare(
        db_.get(), "INSERT INTO identities (provider, provider_id, user_id) VALUES (?1, ?2, ?3)");
    if (!identity) return identity.error();
    identity->bind(1, kPasswordProvider).bind(2, username).bind(3, id);
    if (auto r = identity->run(); !r) {
      return r.error().code == Errc::conflict
                 ? Error(make_error(Errc::conflict, "a user already exists with the specified provider"))
                 : r.error();
    }
    if (auto r = tx.commit(); !r) return r.error();
  }
  return find_user(id);
}

Result<User> AdminStore::reset_password(std::string_view token_id, std::string_view token,
                                        std::string_view password, std::int64_t now) {
  if (auto r = validate_password(password); !r) return r.error();
  std::string username;
  {
    std::lock_guard lock(mutex_);
    sql::Transaction tx(db_.get());
    if (!tx.begun()) return tx.begun().error();
    auto taken = take_token_locked(db_.get(), token_id, token, UserpassPurpose::reset, now);
    if (!taken) return taken.error();
    username = *taken;
    if (auto r = tx.commit(); !r) return r.error();
  }
  if (auto r = set_password(username, password); !r) {
    return r.error().code == Errc::not_found ? Result<User>(invalid_token()) : Result<User>(r.error());
  }
  return find_user(username);
}

}  // namespace ros::admin

namespace ros::admin {
namespace {

Error identity_taken() {
  return make_error(Errc::conflict, "a user already exists with the specified provider");
}

// REQUIRES: mutex_ held. The user holding (provider, provider_id), if any.
Result<std::optional<std::string>> identity_owner(sqlite3* db, std::string_view provider,
                                                  std::string_view provider_id) {
  auto stmt = sql::Statement::prepare(
      db, "SELECT user_id FROM identities WHERE provider = ?1 AND provider_id = ?2");
  if (!stmt) return stmt.error();
  stmt->bind(1, provider).bind(2, provider_id);
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::string>{};
  return std::optional<std::string>(stmt->text(0));
}

}  // namespace

Result<User> AdminStore::link_identity(std::string_view user_id, std::string_view provider,
                                       std::string_view provider_id) {
  if (provider.empty() || provider_id.empty() || provider.size() > 256 ||
      provider_id.size() > 256) {
    return make_error(Errc::invalid_argument, "an identity needs a provider and an id of 1-256 bytes");
  }
  {
    std::lock_guard lock(mutex_);
    sql::Transaction tx(db_.get());
    if (!tx.begun()) return tx.begun().error();
    auto owner = identity_owner(db_.get(), provider, provider_id);
    if (!owner) return owner.error();
    if (*owner && **owner != user_id) return identity_taken();
    if (!*owner) {
      auto insert = sql::Statement::prepare(
          db_.get(), "INSERT INTO identities (provider, provider_id, user_id) VALUES (?1, ?2, ?3)");
      if (!insert) return insert.error();
      insert->bind(1, provider).bind(2, provider_id).bind(3, user_id);
      if (auto r = insert->run(); !r) return r.error();
      if (auto r = tx.commit(); !r) return r.error();
    }
  }
  return find_user(user_id);
}

Result<User> AdminStore::add_password_login(std::string_view user_id, std::string_view username,
                                            std::string_view password) {
  if (auto r = validate_username(username); !r) return r.error();
  if (auto r = validate_password(password); !r) return r.error();
  auto user = find_user(user_id);
  if (!user) return user.error();
  if (user->username()) return make_error(Errc::conflict, "the user has a password login already");
  {
    std::lock_guard lock(mutex_);
    auto taken = resolve_locked(username);
    if (!taken) return taken.error();
    if (*taken) return identity_taken();
  }
  auto hash = hash_password(password);
  if (!hash) return hash.error();
  {
    std::lock_guard lock(mutex_);
    sql::Transaction tx(db_.get());
    if (!tx.begun()) return tx.begun().error();
    auto owner = identity_owner(db_.get(), kPasswordProvider, username);
    if (!owner) return owner.error();
    if (*owner) return identity_taken();
    auto insert = sql::Statement::prepare(
        db_.get(), "INSERT INTO identities (provider, provider_id, user_id) VALUES (?1, ?2, ?3)");
    if (!insert) return insert.error();
    insert->bind(1, kPasswordProvider).bind(2, username).bind(3, user_id);
    if (auto r = insert->run(); !r) return r.error();
    auto update = sql::Statement::prepare(db_.get(), "UPDATE users SET password_hash = ?2 WHERE id = ?1");
    if (!update) return update.error();
    update->bind(1, user_id).bind(2, *hash);
    if (auto r = update->run(); !r) return r.error();
    if (auto r = tx.commit(); !r) return r.error();
  }
  return find_user(user_id);
}

}  // namespace ros::admin
