// ros-authd's phases after configuration and log (config/daemon_start.hpp):
// stores, keys, listeners and control socket, the admin token file, then run
// until SIGTERM (daemon/runner.hpp). Start-up failures are printed to `err`
// as one line each and give exit status 1.
#pragma once

#include <iosfwd>

#include "config/config.hpp"

namespace ros::authd {

int run_daemon(const config::Config& config, std::ostream& err);

}  // namespace ros::authd
