// The protocol error codes of ERROR / JSON_ERROR (protocol.md 4.5), and which
// of them a realm-core 14.x client cannot survive.
//
// Promises: the numeric values are the wire values and never change. Codes the
// 14.x client aborts on (the CRASH rows of 4.5) are listed here so that the
// server can refuse to send them: crashes_14x_client() is true for exactly
// those rows.
//
// Thread safety: constants and pure functions only.
#pragma once

#include <cstdint>
#include <string_view>

namespace ros::sync::protocol {

enum class ProtocolError : std::int64_t {
  // Connection level (session ident 0).
  connection_closed = 100,
  other_error = 101,
  unknown_message = 102,
  bad_syntax = 103,
  limits_exceeded = 104,  // CRASH: never send, use bad_syntax
  wrong_protocol_version = 105,
  bad_session_ident = 106,
  reuse_of_session_ident = 107,
  bound_in_other_session = 108,
  bad_message_order = 109,
  bad_decompression = 110,
  bad_changeset_header_syntax = 111,
  bad_changeset_size = 112,
  switch_to_flx_sync = 113,
  switch_to_pbs = 114,
  // Session level.
  session_closed = 200,
  other_session_error = 201,
  token_expired = 202,        // CRASH
  bad_authentication = 203,   // CRASH
  illegal_realm_path = 204,
  no_such_realm = 205,        // CRASH
  permission_denied = 206,
  bad_server_file_ident = 207,  // CRASH
  bad_client_file_ident = 208,
  bad_server_version = 209,
  bad_client_version = 210,
  diverging_histories = 211,
  bad_changeset = 212,
  partial_sync_disabled = 214,        // CRASH
  unsupported_session_feature = 215,  // CRASH
  bad_origin_file_ident = 216,
  bad_client_file = 217,
  server_file_deleted = 218,       // CRASH
  client_file_blacklisted = 219,   // CRASH
  user_blacklisted = 220,          // CRASH
  transact_before_upload = 221,    // CRASH
  client_file_expired = 222,
  user_mismatch = 223,
  too_many_sessions = 224,  // CRASH
  invalid_schema_change = 225,
  bad_query = 226,
  object_already_exists = 227,
  server_permissions_changed = 228,
  initial_sync_not_completed = 229,
  write_not_allowed = 230,
  compensating_write = 231,
  migrate_to_flx = 232,
  bad_progress = 233,
  revert_to_pbs = 234,
  bad_schema_version = 235,
  schema_version_changed = 236,
};

constexpr std::int64_t to_int(ProtocolError code) { return static_cast<std::int64_t>(code); }

// True for the codes that make a 14.x client abort its process (4.5):
// 104, 202, 203, 205, 207, 214, 215, 218, 219, 220, 221, 224.
bool crashes_14x_client(std::int64_t code);

// A short English name of a code ("bad syntax in message head"); "unknown
// error code" for a code not in 4.5.
std::string_view describe(std::int64_t code);

}  // namespace ros::sync::protocol
