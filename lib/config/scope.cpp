#include "config/scope.hpp"

#include <array>

namespace ros::config {
namespace {

const std::array<Scope, 4> kDaemons{{
    // name        storage public private providers tls    listeners
    {"ros-syncd", true, true, false, false, false, {"network.sync"}},
    {"ros-authd", true, true, true, true, false, {"network.http"}},
    {"ros-proxy", false, false, false, false, true, {"proxy.http", "proxy.https"}},
    {"ros-fnd", true, false, false, false, false, {}},
}};

}  // namespace

Scope server_scope() {
  return {"server", true, true, true, true, true,
          {"network.sync", "network.http", "proxy.http", "proxy.https"}};
}

std::optional<Scope> daemon_scope(std::string_view name) {
  for (const auto& d : kDaemons) {
    if (d.name == name || std::string_view(d.name).substr(4) == name) return d;
  }
  return std::nullopt;
}

std::string daemon_names() {
  std::string out;
  for (const auto& d : kDaemons) {
    if (!out.empty()) out += ", ";
    out += d.name;
  }
  return out;
}

}  // namespace ros::config
