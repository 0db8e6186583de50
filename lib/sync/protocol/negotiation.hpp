// Sync protocol version negotiation over Sec-WebSocket-Protocol (protocol.md
// 1.3): read what a client offers, choose the version the server speaks, and
// make the value of the response header.
//
// Promises:
// - The header value is a comma-separated list; whitespace around elements is
//   ignored. An element is `<prefix><from>` or `<prefix><from>-<to>` with
//   prefix `com.mongodb.realm-sync#` (protocol 8 and later) or
//   `com.mongodb.realm-sync/` (older clients). Elements with another prefix
//   (e.g. FLX's `com.mongodb.realm-query-sync#`, or `foo`) are ignored: that is
//   not an error.
// - A PBS element whose numbers are not decimal, overflow, or run backwards
//   (`#9-3`) makes the whole offer malformed, as the reference server treats it.
// - negotiate() picks the highest version in both the client's ranges and the
//   server's range, and answers `com.mongodb.realm-sync#<n>`; like the
//   reference, it answers with the old `/` separator when n < 8 (a 14.x client
//   always offers 14 down to 2, so it always gets `#14`).
// - Refusals (the server then answers HTTP 400 with the message as text):
//   invalid_argument for a missing offer or a malformed one, conflict when no
//   version is in common.
//
// Thread safety: pure functions; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace ros::sync::protocol {

inline constexpr std::string_view kProtocolPrefix = "com.mongodb.realm-sync#";
inline constexpr std::string_view kLegacyProtocolPrefix = "com.mongodb.realm-sync/";

// An inclusive range of protocol versions.
struct VersionRange {
  int from = 0;
  int to = 0;
  bool operator==(const VersionRange&) const = default;
};

// What ros-syncd speaks: the reference server's range, 2 to 14. The PBS
// message syntax is the same across it; the number only gates optional
// messages (JSON_ERROR from 4, LOG_MESSAGE from 10).
inline constexpr VersionRange kServerVersions{2, 14};

// The PBS ranges of a Sec-WebSocket-Protocol value, in the client's order.
// Empty when it has no PBS element. Error (invalid_argument) when a PBS element
// is malformed: "malformed protocol version specification '<element>' in
// Sec-WebSocket-Protocol".
ros::Result<std::vector<VersionRange>> parse_protocol_offer(std::string_view header_value);

struct Negotiated {
  int version = 0;
  std::string header_value;  // e.g. "com.mongodb.realm-sync#14"
};

// The chosen version for the client's header value (nullopt: no header).
ros::Result<Negotiated> negotiate(std::optional<std::string_view> header_value,
                                  VersionRange server = kServerVersions);

// The response header value for `version`.
std::string format_protocol_header(int version);

}  // namespace ros::sync::protocol
