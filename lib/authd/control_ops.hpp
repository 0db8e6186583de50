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

// Mints the path-less admin token (identity "__admin", admin, every right,
// valid as long as a refresh token) and writes it to admin_token.base64
// (mode 0600) by write-temp, sync, rename. Returns the token.
Result<std::string> write_admin_token(Context& context);

}  // namespace ros::authd
