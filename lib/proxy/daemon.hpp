// ros-proxy's phases after configuration and log (config/daemon_start.hpp):
// the certificate, the listeners of proxy.http and proxy.https, then run
// until SIGTERM, draining open connections for at most proxy.drain_time
// (daemon/runner.hpp). SIGHUP reopens the log and reloads the certificate.
// Start-up failures are printed to `err` as one line each and give exit
// status 1.
#pragma once

#include <iosfwd>

#include "config/config.hpp"

namespace ros::proxy {

int run_daemon(const config::Config& config, std::ostream& err);

}  // namespace ros::proxy
