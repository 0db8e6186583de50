// The nine log levels of the original Realm Object Server, from most to
// least verbose: all trace debug detail info warn error fatal off.
// A threshold of `all` writes everything, `off` writes nothing; a message is
// written when its level is at least the threshold.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace ros::log {

enum class Level { all, trace, debug, detail, info, warn, error, fatal, off };

inline constexpr std::array<std::string_view, 9> kLevelNames{
    "all", "trace", "debug", "detail", "info", "warn", "error", "fatal", "off"};

// "info" for Level::info.
std::string_view to_string(Level level);

// The level named `name` (exactly, lower case); nullopt otherwise.
std::optional<Level> parse_level(std::string_view name);

}  // namespace ros::log
