// The messages of the Realm Sync PBS wire protocol (protocol.md section 2), as
// plain structs, one per message and direction, and one std::variant per
// direction.
//
// Promises:
// - Every field of the head is a member, named after protocol.md, with the
//   C++ type the reference uses (uint64 for idents, versions and sizes, int64
//   for salts, PING times and error codes, bool for 0/1 flags).
// - Size fields are not stored: they are the sizes of the strings and entry
//   lists, computed by format() and checked by the parsers (codec.hpp).
// - Whether an UPLOAD or DOWNLOAD body travels compressed is not part of the
//   message either: format() decides it by the policy of protocol.md 2.2, and
//   the parsers accept both forms.
// - JSON bodies (JSON_ERROR, LOG_MESSAGE) are kept verbatim as bytes; the codec
//   never re-serializes them, so their key order is what the sender chose.
// - No value ranges are checked here (e.g. session ident 0 or salt 0): those are
//   session rules (protocol.md section 3), not syntax.
//
// Thread safety: plain values; no shared state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ros::sync::protocol {

// ---- Client -> server (protocol.md 2.3) -----------------------------------

// bind <session_ident> <server_path_size> <signed_user_token_size>
//      <need_client_file_ident> <is_subserver>\n<server_path><signed_user_token>
struct Bind {
  std::uint64_t session_ident = 0;
  std::string server_path;
  std::string signed_user_token;  // empty for 14.x clients (token is in the URL)
  bool need_client_file_ident = false;
  bool is_subserver = false;
  bool operator==(const Bind&) const = default;
};

// ident <session_ident> <client_file_ident> <client_file_ident_salt>
//       <scan_server_version> <scan_client_version>
//       <latest_server_version> <latest_server_version_salt>\n
struct ClientIdent {
  std::uint64_t session_ident = 0;
  std::uint64_t client_file_ident = 0;
  std::int64_t client_file_ident_salt = 0;
  std::uint64_t scan_server_version = 0;
  std::uint64_t scan_client_version = 0;
  std::uint64_t latest_server_version = 0;
  std::int64_t latest_server_version_salt = 0;
  bool operator==(const ClientIdent&) const = default;
};

// One entry of an UPLOAD body:
// <client_version> SP <server_version> SP <origin_timestamp> SP
// <origin_file_ident> SP <changeset_size> SP <changeset bytes>
struct UploadChangeset {
  std::uint64_t client_version = 0;
  std::uint64_t last_integrated_server_version = 0;  // "server_version" on the wire
  std::uint64_t origin_timestamp = 0;                // ms since 2015-01-01 UTC
  std::uint64_t origin_file_ident = 0;               // 0 ("this client") for 14.x
  std::string changeset;                             // plain changeset format
  bool operator==(const UploadChangeset&) const = default;
};

// upload <session_ident> <is_body_compressed> <uncompressed_body_size>
//        <compressed_body_size> <progress_client_version>
//        <progress_server_version> <locked_server_version>\n<body>
struct Upload {
  std::uint64_t session_ident = 0;
  std::uint64_t progress_client_version = 0;
  std::uint64_t progress_server_version = 0;
  std::uint64_t locked_server_version = 0;
  std::vector<UploadChangeset> changesets;  // empty for a progress-only UPLOAD
  bool operator==(const Upload&) const = default;
};

// mark <session_ident> <request_ident>\n (both directions have this syntax)
struct ClientMark {
  std::uint64_t session_ident = 0;
  std::uint64_t request_ident = 0;
  bool operator==(const ClientMark&) const = default;
};

// unbind <session_ident>\n
struct Unbind {
  std::uint64_t session_ident = 0;
  bool operator==(const Unbind&) const = default;
};

// ping <timestamp> <rtt>\n
struct Ping {
  std::int64_t timestamp = 0;
  std::int64_t rtt = 0;
  bool operator==(const Ping&) const = default;
};

// json_error <error_code> <body_size> <session_ident>\n<JSON object>
struct ClientJsonError {
  std::int64_t error_code = 0;
  std::uint64_t session_ident = 0;
  std::string body;  // JSON text, verbatim
  bool operator==(const ClientJsonError&) const = default;
};

using ClientMessage =
    std::variant<Bind, ClientIdent, Upload, ClientMark, Unbind, Ping, ClientJsonError>;

// ---- Server -> client (protocol.md 2.4) -----------------------------------

// ident <session_ident> <client_file_ident> <client_file_ident_salt>\n
struct ServerIdent {
  std::uint64_t session_ident = 0;
  std::uint64_t client_file_ident = 0;
  std::int64_t client_file_ident_salt = 0;
  bool operator==(const ServerIdent&) const = default;
};

// One entry of a DOWNLOAD body:
// <server_version> SP <client_version> SP <origin_timestamp> SP
// <origin_file_ident> SP <original_changeset_size> SP <changeset_size> SP
// <changeset bytes>
struct DownloadChangeset {
  std::uint64_t server_version = 0;
  std::uint64_t last_integrated_client_version = 0;  // "client_version" on the wire
  std::uint64_t origin_timestamp = 0;
  std::uint64_t origin_file_ident = 0;
  std::uint64_t original_changeset_size = 0;  // equals changeset.size() unless compacted
  std::string changeset;
  bool operator==(const DownloadChangeset&) const = default;
};

// download <session_ident> <download_server_version> <download_client_version>
//          <latest_server_version> <latest_server_version_salt>
//          <upload_client_version> <upload_server_version> <downloadable_bytes>
//          <is_body_compressed> <uncompressed_body_size> <compressed_body_size>\n
//          <body>
// The PBS form only; the FLX form is never produced nor accepted.
struct Download {
  std::uint64_t session_ident = 0;
  std::uint64_t download_server_version = 0;
  std::uint64_t download_client_version = 0;
  std::uint64_t latest_server_version = 0;
  std::int64_t latest_server_version_salt = 0;
  std::uint64_t upload_client_version = 0;
  std::uint64_t upload_server_version = 0;
  std::uint64_t downloadable_bytes = 0;
  std::vector<DownloadChangeset> changesets;  // oldest first, possibly empty
  bool operator==(const Download&) const = default;
};

// mark <session_ident> <request_ident>\n
struct ServerMark {
  std::uint64_t session_ident = 0;
  std::uint64_t request_ident = 0;
  bool operator==(const ServerMark&) const = default;
};

// unbound <session_ident>\n
struct Unbound {
  std::uint64_t session_ident = 0;
  bool operator==(const Unbound&) const = default;
};

// error <error_code> <message_size> <try_again> <session_ident>\n<message>
struct ServerError {
  std::int64_t error_code = 0;
  std::string message;
  bool try_again = false;
  std::uint64_t session_ident = 0;  // 0 = connection level
  bool operator==(const ServerError&) const = default;
};

// json_error <error_code> <body_size> <session_ident>\n<JSON object>
struct ServerJsonError {
  std::int64_t error_code = 0;
  std::uint64_t session_ident = 0;
  std::string body;  // JSON text, verbatim
  bool operator==(const ServerJsonError&) const = default;
};

// pong <timestamp>\n
struct Pong {
  std::int64_t timestamp = 0;
  bool operator==(const Pong&) const = default;
};

// log_message <session_ident> <body_size>\n<JSON object>
struct LogMessage {
  std::uint64_t session_ident = 0;  // 0 = connection level
  std::string body;                 // JSON text, verbatim
  bool operator==(const LogMessage&) const = default;
};

using ServerMessage = std::variant<ServerIdent, Download, ServerMark, Unbound, ServerError,
                                   ServerJsonError, Pong, LogMessage>;

// The wire name of a message ("bind", "ident", "upload", ...).
std::string_view message_name(const ClientMessage& message);
std::string_view message_name(const ServerMessage& message);

}  // namespace ros::sync::protocol
