// Layout: every path under storage.root_path, made in this one place
// (design.md, "Data directory"). Nothing else joins path strings under the
// data directory.
#pragma once

#include <filesystem>

namespace ros::storage {

class Layout {
 public:
  explicit Layout(std::filesystem::path root) : root_(std::move(root)) {}

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path admin_db() const { return root_ / "admin.db"; }
  std::filesystem::path admin_token() const { return root_ / "admin_token.base64"; }
  std::filesystem::path realms_dir() const { return root_ / "realms"; }
  std::filesystem::path functions_dir() const { return root_ / "functions"; }
  std::filesystem::path logs_dir() const { return root_ / "logs"; }
  std::filesystem::path default_socket_dir() const { return root_ / "run"; }

 private:
  std::filesystem::path root_;
};

}  // namespace ros::storage
