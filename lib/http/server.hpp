// Server: an HTTP/1.1 server (Boost.Beast) that turns each request into a
// call of one handler. Used by ros-authd; the handler does the routing.
//
// Promises:
// - every read has a deadline (limits.read_timeout) and a size limit: headers
//   beyond max_header_bytes get 431, bodies beyond max_body_bytes get 413,
//   malformed requests get 400, each as problem+json, then the connection
//   closes; nothing a client sends ends the server;
// - at most max_connections connections are served at once; further ones are
//   accepted and closed at once, so the backlog never fills;
// - keep-alive is honoured; responses carry Content-Type and Content-Length.
//
// Threads: run the io_context on several threads if handlers block (password
// hashing, SQLite). Each connection is a session on its own strand; the
// handler is called on that strand and may block it, not others.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/result.hpp"
#include "http/message.hpp"

namespace ros::http {

struct ServerLimits {
  std::size_t max_body_bytes = 1 << 20;      // larger bodies: 413
  std::size_t max_header_bytes = 16 << 10;   // larger headers: 431
  std::chrono::seconds read_timeout{30};     // whole request, and idle keep-alive
  std::size_t max_connections = 1024;        // concurrent; extras are closed at once
};

using Handler = std::function<Response(const Request&)>;

// REQUIRES: destroyed only after the io_context has stopped running.
class Server {
 public:
  Server(boost::asio::io_context& io, Handler handler, ServerLimits limits);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens (SO_REUSEADDR), then accepts in the background.
  // Port 0 takes a free port; port() tells which.
  Result<void> listen(const std::string& address, std::uint16_t port);
  std::uint16_t port() const;

  // Stops accepting (from any thread, while the io_context runs). Open
  // connections finish their current request.
  void stop();

  std::size_t open_connections() const { return state_->open.load(); }

  // Shared with sessions, which may outlive the Server object briefly.
  struct State {
    Handler handler;
    ServerLimits limits;
    std::atomic<std::size_t> open{0};
  };

 private:
  void accept();

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  // On the acceptor's strand: the pause after an accept that failed for want
  // of descriptors (daemon/accept_backoff.hpp), and when it was last logged.
  boost::asio::steady_timer accept_pause_;
  std::chrono::steady_clock::time_point accept_warned_{};
  std::shared_ptr<State> state_;
};

}  // namespace ros::http
