// The permission model of a Realm (issue 4), as pure functions: no I/O, no
// locking. AdminStore (store.hpp) stores the entries; these functions decide
// what an entry becomes after a change and what rights a user ends up with.
//
// The model:
//   - Three flags per Realm: read, write, manage. An entry is set per user, or
//     as the Realm's default (user "*").
//   - Effective rights, first rule that applies: an admin user has all rights
//     on every Realm; the owner of "/<user id>/..." has all rights on it; a
//     per-user entry, when there is one, gives exactly its rights (it wins over
//     the default even when it grants less); else the default entry; else none.
//   - Refused combinations: write without read, manage without read.
//   - A change names some flags; a flag it leaves unspecified keeps its value.
//
// Promises: apply_grant() never returns a refused combination (it returns
// invalid_argument instead); apply_revoke() never produces one (revoking read
// also clears write and manage), so it cannot fail.
//
// Not errors: granting a flag already held; revoking a flag not held; a grant
// that sets nothing (the rights are returned unchanged).
//
// Thread safety: every function is pure and may be called from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace ros::admin {

struct User;  // store.hpp

struct Rights {
  bool read = false;    // may download the Realm ("download" in a token)
  bool write = false;   // may upload changes ("upload" in a token)
  bool manage = false;  // may change the Realm's permissions, offer it ("manage")

  static constexpr Rights all() { return {true, true, true}; }
  bool none() const { return !read && !write && !manage; }
  bool operator==(const Rights&) const = default;
};

// The rights of an access token, in this order: "download" (read), "upload"
// (write), "manage". Empty for no rights.
std::vector<std::string> access_list(Rights rights);

// A change: each flag that has a value is set (grant) or, when true, cleared
// (revoke); nullopt keeps the current value.
struct RightsChange {
  std::optional<bool> read, write, manage;
  bool operator==(const RightsChange&) const = default;
};

// Ok when `rights` is an allowed combination; invalid_argument otherwise:
//   "write without read is not allowed; grant read too"
//   "manage without read is not allowed; grant read too"
// (write is checked first). No rights at all is allowed here.
Result<void> validate_rights(Rights rights);

// `current` with each flag that `change` specifies set to the given value
// (true or false), checked with validate_rights().
Result<Rights> apply_grant(Rights current, RightsChange change);

// `current` with each flag that `change` gives as true cleared; clearing read
// also clears write and manage. A change with no flag given as true (all
// nullopt, or only false values) clears all rights: false and unspecified mean
// the same in a revoke, so "revoke USER REALM" without flags removes the entry.
Rights apply_revoke(Rights current, RightsChange change);

// The rights `user` has on the Realm at `resolved_path` (already validated,
// "~" expanded), given the stored per-user entry for that user and the stored
// default entry of the Realm (nullopt when absent). Rules in the header
// comment. Uses user.id and user.is_admin as given.
Rights effective_rights(const User& user, std::string_view resolved_path,
                        std::optional<Rights> per_user_entry, std::optional<Rights> default_entry);

// The change that, granted, adds the rights of `rights` without clearing any:
// each true flag becomes `true`, each false flag nullopt.
RightsChange additive_change(Rights rights);

}  // namespace ros::admin
