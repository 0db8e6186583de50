#include "sync/client/merge.hpp"

#include <vector>

#ifdef ROS_SYNC_CLIENT_HAS_TRANSFORM
#include "sync/transform/merge.hpp"
#endif

namespace ros::sync::client {

#ifdef ROS_SYNC_CLIENT_HAS_TRANSFORM

bool merge_available() { return true; }

Result<void> merge_incoming(std::span<MergeItem> local_history, std::span<MergeItem> incoming) {
  auto convert = [](std::span<MergeItem> items) {
    std::vector<transform::MergeChangeset> out;
    out.reserve(items.size());
    for (auto& item : items) {
      out.push_back({std::move(item.changeset), item.origin_timestamp, item.origin_file_ident, item.layout});
    }
    return out;
  };
  auto major = convert(local_history);
  auto minor = convert(incoming);
  auto result = transform::merge(major, minor);
  for (std::size_t i = 0; i < major.size(); ++i) local_history[i].changeset = std::move(major[i].changeset);
  for (std::size_t i = 0; i < minor.size(); ++i) incoming[i].changeset = std::move(minor[i].changeset);
  return result;
}

#else

bool merge_available() { return false; }

Result<void> merge_incoming(std::span<MergeItem>, std::span<MergeItem>) { return {}; }

#endif

}  // namespace ros::sync::client
