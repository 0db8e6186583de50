#include "sync/protocol/error_codes.hpp"

namespace ros::sync::protocol {

bool crashes_14x_client(std::int64_t code) {
  switch (code) {
    case 104: case 202: case 203: case 205: case 207: case 214:
    case 215: case 218: case 219: case 220: case 221: case 224:
      return true;
    default:
      return false;
  }
}

std::string_view describe(std::int64_t code) {
  switch (code) {
    case 100: return "connection closed (no error)";
    case 101: return "other connection error";
    case 102: return "unknown type of input message";
    case 103: return "bad syntax in message head";
    case 104: return "limits exceeded in input message";
    case 105: return "wrong protocol version";
    case 106: return "bad session identifier in input message";
    case 107: return "overlapping reuse of session identifier (BIND)";
    case 108: return "client file bound in other session (IDENT)";
    case 109: return "bad input message order";
    case 110: return "error in decompression (UPLOAD)";
    case 111: return "bad syntax in a changeset header (UPLOAD)";
    case 112: return "bad size specified in changeset header (UPLOAD)";
    case 113: return "connected with wrong wire protocol - should switch to FLX sync";
    case 114: return "connected with wrong wire protocol - should switch to PBS";
    case 200: return "session closed (no error)";
    case 201: return "other session level error";
    case 202: return "access token expired";
    case 203: return "bad user authentication (BIND)";
    case 204: return "illegal Realm path (BIND)";
    case 205: return "no such Realm (BIND)";
    case 206: return "permission denied (BIND)";
    case 207: return "bad server file identifier (IDENT) (obsolete)";
    case 208: return "bad client file identifier (IDENT)";
    case 209: return "bad server version (IDENT, UPLOAD)";
    case 210: return "bad client version (IDENT, UPLOAD)";
    case 211: return "diverging histories (IDENT)";
    case 212: return "bad changeset (UPLOAD)";
    case 214: return "partial sync disabled (BIND)";
    case 215: return "unsupported session-level feature";
    case 216: return "bad origin file identifier (UPLOAD)";
    case 217: return "synchronization no longer possible for client-side file";
    case 218: return "server file was deleted while session was bound to it";
    case 219: return "client file has been blacklisted (IDENT)";
    case 220: return "user has been blacklisted (BIND)";
    case 221: return "serialized transaction before upload completion";
    case 222: return "client file has expired";
    case 223: return "user mismatch for client file";
    case 224: return "too many sessions in connection (BIND)";
    case 225: return "invalid schema change (UPLOAD)";
    case 226: return "client query is invalid/malformed (IDENT, QUERY)";
    case 227: return "client tried to create an object that already exists outside their view (UPLOAD)";
    case 228: return "server permissions for this file ident have changed since the last time it was used (IDENT)";
    case 229: return "client tried to open a session before initial sync is complete (BIND)";
    case 230: return "client attempted a write that is disallowed by permissions, or modifies an object outside the current query - requires client reset (UPLOAD)";
    case 231: return "client attempted a write that is disallowed by permissions, or modifies an object outside the current query, and the server undid the modification (UPLOAD)";
    case 232: return "server migrated to flexible sync - migrate client to flexible sync";
    case 233: return "bad progress information (DOWNLOAD)";
    case 234: return "server rolled back after flexible sync migration - revert client to partition based sync";
    case 235: return "client tried to open a session with an invalid schema version (BIND)";
    case 236: return "server schema version changed and client needs to update to the new schema";
    default: return "unknown error code";
  }
}

}  // namespace ros::sync::protocol
