// Transport: one WebSocket connection to a sync server, over TCP (ws://) or
// TLS (wss://), as the 14.x client opens it (protocol.md 1.2, 1.6).
//
// Promises:
// - open() resolves, connects, does the TLS handshake (SNI = host; with
//   verification on, the peer's chain must lead to a trusted CA and the
//   certificate must name the host or IP the URL names), then sends the
//   upgrade request with exactly the 14.x headers (the Sec-WebSocket-Protocol
//   list of url.hpp, the User-Agent) and reports the HTTP status, the chosen
//   protocol header and, for a refusal, the response body. Everything up to
//   the 101 must finish within `connect_timeout`.
// - read() delivers binary messages whole; text messages are skipped, as the
//   14.x client skips them. write() sends one binary message; at most one
//   read and one write may be outstanding (the Client queues).
// - close() ends the connection at once with a plain TCP close, like the
//   14.x client: no WebSocket close frame. Outstanding handlers then get an
//   error. The transport never sends WebSocket pings.
//
// Thread safety: all calls on the io_context's thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

#include "sync/client/url.hpp"

namespace ros::sync::client {

struct HandshakeResult {
  int status = 0;                       // HTTP status of the upgrade response (0: none)
  std::optional<std::string> protocol;  // its Sec-WebSocket-Protocol
  std::string body;                     // its body, for refusals
};

struct TransportOptions {
  SyncUrl url;
  std::string target;  // path and query of the request line
  std::string user_agent;
  std::chrono::milliseconds connect_timeout{120000};
  boost::asio::ssl::context* tls = nullptr;  // required for wss
  bool verify_peer = true;
  std::size_t max_message_size = 128 * 1024 * 1024;
};

class Transport {
 public:
  using OpenHandler = std::function<void(boost::system::error_code, HandshakeResult)>;
  using ReadHandler = std::function<void(boost::system::error_code, std::string)>;
  using WriteHandler = std::function<void(boost::system::error_code)>;

  virtual ~Transport() = default;
  virtual void open(OpenHandler handler) = 0;
  virtual void read(ReadHandler handler) = 0;
  virtual void write(std::string message, WriteHandler handler) = 0;
  virtual void close() = 0;
};

std::shared_ptr<Transport> make_transport(boost::asio::io_context& io, TransportOptions options);

}  // namespace ros::sync::client
