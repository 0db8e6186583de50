// Small helpers for ros-syncd's protocol tests: format a client message,
// receive and parse the server's next message.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <catch2/catch.hpp>

#include "sync/protocol/codec.hpp"
#include "support/http_client.hpp"
#include "sync/server/raw_client.hpp"

namespace ros::test {

inline std::string wire(const sync::protocol::ClientMessage& m) { return sync::protocol::format(m); }

// The next server message; fails the test if none arrives or it does not parse.
inline sync::protocol::ServerMessage next_message(RawSyncClient& c, bool skip_log = true) {
  for (;;) {
    auto bytes = c.receive();
    INFO("the connection " << (c.closed() ? "was closed" : "stayed silent"));
    REQUIRE(bytes.has_value());
    auto parsed = sync::protocol::parse_server_message(*bytes);
    INFO("server sent: " << *bytes);
    REQUIRE(parsed.ok());
    if (skip_log && std::holds_alternative<sync::protocol::LogMessage>(parsed.value())) continue;
    return std::move(parsed).value();
  }
}

template <class T>
T next_as(RawSyncClient& c) {
  auto m = next_message(c);
  INFO("got " << sync::protocol::message_name(m) << ": " << sync::protocol::format(m));
  REQUIRE(std::holds_alternative<T>(m));
  return std::get<T>(std::move(m));
}

// Expects a connection-level ERROR with `code`, then the end of the connection.
// An upgrade request as a 14.x client makes it, answered as plain HTTP: for
// refusals, whose status and body a test reads (a WebSocket handshake that is
// declined does not hand its response back).
inline HttpReply upgrade_reply(std::uint16_t port, const std::string& target,
                               const std::string& protocols = kClientProtocolOffer) {
  std::map<std::string, std::string> headers{{"Connection", "Upgrade"},
                                             {"Upgrade", "websocket"},
                                             {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                                             {"Sec-WebSocket-Version", "13"}};
  if (!protocols.empty()) headers["Sec-WebSocket-Protocol"] = protocols;
  return http_request(port, "GET", target, "", headers);
}

inline void expect_connection_error(RawSyncClient& c, std::int64_t code) {
  auto error = next_as<sync::protocol::ServerError>(c);
  CHECK(error.error_code == code);
  CHECK(error.session_ident == 0);
  CHECK_FALSE(error.try_again);
  CHECK_FALSE(c.receive(std::chrono::seconds(5)).has_value());
  CHECK(c.closed());
}

}  // namespace ros::test
