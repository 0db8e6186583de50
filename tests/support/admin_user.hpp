// Users in a test's admin.db, written directly (no ros-authd needed), for
// fixtures that sign their own tokens: ros-syncd gives nothing to a path-less
// token whose identity admin.db does not know (issue 14), so a fixture's
// all-rights token names an admin user of the data directory.
#pragma once

#include <filesystem>
#include <string>

namespace ros::test {

// The id of the admin user named `username` in <root>/admin.db, created
// (with a random password) when missing. Throws std::runtime_error on a
// store error (the test fails with it).
std::string ensure_admin_user(const std::filesystem::path& root, const std::string& username);

}  // namespace ros::test
