// ros-syncd (and, for permission tests, ros-authd) for a test: one temporary
// data directory shared by both, token keys, a configuration and ephemeral
// ports; stopped at the end. Tokens are signed with the fixture's key as
// ros-token or ros-authd would sign them.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/daemon.hpp"
#include "support/pki.hpp"
#include "support/temp_dir.hpp"

namespace ros::test {

struct ServerFixture {
  // `with_authd`: start ros-authd first (users, permissions, the change feed).
  explicit ServerFixture(bool with_authd = false, const std::string& extra_yaml = "");
  ~ServerFixture();

  void start_syncd();
  void stop_syncd();

  struct TokenSpec {
    std::string identity = "tester";
    std::optional<std::string> path;
    std::vector<std::string> access = {"download", "upload"};
    std::optional<bool> admin = true;
    std::int64_t lifetime = 3600;  // seconds; negative: already expired
    // For a path-less admin token: `identity` is made an admin user of
    // admin.db and the token names its id (ros-syncd gives nothing to a
    // path-less token of an identity admin.db does not know). False: the
    // identity as given.
    bool known = true;
  };
  std::string token(const TokenSpec& spec) const;
  std::string admin_token() const { return token(TokenSpec{}); }

  // "--config <file>" followed by `args`, for running a command.
  std::vector<std::string> with_config(std::vector<std::string> args) const;

  TempDir dir;
  std::filesystem::path root;
  KeyPairFiles keys;
  std::uint16_t http_port;
  std::uint16_t sync_port;
  std::string config_file;
  std::unique_ptr<DaemonProcess> authd;
  std::unique_ptr<DaemonProcess> syncd;
  int syncd_starts = 0;
};

}  // namespace ros::test
