// Checks of what the configuration points at, limited to what one program
// reads (see scope.hpp): the data directory, the token keys and that they
// form a pair, the TLS certificate, the log file's directory, and that the
// listen ports are distinct and free. Every daemon runs these at start with
// its own scope, with the same messages as ros-check-config.
#pragma once

#include "config/loader.hpp"
#include "config/scope.hpp"

namespace ros::config {

// Appends to loaded.errors every problem within `scope`.
void validate(Loaded& loaded, const Scope& scope);

// load_config, then validate (also after load errors: one run reports all).
Loaded load_and_validate(const Overrides& overrides, const Scope& scope);

}  // namespace ros::config
