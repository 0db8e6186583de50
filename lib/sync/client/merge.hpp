// The client's merge step (merge.md 3.5): incoming server changesets (minor)
// against the local changesets the server had not integrated when it made
// them (major, in their reciprocal form), both rewritten in place.
//
// Promises: with lib/sync/transform linked in (target ros_sync_transform),
// this is transform::merge. Without it, nothing is transformed and
// merge_available() is false: incoming changesets are then applied as they
// come, which converges only when concurrent changes do not conflict (the
// client says so in its logs; tests that need real conflict resolution check
// merge_available()).
#pragma once

#include <span>

#include "common/result.hpp"
#include "sync/changeset/instruction.hpp"

namespace ros::sync::client {

struct MergeItem {
  changeset::Changeset changeset;
  std::uint64_t origin_timestamp = 0;
  std::uint64_t origin_file_ident = 0;  // never 0: the own ident replaces it
  // The layout of the bytes `changeset` was parsed from (quirk z3 of merge.md).
  changeset::Layout layout = changeset::Layout::hoisted;
};

bool merge_available();

Result<void> merge_incoming(std::span<MergeItem> local_history, std::span<MergeItem> incoming);

}  // namespace ros::sync::client
