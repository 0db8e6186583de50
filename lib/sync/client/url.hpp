// The parts of a sync client's connection that come before the first
// protocol message (protocol.md 1.1-1.4): the server URL, the request target
// with the token, the Sec-WebSocket-Protocol offer, and the check of the
// server's answer.
//
// Promises:
// - parse_sync_url() accepts ws://, wss://, realm://, realms:// (the last two
//   as ws/wss), a host (name, IPv4, or [IPv6]), an optional port (default 80
//   plain, 443 TLS) and an optional path (default "/realm-sync"); user info,
//   query and fragment are refused, as the 14.x client refuses them.
// - request_target() appends the token verbatim as `baas_at` (no escaping:
//   14.x clients send the classic token's "+/=:" raw), with '?' or '&'.
// - offered_protocols() is exactly the 14.x list, "#14" down to "#2".
// - check_server_protocol() accepts only "com.mongodb.realm-sync#<n>" with
//   2 <= n <= 14 (what a 14.x client accepts) and returns n.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace ros::sync::client {

struct SyncUrl {
  bool tls = false;
  std::string host;  // without brackets for IPv6
  std::uint16_t port = 0;
  std::string path;  // "/realm-sync" when the URL had none

  // The Host header: host, or host:port when the port is not the scheme's default.
  std::string host_header() const;
};

Result<SyncUrl> parse_sync_url(std::string_view url);

// "/api/client/v2.0/app/<app_id>/realm-sync", the path SDKs built on App use.
std::string app_sync_path(std::string_view app_id);

// `path` + "?baas_at=" + token (or "&baas_at=" when path already has a query).
std::string request_target(std::string_view path, std::string_view token);

// "com.mongodb.realm-sync#14, com.mongodb.realm-sync#13, ..., com.mongodb.realm-sync#2"
std::string offered_protocols();

inline constexpr int kOldestProtocol = 2;
inline constexpr int kNewestProtocol = 14;

// The negotiated version from the 101's Sec-WebSocket-Protocol (nullopt:
// header missing); invalid_argument with the reason otherwise.
Result<int> check_server_protocol(std::optional<std::string_view> header_value);

}  // namespace ros::sync::client
