// Layout: every path under storage.root_path, made in this one place
// (design.md, "Data directory"). Nothing else joins path strings under the
// data directory.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "storage/realm_path.hpp"

namespace ros::storage {

class Layout {
 public:
  explicit Layout(std::filesystem::path root) : root_(std::move(root)) {}

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path admin_db() const { return root_ / "admin.db"; }
  std::filesystem::path admin_token() const { return root_ / "admin_token.base64"; }
  std::filesystem::path realms_dir() const { return root_ / "realms"; }

  // The SQLite file of the Realm at `resolved_path` (already "~"-expanded):
  // <root>/realms/<path>.db, e.g. "/a/b" -> <root>/realms/a/b.db. The path is
  // validated again (resolve_realm_path, with no user, so a "~" left in it is
  // refused), and a segment ending in ".db", ".db-wal", ".db-shm" or
  // ".db-journal" is refused too: as a folder it would collide with another
  // Realm's file or SQLite's files beside it ("/x.db-wal/y" against "/x").
  // Errors: invalid_argument naming the path and the rule; the sync server
  // answers such a BIND with error 204. Needs ros_storage.
  Result<std::filesystem::path> realm_file(std::string_view resolved_path) const {
    auto checked = resolve_realm_path(resolved_path, "");
    if (!checked) return checked.error();
    std::filesystem::path file = realms_dir();
    std::string_view rest = std::string_view(*checked).substr(1);
    while (!rest.empty()) {
      const auto slash = rest.find('/');
      const std::string_view segment = rest.substr(0, slash);
      for (std::string_view suffix : {".db", ".db-wal", ".db-shm", ".db-journal"}) {
        if (segment.size() >= suffix.size() &&
            segment.substr(segment.size() - suffix.size()) == suffix) {
          return make_error(Errc::invalid_argument,
                            "invalid Realm path '" + std::string(resolved_path.substr(0, 80)) +
                                "': a segment ends in '" + std::string(suffix) + "'");
        }
      }
      if (slash == std::string_view::npos) {
        file /= std::string(segment) + ".db";
        break;
      }
      file /= std::string(segment);
      rest = rest.substr(slash + 1);
    }
    return file;
  }
  std::filesystem::path functions_dir() const { return root_ / "functions"; }
  std::filesystem::path logs_dir() const { return root_ / "logs"; }
  std::filesystem::path default_socket_dir() const { return root_ / "run"; }

 private:
  std::filesystem::path root_;
};

}  // namespace ros::storage
