#include "sync/client/syncd_fixture.hpp"

#include <ctime>
#include <stdexcept>

#include "auth/mint.hpp"
#include "auth/token.hpp"
#include "support/admin_user.hpp"
#include "support/net.hpp"
#include "support/server_config.hpp"

namespace ros::test {

SyncdFixture::SyncdFixture()
    : root(dir / "root"), keys(make_rsa_key_pair(dir.path(), "token")), sync_port(free_tcp_port()) {
  std::filesystem::create_directories(root);
  config_file = dir.write("configuration.yml",
                          server_config_yaml(ServerConfig(root, keys, free_tcp_port(), sync_port)))
                    .string();
  start();
}

SyncdFixture::~SyncdFixture() { stop(); }

void SyncdFixture::start() {
  ++starts;
  daemon = std::make_unique<DaemonProcess>("ros-syncd", std::vector<std::string>{"--config", config_file},
                                           dir / ("syncd-" + std::to_string(starts) + ".log"));
  if (!daemon->wait_for_port(sync_port)) {
    throw std::runtime_error("ros-syncd did not start:\n" + daemon->log());
  }
}

void SyncdFixture::stop() {
  if (daemon) daemon->stop();
  daemon.reset();
}

std::string SyncdFixture::admin_token(const std::string& identity) const {
  auto signer = auth::TokenSigner::load(keys.private_key);
  if (!signer) throw std::runtime_error(signer.error().message);
  auto claims = auth::access_claims(ensure_admin_user(root, identity), std::nullopt,
                                    {"download", "upload"}, std::time(nullptr), 3600);
  claims.admin = true;
  return signer->sign(claims);
}

sync::client::ClientOptions SyncdFixture::client_options(const std::string& token) const {
  sync::client::ClientOptions o;
  o.url = "ws://127.0.0.1:" + std::to_string(sync_port);
  o.token = token;
  o.timeout = std::chrono::seconds(30);
  o.connect_timeout = std::chrono::seconds(10);
  o.reconnect_delay = std::chrono::milliseconds(100);
  o.max_reconnect_delay = std::chrono::milliseconds(1000);
  return o;
}

}  // namespace ros::test
