// Durations and counts as configuration.yml and the commands spell them:
// "600" (seconds), "10m", "12h", "30d", "10y" (365 days).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ros::config {

// A positive integer; with `with_unit`, an optional unit suffix (s, m, h, d,
// y) giving seconds. nullopt for anything else, zero, or an overflow.
std::optional<std::int64_t> parse_positive(const std::string& text, bool with_unit);

// parse_positive(text, true).
inline std::optional<std::int64_t> parse_duration(const std::string& text) {
  return parse_positive(text, true);
}

}  // namespace ros::config
