#include "support/server_config.hpp"

namespace ros::test {

std::string server_config_yaml(const ServerConfig& c) {
  return "storage:\n  root_path: " + c.root.string() +
         "\nauth:\n  public_key_path: " + c.keys.public_key.string() +
         "\n  private_key_path: " + c.keys.private_key.string() +
         "\nnetwork:\n  http:\n    listen_port: " + std::to_string(c.http_port) +
         "\n  sync:\n    listen_port: " + std::to_string(c.sync_port) + "\n" + c.proxy_yaml +
         c.extra_yaml;
}

}  // namespace ros::test
