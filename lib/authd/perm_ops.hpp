// ros-authd's permission and offer ops on authd.sock (issue 4's model, stored
// by admin::AdminStore), and the perm.changed stream:
//
//   perm.grant   {user, realm, read?, write?, manage?, owner?} -> {"entries":[entry...]}
//   perm.revoke  {user, realm, read?, write?, manage?, owner?} -> {"entries":[entry...]}
//   perm.show    {realm, owner?}                               -> {"realm","owner","entries"}
//   perm.list    {user?}                                       -> {"entries":[entry...]}
//   offer.create {realm, read?, write?, manage?, expires?, as?} -> offer
//   offer.list   {as?}                                         -> {"offers":[offer...]}
//   offer.revoke {token}                                       -> {"revoked": token}
//   offer.accept {token, user}                                 -> entry
//   perm.changed {} (stream)                                   -> notices (change_feed.hpp)
//
// `user` is a user id, a username, or "*" (the Realm's default). `realm` is
// a Realm path; "*" means every Realm owned by `owner` (required then), and a
// leading "~" is `owner`'s id. An entry is {"realm","user","username","read",
// "write","manage"}. An offer's creator (`as`) defaults to the Realm's owner.
#pragma once

#include <vector>

#include "authd/context.hpp"
#include "control/server.hpp"

namespace ros::authd {

std::vector<control::Op> permission_ops(Context& context);

nlohmann::json entry_json(const admin::PermissionEntry& entry);
nlohmann::json offer_json(const admin::Offer& offer);

}  // namespace ros::authd
