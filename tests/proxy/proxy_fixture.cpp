#include "proxy/proxy_fixture.hpp"

#include <signal.h>

#include <stdexcept>

#include "support/net.hpp"
#include "support/run.hpp"
#include "support/server_config.hpp"

namespace ros::test {

ProxyFixture::ProxyFixture(ProxyOptions options)
    : root(dir / "root"),
      keys(make_rsa_key_pair(dir.path(), "token")),
      pki(make_ca_and_leaf(dir.path(), "proxy", "localhost")) {
  std::filesystem::create_directories(root);
  http_backend_port = options.http_backend.value_or(free_tcp_port());
  sync_backend_port = options.sync_backend.value_or(free_tcp_port());
  http_port = free_tcp_port();
  https_port = free_tcp_port();
  ServerConfig config{root, keys, http_backend_port, sync_backend_port};
  config.proxy_yaml = "proxy:\n  http:\n    listen_address: 127.0.0.1\n    listen_port: " +
                      std::to_string(http_port) +
                      "\n  https:\n    enable: true\n    listen_address: 127.0.0.1\n"
                      "    listen_port: " + std::to_string(https_port) +
                      "\n    certificate_path: " + pki.leaf.certificate.string() +
                      "\n    private_key_path: " + pki.leaf.private_key.string() + "\n" +
                      options.proxy_yaml;
  config.extra_yaml = "logging:\n  level: detail\n";
  config_file = dir.write("configuration.yml", server_config_yaml(config)).string();
  if (options.start_authd) {
    authd = std::make_unique<DaemonProcess>(
        "ros-authd", std::vector<std::string>{"--config", config_file}, dir / "authd.log");
    if (!authd->wait_for_port(http_backend_port)) {
      throw std::runtime_error("ros-authd did not start:\n" + authd->log());
    }
  }
  if (options.start_syncd) {
    syncd = std::make_unique<DaemonProcess>(
        "ros-syncd", std::vector<std::string>{"--config", config_file}, dir / "syncd.log");
    if (!syncd->wait_for_port(sync_backend_port)) {
      throw std::runtime_error("ros-syncd did not start:\n" + syncd->log());
    }
  }
  proxy = std::make_unique<DaemonProcess>(
      "ros-proxy", std::vector<std::string>{"--config", config_file}, dir / "proxy.log");
  if (!proxy->wait_for_port(http_port) || !proxy->wait_for_port(https_port)) {
    throw std::runtime_error("ros-proxy did not start:\n" + proxy->log());
  }
}

void ProxyFixture::reload() const { ::kill(proxy->pid(), SIGHUP); }

CurlResult curl(const std::vector<std::string>& args) {
  std::vector<std::string> all{"-sS", "--max-time", "20"};
  all.insert(all.end(), args.begin(), args.end());
  auto r = run_program("/usr/bin/curl", all);
  return {r.exit_code, r.out, r.err};
}

}  // namespace ros::test
