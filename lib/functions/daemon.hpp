// ros-fnd's phases after the configuration check (style.md 9): open the
// function registry (admin.db) and write the Node runtime, bind the control
// socket fnd.sock, start a worker per running function, serve until
// SIGTERM/SIGINT, then stop the workers (a running function is killed; its
// event is delivered again at the next start) and exit.
#pragma once

#include <ostream>

#include "config/config.hpp"

namespace ros::functions {

// Returns the exit status; start-up failures are printed on `err` and logged.
int run_daemon(const config::Config& config, std::ostream& err);

}  // namespace ros::functions
