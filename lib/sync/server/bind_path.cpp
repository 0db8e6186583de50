#include "sync/server/bind_path.hpp"

#include "storage/realm_path.hpp"
#include "sync/server/partition.hpp"

namespace ros::sync::server {

Result<std::string> resolve_bind_path(std::string_view server_path, std::string_view identity) {
  auto partition = partition_realm_path(server_path, identity);
  if (!partition) return partition.error();
  if (*partition) {
    // Mapped paths are valid by construction; checked again all the same.
    auto checked = storage::resolve_realm_path(**partition, identity);
    if (!checked) {
      return make_error(Errc::invalid_argument, "bad partition value: " + checked.error().message);
    }
    return checked;
  }
  std::string path;
  path.reserve(server_path.size() + 1);
  for (char ch : server_path) {
    if (ch != '"') path.push_back(ch);
  }
  if (path.empty()) {
    return make_error(Errc::invalid_argument, "illegal Realm path: the path is empty");
  }
  if (path.front() != '/') path.insert(path.begin(), '/');
  auto resolved = storage::resolve_realm_path(path, identity);
  if (!resolved) {
    return make_error(Errc::invalid_argument, "illegal Realm path '" + std::string(server_path) +
                                                  "': " + resolved.error().message);
  }
  return resolved;
}

}  // namespace ros::sync::server
