// A WebSocket client that speaks raw protocol messages to ros-syncd, for
// tests that must send exactly what a test chooses (misbehaving clients,
// the recorded transcript) and see every byte the server answers.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace ros::test {

// The value a realm-core 14.x client sends (protocol.md 1.2).
extern const char* const kClientProtocolOffer;

class RawSyncClient {
 public:
  struct Options {
    std::string target = "/realm-sync";
    std::optional<std::string> protocols = std::string(kClientProtocolOffer);
    std::optional<std::string> authorization;  // Authorization header value
  };

  // Connects to 127.0.0.1:port and sends the upgrade request.
  RawSyncClient(std::uint16_t port, const Options& options);
  ~RawSyncClient();
  RawSyncClient(RawSyncClient&&) noexcept;
  RawSyncClient& operator=(RawSyncClient&&) noexcept;

  // The HTTP status of the upgrade answer (101 when upgraded), its
  // Sec-WebSocket-Protocol header and, for refusals, the body.
  int status() const;
  const std::string& protocol_header() const;
  const std::string& refusal_body() const;

  void send(const std::string& bytes);
  // The next message, or nullopt when none arrives within `timeout` or the
  // server ended the connection (then closed() is true).
  std::optional<std::string> receive(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  bool closed() const;
  // The code of the server's WebSocket close frame, once closed() by one.
  std::optional<int> close_code() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ros::test
