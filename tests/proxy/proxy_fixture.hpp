// A real ros-proxy for a test, with what stands behind it: a temporary data
// directory, token keys, a test CA and a leaf certificate for 127.0.0.1,
// ephemeral ports for everything, and optionally a real ros-authd.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "support/daemon.hpp"
#include "support/pki.hpp"
#include "support/temp_dir.hpp"

namespace ros::test {

struct ProxyOptions {
  bool start_authd = false;                   // a real ros-authd on network.http
  bool start_syncd = false;                   // a real ros-syncd on network.sync
  std::optional<std::uint16_t> http_backend;  // network.http port (default: ros-authd's, or free)
  std::optional<std::uint16_t> sync_backend;  // network.sync port (default: a free one)
  std::string proxy_yaml;                     // extra keys under proxy:, indented by two
};

struct ProxyFixture {
  explicit ProxyFixture(ProxyOptions options = {});

  TempDir dir;
  std::filesystem::path root;
  KeyPairFiles keys;
  CaAndLeaf pki;
  std::uint16_t http_backend_port = 0;
  std::uint16_t sync_backend_port = 0;
  std::uint16_t http_port = 0;   // proxy.http
  std::uint16_t https_port = 0;  // proxy.https
  std::string config_file;
  std::unique_ptr<DaemonProcess> authd;
  std::unique_ptr<DaemonProcess> syncd;
  std::unique_ptr<DaemonProcess> proxy;

  // Sends SIGHUP to ros-proxy.
  void reload() const;
};

// Runs curl (with a 20 s limit) and returns its exit code, and what it printed.
struct CurlResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
CurlResult curl(const std::vector<std::string>& args);

}  // namespace ros::test
