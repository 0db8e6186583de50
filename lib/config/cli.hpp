// The command-line options every ros program shares to choose and amend its
// configuration: --config, --root, --public-key, --private-key.
#pragma once

#include <CLI/CLI.hpp>

#include "config/loader.hpp"

namespace ros::config {

// Adds the four options to `app`, storing into `overrides`.
void add_config_options(CLI::App& app, Overrides& overrides);

}  // namespace ros::config
