#include "config/duration.hpp"

#include <charconv>
#include <limits>
#include <string_view>

namespace ros::config {

std::optional<std::int64_t> parse_positive(const std::string& text, bool with_unit) {
  std::int64_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc{} || number <= 0) return std::nullopt;
  std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  if (unit.empty()) return number;
  if (!with_unit) return std::nullopt;
  std::int64_t scale = 0;
  if (unit == "s") scale = 1;
  else if (unit == "m") scale = 60;
  else if (unit == "h") scale = 3600;
  else if (unit == "d") scale = 86400;
  else if (unit == "y") scale = 365 * 86400;
  else return std::nullopt;
  if (number > std::numeric_limits<std::int64_t>::max() / scale) return std::nullopt;
  return number * scale;
}

}  // namespace ros::config
