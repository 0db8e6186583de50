#include "sync/client/sync_error.hpp"

namespace ros::sync::client {

const char* to_string(SyncError::Kind kind) {
  switch (kind) {
    case SyncError::Kind::connect: return "connect failed";
    case SyncError::Kind::http: return "HTTP";
    case SyncError::Kind::negotiation: return "protocol negotiation failed";
    case SyncError::Kind::connection_lost: return "connection lost";
    case SyncError::Kind::protocol_violation: return "protocol violation";
    case SyncError::Kind::server_error: return "server error";
    case SyncError::Kind::server_json_error: return "server JSON error";
    case SyncError::Kind::integration: return "integration error";
  }
  return "error";
}

std::string SyncError::to_string() const {
  std::string out = client::to_string(kind);
  if (code != 0) out += " " + std::to_string(code);
  if (session_ident != 0) out += " (session " + std::to_string(session_ident) + ")";
  if (!action.empty()) out += " [action " + action + "]";
  out += ": " + message;
  return out;
}

}  // namespace ros::sync::client
