#include "sync/server/upload_rules.hpp"

namespace ros::sync::server {

bool consistent(UploadCursor c) { return c.client_version != 0 || c.server_version == 0; }

bool mutually_consistent(UploadCursor a, UploadCursor b) {
  if (a.client_version < b.client_version) return a.server_version <= b.server_version;
  if (a.client_version > b.client_version) return a.server_version >= b.server_version;
  return a.server_version == b.server_version;
}

namespace {

std::string str(UploadCursor c) {
  return "(" + std::to_string(c.client_version) + ", " + std::to_string(c.server_version) + ")";
}

UploadViolation bad_server_version(std::string message) {
  return {protocol::ProtocolError::bad_server_version, std::move(message)};
}

UploadViolation bad_client_version(std::string message) {
  return {protocol::ProtocolError::bad_client_version, std::move(message)};
}

}  // namespace

std::optional<UploadViolation> validate_upload(const UploadContext& ctx,
                                               const protocol::Upload& upload) {
  const UploadCursor progress{upload.progress_client_version, upload.progress_server_version};
  const UploadCursor& previous = ctx.previous_progress;
  const UploadCursor& threshold = ctx.threshold;

  if (progress.client_version < previous.client_version) {  // rule 1
    return bad_client_version("upload progress client version " +
                              std::to_string(progress.client_version) +
                              " is below the previous upload's " +
                              std::to_string(previous.client_version));
  }
  if (progress.server_version > ctx.download_server_version) {  // rule 2
    return bad_server_version("upload progress server version " +
                              std::to_string(progress.server_version) +
                              " is beyond the download position " +
                              std::to_string(ctx.download_server_version));
  }
  if (!consistent(progress) || !mutually_consistent(progress, threshold) ||
      !mutually_consistent(progress, previous)) {  // rule 3
    return bad_server_version("upload progress " + str(progress) +
                              " is inconsistent with the threshold " + str(threshold) +
                              " or the previous progress " + str(previous));
  }
  if (upload.locked_server_version < ctx.locked_server_version ||
      upload.locked_server_version > ctx.download_server_version) {  // rule 4
    return bad_server_version("locked server version " +
                              std::to_string(upload.locked_server_version) +
                              " is below the recorded " + std::to_string(ctx.locked_server_version) +
                              " or beyond the download position " +
                              std::to_string(ctx.download_server_version));
  }
  UploadCursor last = previous;
  bool first = true;
  for (const auto& entry : upload.changesets) {
    const UploadCursor cursor{entry.client_version, entry.last_integrated_server_version};
    if (entry.client_version <= last.client_version) {  // rule 5
      return bad_client_version("changeset client version " +
                                std::to_string(entry.client_version) + " is not above " +
                                std::to_string(last.client_version));
    }
    if (!consistent(cursor) || !mutually_consistent(cursor, threshold) ||
        (!first && !mutually_consistent(cursor, last))) {  // rule 6
      return bad_server_version("changeset cursor " + str(cursor) +
                                " is inconsistent with the threshold " + str(threshold) +
                                " or the previous changeset " + str(last));
    }
    last = cursor;
    first = false;
  }
  if (!upload.changesets.empty()) {
    if (last.client_version > progress.client_version) {  // rule 7
      return bad_client_version("changeset client version " + std::to_string(last.client_version) +
                                " is beyond the upload progress " +
                                std::to_string(progress.client_version));
    }
    if (!mutually_consistent(last, progress)) {  // rule 8
      return bad_server_version("last changeset cursor " + str(last) +
                                " is inconsistent with the upload progress " + str(progress));
    }
  }
  return std::nullopt;
}

}  // namespace ros::sync::server
