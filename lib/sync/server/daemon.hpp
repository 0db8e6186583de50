// ros-syncd's phases after the configuration check (style.md 9): open the
// stores and keys, start the control socket and the permission feed, listen
// on network.sync last (once the port answers, everything is ready), serve
// until SIGTERM/SIGINT, then close connections and drain.
#pragma once

#include <ostream>

#include "config/config.hpp"

namespace ros::sync::server {

// Returns the exit status; start-up failures are printed on `err` and logged.
int run_daemon(const config::Config& config, std::ostream& err);

}  // namespace ros::sync::server
