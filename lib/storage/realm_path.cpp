#include "storage/realm_path.hpp"

#include <vector>

namespace ros::storage {
namespace {

constexpr std::size_t kMaxPathLength = 512;
constexpr std::size_t kMaxSegments = 16;
constexpr std::size_t kMaxSegmentLength = 64;

bool allowed_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    segments.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return segments;
}

bool is_user_id(std::string_view s) {
  if (s.size() != 32) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

Result<std::string> resolve_realm_path(std::string_view path, std::string_view user_id) {
  auto invalid = [&](const std::string& why) {
    return make_error(Errc::invalid_argument, "invalid Realm path '" + std::string(path.substr(0, 80)) +
                                                  "': " + why);
  };
  if (path.empty() || path.front() != '/') return invalid("it must start with '/'");
  if (path.size() > kMaxPathLength) return invalid("it is longer than 512 characters");
  auto segments = split(path);
  if (segments.size() > kMaxSegments) return invalid("it has more than 16 segments");
  std::string resolved;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    std::string_view segment = segments[i];
    if (i == 0 && segment == "~") {
      if (user_id.empty()) return invalid("'~' needs a user");
      segment = user_id;
    }
    if (segment.empty()) return invalid("it has an empty segment");
    if (segment.size() > kMaxSegmentLength) return invalid("a segment is longer than 64 characters");
    if (segment.front() == '.') return invalid("a segment starts with '.'");
    for (char c : segment) {
      if (!allowed_char(c)) {
        return invalid("a segment has a character other than letters, digits, '_', '-' and '.'");
      }
    }
    resolved += '/';
    resolved += segment;
  }
  return resolved;
}

std::optional<std::string> realm_owner(std::string_view path) {
  if (path.empty() || path.front() != '/') return std::nullopt;
  auto segments = split(path);
  if (segments.size() < 2 || !is_user_id(segments[0])) return std::nullopt;
  return std::string(segments[0]);
}

}  // namespace ros::storage
