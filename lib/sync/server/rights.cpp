#include "sync/server/rights.hpp"

#include <string>

#include "auth/mint.hpp"
#include "storage/realm_path.hpp"

namespace ros::sync::server {

admin::Rights token_rights(const auth::TokenClaims& claims) {
  return {claims.has("download"), claims.has("upload"), claims.has("manage")};
}

admin::Rights intersect(admin::Rights a, admin::Rights b) {
  return {a.read && b.read, a.write && b.write, a.manage && b.manage};
}

Result<admin::TokenSubject> check_token(const auth::TokenClaims& claims, admin::AdminStore* store,
                                        std::int64_t now_unix) {
  const bool admin_token = !claims.path && claims.identity == auth::kAdminTokenIdentity;
  if (store == nullptr) {
    if (admin_token) {
      return make_error(Errc::permission_denied, "an admin token needs admin.db to be checked");
    }
    return admin::TokenSubject{};
  }
  if (admin_token) {
    auto listed = claims.token_id ? store->is_admin_token(*claims.token_id, now_unix)
                                  : Result<bool>(false);
    if (!listed) return listed.error();
    if (!*listed) {
      return make_error(Errc::permission_denied,
                        "the admin token was replaced or revoked; read admin_token.base64 again");
    }
    return admin::TokenSubject{};
  }
  auto subject = store->token_subject(claims.identity, claims.timestamp);
  if (!subject) return subject.error();
  switch (subject->state) {
    case admin::SubjectState::removed:
      return make_error(Errc::permission_denied, "user '" + claims.identity + "' was removed");
    case admin::SubjectState::superseded:
      return make_error(Errc::permission_denied,
                        "the token was issued before the user's password was last changed; log "
                        "in again");
    case admin::SubjectState::active:
    case admin::SubjectState::unknown:
      break;
  }
  return subject;
}

Result<admin::Rights> session_rights(const auth::TokenClaims& claims, std::string_view realm_path,
                                     admin::AdminStore* store, std::int64_t now_unix) {
  auto subject = check_token(claims, store, now_unix);
  if (!subject) return subject.error();
  const admin::User* user =
      subject->state == admin::SubjectState::active ? &*subject->user : nullptr;

  admin::Rights rights;
  if (claims.path) {
    auto token_path = storage::resolve_realm_path(*claims.path, claims.identity);
    if (!token_path || *token_path != realm_path) {
      return make_error(Errc::permission_denied, "the access token is for the Realm '" +
                                                     *claims.path + "', not '" +
                                                     std::string(realm_path) + "'");
    }
    rights = claims.admin.value_or(false) ? admin::Rights::all() : token_rights(claims);
    if (user) {
      auto current = store->rights_of(*user, realm_path);
      if (!current) return current.error();
      rights = intersect(rights, *current);
    }
    return rights;
  }
  if (user) {
    auto from_db = store->rights_of(*user, realm_path);
    if (!from_db) return from_db.error();
    return claims.access.empty() ? *from_db : intersect(*from_db, token_rights(claims));
  }
  if (claims.identity == auth::kAdminTokenIdentity) {
    return admin::Rights::all();  // listed in admin.db: check_token() said so
  }
  return make_error(Errc::permission_denied,
                    "'" + claims.identity + "' is not a user of this server, and a token "
                    "without a path grants nothing to an unknown identity (use a path-scoped "
                    "token, e.g. ros-token mint --path)");
}

}  // namespace ros::sync::server
