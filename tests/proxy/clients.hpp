// Clients for proxy tests: a blocking WebSocket client (ws:// or wss://,
// Beast), a bare TLS handshake with chosen protocol versions (OpenSSL), and
// raw TCP connections that say nothing.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace ros::test {

class WsClient {
 public:
  // Connects to 127.0.0.1:port and upgrades at `target`; with `ca`, over TLS
  // verifying the server's certificate (for 127.0.0.1) against that CA.
  // Throws on failure.
  WsClient(std::uint16_t port, const std::string& target,
           std::optional<std::filesystem::path> ca = std::nullopt);
  ~WsClient();

  void send(const std::string& message, bool binary = false);
  std::string receive();  // the next message; throws when the connection ends
  // Sends `message` and returns the answer.
  std::string echo(const std::string& message, bool binary = false) {
    send(message, binary);
    return receive();
  }
  // Waits for the connection to end; true when it did (within 30 s).
  bool wait_closed();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A TLS handshake with 127.0.0.1:port allowing only versions
// [min_version, max_version] (TLS1_1_VERSION, ...), verifying against `ca`.
// Returns "" on success, else OpenSSL's reason.
std::string tls_handshake(std::uint16_t port, int min_version, int max_version,
                          const std::filesystem::path& ca);

// A TCP connection to 127.0.0.1:port; closes on destruction.
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  void send(const std::string& bytes);
  // Reads until the peer closes (true) or 30 s pass (false); what was read
  // goes to `received`.
  bool wait_closed(std::string* received = nullptr);
  // Reads until what was read contains `marker` (true) or the connection
  // ends or 30 s pass (false).
  bool read_until(const std::string& marker, std::string* received);

 private:
  int fd_ = -1;
};

}  // namespace ros::test
