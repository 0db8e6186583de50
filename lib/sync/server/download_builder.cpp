#include "sync/server/download_builder.hpp"

#include <utility>

namespace ros::sync::server {

Result<protocol::Download> build_download(const store::RealmStore& store,
                                          const DownloadRequest& request) {
  protocol::Download download;
  download.session_ident = request.session_ident;
  const std::uint64_t newest = request.latest.version;
  std::uint64_t position = request.download_server_version;
  std::uint64_t client_version = request.download_client_version;
  std::uint64_t remaining = 0;
  if (position < newest) {
    auto entries = store.history_since(position, request.max_bytes);
    if (!entries) return entries.error();
    for (auto& e : *entries) {
      if (e.origin_file_ident == request.record.ident) {
        client_version = e.client_version;  // the receiver's own: not sent
        continue;
      }
      if (e.changeset.empty()) continue;
      protocol::DownloadChangeset out;
      out.server_version = e.version;
      out.last_integrated_client_version = client_version;
      out.origin_timestamp = e.origin_timestamp;
      out.origin_file_ident =
          e.origin_file_ident == 0 ? store::kServerFileIdent : e.origin_file_ident;
      out.original_changeset_size = e.changeset.size();
      out.changeset = std::move(e.changeset);
      download.changesets.push_back(std::move(out));
    }
    if (!entries->empty()) {
      position = entries->back().version;
      if (position < newest) {
        // Split: what is left is the newest cumulative size minus ours.
        auto tail = store.history_since(newest - 1, 1);
        if (tail && !tail->empty()) {
          remaining = tail->back().cumulative_size - entries->back().cumulative_size;
        }
      }
    } else {
      position = newest;
    }
  }
  download.download_server_version = position;
  download.download_client_version = client_version;
  download.latest_server_version = newest;
  download.latest_server_version_salt = static_cast<std::int64_t>(request.latest.salt);
  download.upload_client_version = request.record.upload_client_version;
  download.upload_server_version = request.record.upload_server_version;
  download.downloadable_bytes = remaining;
  return download;
}

}  // namespace ros::sync::server
