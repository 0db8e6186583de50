#include "common/result.hpp"

#include <array>

namespace ros {
namespace {

struct CodeName {
  Errc code;
  std::string_view name;
};

constexpr std::array<CodeName, 8> kCodeNames{{
    {Errc::invalid_argument, "invalid_argument"},
    {Errc::unknown_op, "unknown_op"},
    {Errc::not_found, "not_found"},
    {Errc::already_exists, "already_exists"},
    {Errc::permission_denied, "permission_denied"},
    {Errc::conflict, "conflict"},
    {Errc::unavailable, "unavailable"},
    {Errc::internal, "internal"},
}};

}  // namespace

std::string_view to_string(Errc code) {
  for (const auto& entry : kCodeNames) {
    if (entry.code == code) return entry.name;
  }
  return "internal";
}

std::optional<Errc> errc_from_string(std::string_view name) {
  for (const auto& entry : kCodeNames) {
    if (entry.name == name) return entry.code;
  }
  return std::nullopt;
}

std::string Error::to_string() const {
  std::string out(ros::to_string(code));
  out += ": ";
  out += message;
  return out;
}

}  // namespace ros
