// The checks of an UPLOAD against a session's cursors (protocol.md 3.6, 3.8),
// as pure functions, and the threshold filter.
//
// Promises: validate_upload() applies rules 1 to 8 of 3.8 in that order and
// returns the first violation as the session error to send (209 or 210) with
// a message naming the rule's fields; rule 9 (origin file) is the store's, at
// integration. entries_after_threshold() drops the entries a previous session
// already had integrated (client version <= the threshold's).
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sync/protocol/error_codes.hpp"
#include "sync/protocol/messages.hpp"

namespace ros::sync::server {

// (client_version, last_integrated_server_version)
struct UploadCursor {
  std::uint64_t client_version = 0;
  std::uint64_t server_version = 0;
  bool operator==(const UploadCursor&) const = default;
};

// 3.6: if the first component is 0, so is the second.
bool consistent(UploadCursor c);
// 3.6: a before b in client versions means not after in server versions.
bool mutually_consistent(UploadCursor a, UploadCursor b);

struct UploadContext {
  UploadCursor previous_progress;      // P: the last UPLOAD's progress in this session
  UploadCursor threshold;              // T: the integrated upload cursor at IDENT
  std::uint64_t download_server_version = 0;  // S: the session's download position
  std::uint64_t locked_server_version = 0;    // L: the locked version on record
};

struct UploadViolation {
  protocol::ProtocolError code;
  std::string message;
};

std::optional<UploadViolation> validate_upload(const UploadContext& context,
                                               const protocol::Upload& upload);

}  // namespace ros::sync::server
