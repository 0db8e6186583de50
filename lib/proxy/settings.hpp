// What ros-proxy needs from configuration.yml, in the types it works with:
// the two back ends it forwards to and the limits of its client connections.
// Built once at start-up; constant afterwards, so every session may read it
// from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include <boost/asio/ip/tcp.hpp>

#include "config/config.hpp"

namespace ros::proxy {

// A service behind the proxy.
struct Backend {
  std::string name;  // the daemon, for messages: "ros-authd"
  std::string key;   // its configuration section: "network.http"
  boost::asio::ip::tcp::endpoint endpoint;  // where to connect
};

struct Settings {
  Backend http;  // ros-authd: everything that is not sync
  Backend sync;  // ros-syncd: WebSocket upgrades and the sync paths
  std::size_t max_header_bytes = 16384;  // a request head larger than this: 431
  // No request head (or no body byte, no response byte) for this long: closed.
  std::chrono::seconds idle_timeout{60};
  // A WebSocket tunnel with no byte either way for this long: closed.
  std::chrono::seconds websocket_idle_timeout{1800};
  std::size_t max_connections = 10000;  // client connections; extras are closed at once
  std::chrono::seconds drain_time{10};  // after SIGTERM, open connections get this long
};

// The settings of `config`. A back end listening on every address (0.0.0.0,
// ::) is reached on the matching loopback address.
Settings settings_from(const config::Config& config);

}  // namespace ros::proxy
