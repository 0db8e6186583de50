#include "sync/server/rights.hpp"

#include <string>

#include "storage/realm_path.hpp"

namespace ros::sync::server {

admin::Rights token_rights(const auth::TokenClaims& claims) {
  return {claims.has("download"), claims.has("upload"), claims.has("manage")};
}

admin::Rights intersect(admin::Rights a, admin::Rights b) {
  return {a.read && b.read, a.write && b.write, a.manage && b.manage};
}

namespace {

// The admin.db user named by the token's identity (by id only: an identity
// is never taken as a username), or nullopt.
Result<std::optional<admin::User>> known_user(const auth::TokenClaims& claims,
                                             admin::AdminStore* store) {
  if (store == nullptr) return std::optional<admin::User>{};
  auto user = store->find_user(claims.identity);
  if (!user) {
    if (user.error().code == Errc::not_found) return std::optional<admin::User>{};
    return user.error();
  }
  if (user->id != claims.identity) return std::optional<admin::User>{};
  return std::optional<admin::User>{std::move(*user)};
}

}  // namespace

Result<admin::Rights> session_rights(const auth::TokenClaims& claims, std::string_view realm_path,
                                     admin::AdminStore* store) {
  auto user = known_user(claims, store);
  if (!user) return user.error();

  admin::Rights rights;
  if (claims.path) {
    auto token_path = storage::resolve_realm_path(*claims.path, claims.identity);
    if (!token_path || *token_path != realm_path) {
      return make_error(Errc::permission_denied, "the access token is for the Realm '" +
                                                     *claims.path + "', not '" +
                                                     std::string(realm_path) + "'");
    }
    rights = claims.admin.value_or(false) ? admin::Rights::all() : token_rights(claims);
  } else {
    admin::Rights from_db;
    if (*user) {
      auto r = store->rights_of(**user, realm_path);
      if (!r) return r.error();
      from_db = *r;
    } else if (claims.admin.value_or(false)) {
      from_db = admin::Rights::all();
    } else if (store != nullptr) {
      // Not a user of admin.db (never was, or removed): the Realm's default
      // entry only. Owning "/<id>/..." needs a user: a removed user's
      // sessions must not keep their Realms through the path's form.
      admin::User stranger;  // no id: matches no entry and owns nothing
      auto r = store->rights_of(stranger, realm_path);
      if (!r) return r.error();
      from_db = *r;
    }
    rights = claims.access.empty() ? from_db : intersect(from_db, token_rights(claims));
  }

  if (*user && claims.path) {
    auto current = store->rights_of(**user, realm_path);
    if (!current) return current.error();
    rights = intersect(rights, *current);
  }
  return rights;
}

}  // namespace ros::sync::server
