#include "log/level.hpp"

namespace ros::log {

std::string_view to_string(Level level) {
  return kLevelNames[static_cast<size_t>(level)];
}

std::optional<Level> parse_level(std::string_view name) {
  for (size_t i = 0; i < kLevelNames.size(); ++i) {
    if (kLevelNames[i] == name) return static_cast<Level>(i);
  }
  return std::nullopt;
}

}  // namespace ros::log
