// ros-proxy's listening side: the plain and TLS listeners, the connection
// limit, and the stop that drains open connections.
//
// Promises:
// - at most settings.max_connections client connections are open at once;
//   further ones are accepted and closed at once, so the backlog never fills;
//   running out of file descriptors pauses accepting briefly instead of
//   spinning;
// - stop() closes the listeners and drains every session (connections.hpp);
//   open_connections() then falls to zero as they finish.
//
// REQUIRES: destroyed only after the io_context has stopped running.
// listen() before the io_context runs; stop() and open_connections() from any
// thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "common/result.hpp"
#include "proxy/connections.hpp"
#include "proxy/tls.hpp"

namespace ros::proxy {

class Listener;

class Server {
 public:
  Server(boost::asio::io_context& io, Settings settings);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Listens on address:port (port 0: a free one), plain when `tls` is null,
  // else TLS with the certificate's current context for each connection.
  // Returns the port.
  Result<std::uint16_t> listen(const std::string& address, std::uint16_t port,
                               const TlsCertificate* tls);

  void stop();
  std::size_t open_connections() const { return state_->open.load(); }

 private:
  boost::asio::io_context& io_;
  std::shared_ptr<SharedState> state_;
  std::vector<std::shared_ptr<Listener>> listeners_;
};

}  // namespace ros::proxy
