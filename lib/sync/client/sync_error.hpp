// SyncError: what went wrong in a sync client, as a value a test or a bench
// can inspect (protocol.md 1.5, 2.4, 3.11): the kind of failure, the protocol
// error code or HTTP status, the server's text, and whether the server asked
// the client to try again.
//
// Promises: plain value; to_string() gives one line naming kind, code and
// message, e.g. "server error 211 (session 3): ...".
#pragma once

#include <cstdint>
#include <string>

namespace ros::sync::client {

struct SyncError {
  enum class Kind {
    connect,             // DNS, TCP, TLS or WebSocket failure before the upgrade completed
    http,                // the upgrade was answered with an HTTP status (code = status)
    negotiation,         // 101 without a usable Sec-WebSocket-Protocol
    connection_lost,     // the connection ended (read/write error, PONG timeout)
    protocol_violation,  // the server sent something a 14.x client rejects (code = 0)
    server_error,        // ERROR message (code = its error code)
    server_json_error,   // JSON_ERROR message (code, action from the JSON body)
    integration,         // a DOWNLOAD could not be merged/applied (code = 212)
  };
  Kind kind = Kind::connect;
  std::int64_t code = 0;
  std::string message;
  bool try_again = false;
  std::uint64_t session_ident = 0;  // 0: connection level
  std::string action;               // JSON_ERROR "action", empty otherwise

  std::string to_string() const;
};

const char* to_string(SyncError::Kind kind);

}  // namespace ros::sync::client
