#include "admin/permissions.hpp"

#include "admin/store.hpp"
#include "storage/realm_path.hpp"

namespace ros::admin {

std::vector<std::string> access_list(Rights rights) {
  std::vector<std::string> list;
  if (rights.read) list.emplace_back("download");
  if (rights.write) list.emplace_back("upload");
  if (rights.manage) list.emplace_back("manage");
  return list;
}

Result<void> validate_rights(Rights rights) {
  if (rights.write && !rights.read) {
    return make_error(Errc::invalid_argument, "write without read is not allowed; grant read too");
  }
  if (rights.manage && !rights.read) {
    return make_error(Errc::invalid_argument,
                      "manage without read is not allowed; grant read too");
  }
  return {};
}

Result<Rights> apply_grant(Rights current, RightsChange change) {
  Rights next = current;
  if (change.read) next.read = *change.read;
  if (change.write) next.write = *change.write;
  if (change.manage) next.manage = *change.manage;
  if (auto r = validate_rights(next); !r) return r.error();
  return next;
}

Rights apply_revoke(Rights current, RightsChange change) {
  bool read = change.read.value_or(false);
  bool write = change.write.value_or(false);
  bool manage = change.manage.value_or(false);
  if (!read && !write && !manage) return Rights{};
  Rights next = current;
  if (read) next = Rights{};
  if (write) next.write = false;
  if (manage) next.manage = false;
  return next;
}

Rights effective_rights(const User& user, std::string_view resolved_path,
                        std::optional<Rights> per_user_entry, std::optional<Rights> default_entry) {
  if (user.is_admin) return Rights::all();
  if (auto owner = storage::realm_owner(resolved_path); owner && *owner == user.id) {
    return Rights::all();
  }
  if (per_user_entry) return *per_user_entry;
  if (default_entry) return *default_entry;
  return Rights{};
}

RightsChange additive_change(Rights rights) {
  RightsChange change;
  if (rights.read) change.read = true;
  if (rights.write) change.write = true;
  if (rights.manage) change.manage = true;
  return change;
}

}  // namespace ros::admin
