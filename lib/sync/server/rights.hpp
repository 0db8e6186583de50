// What a session may do with the Realm it binds (design.md, "Tokens and
// rights"; issue 6): read (download, needed to bind) and write (upload).
//
// The rules, in order:
// 1. A token with a `path` claim is a capability signed by our key (from
//    ros-authd, `ros-token mint` or any holder of the private key): the
//    BIND path must equal its path ("~" expanded for both), and its `access`
//    list gives the rights ("download" read, "upload" write, "manage"), all
//    of them when its `admin` flag is set.
// 2. A path-less token (what 14.x clients use, protocol.md 5.6) takes its
//    rights from admin.db: the identity's effective rights on the Realm
//    (per-user entry over the default, owner, admin), intersected with its
//    `access` list when the list is not empty. An identity admin.db does not
//    know (or no longer knows) gets the Realm's default rights only, or all
//    rights when the token says `admin: true` explicitly.
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

// The rights of `claims` on the resolved Realm path `realm_path`.
// `store` may be null (no admin.db): rule 3 then has nothing to bound with
// and rule 2 gives only what an explicit admin flag gives.
Result<admin::Rights> session_rights(const auth::TokenClaims& claims, std::string_view realm_path,
                                     admin::AdminStore* store);

admin::Rights intersect(admin::Rights a, admin::Rights b);

}  // namespace ros::sync::server
