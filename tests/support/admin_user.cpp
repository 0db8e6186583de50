#include "support/admin_user.hpp"

#include <stdexcept>

#include "admin/password.hpp"
#include "admin/store.hpp"

namespace ros::test {

std::string ensure_admin_user(const std::filesystem::path& root, const std::string& username) {
  // Nobody logs in with this password: one iteration keeps fixtures fast.
  admin::set_pbkdf2_iterations_for_testing(1);
  auto store = admin::AdminStore::open(root / "admin.db");
  if (!store) throw std::runtime_error(store.error().message);
  auto found = (*store)->find_user(username);
  if (found && found->id != username) {
    if (!found->is_admin) {
      if (auto r = (*store)->set_admin(found->id, true); !r) throw std::runtime_error(r.error().message);
    }
    return found->id;
  }
  auto created = (*store)->create_password_user(username, "fixture-password", true);
  if (!created) throw std::runtime_error(created.error().message);
  return created->id;
}

}  // namespace ros::test
