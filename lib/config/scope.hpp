// What each program reads of the configuration, so that a daemon checks only
// its own part at start (and `ros-check-config --daemon NAME` does the same).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ros::config {

struct Scope {
  std::string name;           // "server" or the daemon's program name
  bool storage = false;       // storage.root_path must be a writable directory
  bool public_key = false;    // auth.public_key_path must hold an RSA public key
  bool private_key = false;   // auth.private_key_path must hold an RSA private key
  bool providers = false;     // auth.providers.* settings must be complete
  bool proxy_tls = false;     // proxy.https certificate and key, when enabled
  // Listener keys (e.g. "network.sync") whose port must be free to bind now.
  // Only enabled listeners are probed.
  std::vector<std::string> listeners;
};

// Everything, with every enabled listener probed: before the whole server
// starts, and what commands such as ros-user read.
Scope server_scope();

// The scope of daemon `name` ("ros-syncd", "ros-authd", "ros-proxy",
// "ros-fnd"; the "ros-" prefix may be left out); nullopt for another name.
std::optional<Scope> daemon_scope(std::string_view name);

// "ros-syncd, ros-authd, ros-proxy, ros-fnd", for usage messages.
std::string daemon_names();

}  // namespace ros::config
