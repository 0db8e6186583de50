#include "sync/server/session_cursors.hpp"

#include <algorithm>

namespace ros::sync::server {

store::RealmStore::Ident SessionCursors::ident_request(const protocol::ClientIdent& ident) {
  store::RealmStore::Ident request;
  request.client_file_ident = ident.client_file_ident;
  request.client_file_salt = static_cast<std::uint64_t>(ident.client_file_ident_salt);
  request.scan_server_version = ident.scan_server_version;
  request.scan_client_version = ident.scan_client_version;
  request.latest_server_version = ident.latest_server_version;
  request.latest_server_version_salt = static_cast<std::uint64_t>(ident.latest_server_version_salt);
  return request;
}

SessionCursors SessionCursors::bound(const protocol::ClientIdent& ident,
                                     const store::ClientFile& record) {
  SessionCursors c;
  c.file_ident = record.ident;
  c.file_salt = record.salt;
  c.download_server_version = ident.scan_server_version;
  c.download_client_version = ident.scan_client_version;
  c.threshold = {record.upload_client_version, record.upload_server_version};
  c.queued_progress = c.threshold;
  c.locked_server_version = record.locked_server_version;
  return c;
}

SessionCursors::UploadOutcome SessionCursors::accept_upload(protocol::Upload upload) {
  UploadContext context;
  context.previous_progress = previous_progress;
  context.threshold = threshold;
  context.download_server_version = download_server_version;
  context.locked_server_version = locked_server_version;
  if (auto violation = validate_upload(context, upload)) return {std::move(violation), {}};

  const UploadCursor progress{upload.progress_client_version, upload.progress_server_version};
  previous_progress = progress;

  store::Upload queued;
  queued.client_file_ident = file_ident;
  queued.progress_client_version = progress.client_version;
  queued.progress_server_version = progress.server_version;
  queued.locked_server_version = upload.locked_server_version;
  for (auto& entry : upload.changesets) {
    if (entry.client_version <= threshold.client_version) continue;  // integrated before
    store::UploadEntry e;
    e.client_version = entry.client_version;
    e.last_integrated_server_version = entry.last_integrated_server_version;
    e.origin_timestamp = entry.origin_timestamp;
    e.origin_file_ident = entry.origin_file_ident;
    e.changeset = std::move(entry.changeset);
    queued.entries.push_back(std::move(e));
  }
  const bool progressed = progress.client_version > queued_progress.client_version ||
                          progress.server_version > queued_progress.server_version;
  const bool locked_grew = upload.locked_server_version > locked_server_version;
  if (queued.entries.empty() && !progressed && !locked_grew) return {};
  if (progressed) queued_progress = progress;
  locked_server_version = std::max(locked_server_version, upload.locked_server_version);
  return {std::nullopt, std::move(queued)};
}

}  // namespace ros::sync::server
