// The configuration and log phases of every daemon's main.
//
// prepare_daemon() loads the configuration and checks what the daemon reads,
// exactly as `ros-check-config --daemon NAME` does (same code, same
// messages), so a daemon refuses to start on a configuration the checker
// refuses. On success it points the process logger at logging.path (or
// standard error) with logging.level and the daemon's name.
#pragma once

#include <iosfwd>
#include <optional>
#include <string_view>

#include "config/config.hpp"
#include "config/loader.hpp"

namespace ros::config {

// REQUIRES: `daemon` is one of the daemons of scope.hpp.
// Returns the configuration, or nullopt after printing every error to `err`
// followed by "<daemon>: not starting: ..." naming the checker to run.
std::optional<Config> prepare_daemon(std::string_view daemon, const Overrides& overrides,
                                     std::ostream& err);

}  // namespace ros::config
