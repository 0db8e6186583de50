// ros-authd's control ops on authd.sock (design.md, "Control protocol"), as
// one table:
//
//   user.add     {username, password, admin?}      -> user
//   user.list    {}                                -> {"users":[user...]}
//   user.show    {user}                            -> user
//   user.remove  {user}                            -> {"removed": id}
//   user.passwd  {user, password}                  -> user
//   user.admin   {user, grant}                     -> user
//   token.admin  {}                                -> {"token", "token_data", "path"}
//   token.admin.rotate {}                          -> {"token", "token_data", "path"}
//   token.mint   {user, path?, access?, expires?}  -> {"token", "token_data"}
//   token.inspect {token}                          -> {"token_data", "valid", "error"?}
//   perm.*, offer.*, perm.changed                  -> see perm_ops.hpp
//
// `user` is a user id or a username. A user is
// {"id","username","is_admin","created_at","identities":[...]}.
#pragma once

#include <vector>

#include "authd/context.hpp"
#include "control/server.hpp"

namespace ros::authd {

std::vector<control::Op> control_ops(Context& context);

// Mints a new path-less admin token (identity "__admin", admin, every right,
// valid for tokens.admin_lifetime, a fresh token_id), records its token_id in
// admin.db (ros-syncd honours a path-less admin token only while it is
// listed there), writes it to admin_token.base64 (mode 0600) by write-temp,
// sync, rename, and makes it what token.admin answers. With
// `revoke_others`, every earlier admin token stops being valid at once and
// ros-syncd is told (a "token_revoked" notice on perm.changed); without,
// earlier ones stay valid until they expire (a scheduled rotation must not
// break a script that read the file a moment ago). Returns the token.
Result<std::string> rotate_admin_token(Context& context, bool revoke_others);

}  // namespace ros::authd
