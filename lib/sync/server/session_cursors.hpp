// SessionCursors: where one bound session stands (protocol.md 3.6): its
// client file, its download position, the upload threshold and progress, the
// locked server version, and the two steps that move them, IDENT (3.7) and
// UPLOAD (3.8). ServerRealm keeps one per session; the in-process sync
// simulation drives the same code.
//
// Promises: accept_upload() applies validate_upload() (upload_rules.hpp) and,
// when the UPLOAD passes, records its progress and returns what the store
// must integrate: the entries above the threshold (those at or below it were
// integrated in an earlier session, 4.8) with the progress and locked
// version, or nothing when the UPLOAD brings no entry, no new progress and
// no higher locked version (then no integration, and no DOWNLOAD follows).
//
// Plain values; no I/O; thread-safe as values are.
#pragma once

#include <cstdint>
#include <optional>

#include "sync/protocol/messages.hpp"
#include "sync/server/upload_rules.hpp"
#include "sync/store/realm_store.hpp"

namespace ros::sync::server {

struct SessionCursors {
  std::uint64_t file_ident = 0;
  std::uint64_t file_salt = 0;
  // The download position: what the DOWNLOADs sent so far cover.
  std::uint64_t download_server_version = 0;
  std::uint64_t download_client_version = 0;
  UploadCursor threshold;          // T: the record's upload cursor at IDENT
  UploadCursor previous_progress;  // P: the last UPLOAD's progress in this session
  UploadCursor queued_progress;    // the newest progress handed to the store
  std::uint64_t locked_server_version = 0;

  // What the store checks of a client's IDENT.
  static store::RealmStore::Ident ident_request(const protocol::ClientIdent& ident);

  // The cursors of a session whose IDENT the store accepted with `record`.
  static SessionCursors bound(const protocol::ClientIdent& ident, const store::ClientFile& record);

  struct UploadOutcome {
    std::optional<UploadViolation> violation;  // the session error to send
    std::optional<store::Upload> to_integrate;
  };
  UploadOutcome accept_upload(protocol::Upload upload);
};

}  // namespace ros::sync::server
