// The configuration.yml a test runs daemons on: its data directory and token
// keys, ros-authd and ros-syncd on the given loopback ports, the proxy as the
// test wants it (off by default), and any further sections.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>

#include "support/pki.hpp"

namespace ros::test {

struct ServerConfig {
  ServerConfig(std::filesystem::path root_path, KeyPairFiles key_pair, std::uint16_t http,
               std::uint16_t sync)
      : root(std::move(root_path)), keys(std::move(key_pair)), http_port(http), sync_port(sync) {}

  std::filesystem::path root;  // storage.root_path
  KeyPairFiles keys;
  std::uint16_t http_port = 0;  // network.http
  std::uint16_t sync_port = 0;  // network.sync
  std::string proxy_yaml = "proxy:\n  http:\n    enable: false\n";  // the whole proxy section
  std::string extra_yaml;  // appended: further sections (logging, sync, ...)
};

std::string server_config_yaml(const ServerConfig& config);

}  // namespace ros::test
