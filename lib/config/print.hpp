// The effective configuration as YAML: every key of the schema with the value
// in force (defaults included, paths absolute), in the schema's order. Provider
// sections appear only when enabled. The output loads back to the same Config.
#pragma once

#include <string>

#include "config/config.hpp"

namespace ros::config {

std::string effective_yaml(const Config& config);

}  // namespace ros::config
