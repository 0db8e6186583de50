// What a session may do with the Realm it binds (design.md, "Tokens and
// rights"; issue 6): read (download, needed to bind) and write (upload).
//
// The rules, in order:
// 0. admin.db may void a token whatever it says (check_token(), issue 14):
//    the token of a removed user, one issued before its user's last password
//    change, and a path-less admin token ("__admin") whose token_id admin.db
//    no longer lists (replaced or revoked) grant nothing.
// 1. A token with a `path` claim is a capability signed by our key (from
//    ros-authd, `ros-token mint` or any holder of the private key): the
//    BIND path must equal its path ("~" expanded for both), and its `access`
//    list gives the rights ("download" read, "upload" write, "manage"), all
//    of them when its `admin` flag is set.
// 2. A path-less token (what 14.x clients use, protocol.md 5.6) takes its
//    rights from admin.db: the identity's effective rights on the Realm
//    (per-user entry over the default, owner, admin), intersected with its
//    `access` list when the list is not empty. Only users of admin.db and
//    ros-authd's current admin token get anything from a path-less token: an
//    identity admin.db does not know gets nothing, whatever its `admin` flag
//    says (a key holder grants with path-scoped tokens).
// 3. Whatever the token says, when its identity is a user of admin.db, that
//    user's current permissions bound the result, so a revocation counts at
//    once (decide again whenever ros-authd announces a change).
//
// Errors are for the ERROR 206 text and the log; rights without read are
// not an error here (the caller refuses the BIND).
//
// Thread safety: AdminStore serialises its calls; safe from any thread. Reads
// admin.db (a few small queries): call off the network threads when possible.
#pragma once

#include <string_view>

#include "admin/permissions.hpp"
#include "admin/store.hpp"
#include "auth/token.hpp"
#include "common/result.hpp"

namespace ros::sync::server {

// The rights named by a token's access list.
admin::Rights token_rights(const auth::TokenClaims& claims);

// Rule 0: the subject of `claims` as admin.db knows it (AdminStore::
// token_subject), or permission_denied with the reason when admin.db voids
// the token: "user '<id>' was removed", "the token was issued before the
// user's password was last changed; log in again", "the admin token was
// replaced or revoked; read admin_token.base64 again". `store` null: no
// admin.db to ask; every identity counts as unknown and a path-less admin
// token is refused. The upgrade answers a refusal with HTTP 401.
Result<admin::TokenSubject> check_token(const auth::TokenClaims& claims, admin::AdminStore* store,
                                        std::int64_t now_unix);

// The rights of `claims` on the resolved Realm path `realm_path` at
// `now_unix`: rules 0-3. permission_denied when the token grants nothing
// on it for a reason to tell the client (rule 0; a path-less token of an
// unknown identity; a token for another path).
Result<admin::Rights> session_rights(const auth::TokenClaims& claims, std::string_view realm_path,
                                     admin::AdminStore* store, std::int64_t now_unix);

admin::Rights intersect(admin::Rights a, admin::Rights b);

}  // namespace ros::sync::server
