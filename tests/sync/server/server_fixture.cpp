#include "sync/server/server_fixture.hpp"

#include <ctime>
#include <stdexcept>

#include "auth/mint.hpp"
#include "auth/token.hpp"
#include "support/admin_user.hpp"
#include "support/net.hpp"
#include "support/server_config.hpp"

namespace ros::test {

ServerFixture::ServerFixture(bool with_authd, const std::string& extra_yaml)
    : root(dir / "root"),
      keys(make_rsa_key_pair(dir.path(), "token")),
      http_port(free_tcp_port()),
      sync_port(free_tcp_port()) {
  std::filesystem::create_directories(root);
  ServerConfig config{root, keys, http_port, sync_port};
  config.extra_yaml = "logging:\n  level: debug\n" + extra_yaml;
  config_file = dir.write("configuration.yml", server_config_yaml(config)).string();
  if (with_authd) {
    authd = std::make_unique<DaemonProcess>(
        "ros-authd", std::vector<std::string>{"--config", config_file}, dir / "authd.log");
    if (!authd->wait_for_port(http_port)) {
      throw std::runtime_error("ros-authd did not start:\n" + authd->log());
    }
  }
  start_syncd();
}

ServerFixture::~ServerFixture() {
  stop_syncd();
  if (authd) authd->stop();
}

void ServerFixture::start_syncd() {
  ++syncd_starts;
  syncd = std::make_unique<DaemonProcess>(
      "ros-syncd", std::vector<std::string>{"--config", config_file},
      dir / ("syncd-" + std::to_string(syncd_starts) + ".log"));
  if (!syncd->wait_for_port(sync_port)) {
    throw std::runtime_error("ros-syncd did not start:\n" + syncd->log());
  }
}

void ServerFixture::stop_syncd() {
  if (syncd) syncd->stop();
  syncd.reset();
}

std::string ServerFixture::token(const TokenSpec& spec) const {
  auto signer = auth::TokenSigner::load(keys.private_key);
  if (!signer) throw std::runtime_error(signer.error().message);
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  // A path-less admin token must name a user of admin.db to grant anything.
  std::string identity = spec.identity;
  if (!spec.path && spec.admin.value_or(false) && spec.known) {
    identity = ensure_admin_user(root, spec.identity);
  }
  auto claims = auth::access_claims(identity, spec.path, spec.access,
                                    spec.lifetime < 0 ? now - 7200 : now, spec.lifetime < 0 ? 3600 : spec.lifetime);
  claims.admin = spec.admin;
  return signer->sign(claims);
}

std::vector<std::string> ServerFixture::with_config(std::vector<std::string> args) const {
  args.insert(args.begin(), {"--config", config_file});
  return args;
}

}  // namespace ros::test
