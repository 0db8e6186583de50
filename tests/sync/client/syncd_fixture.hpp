// A real ros-syncd for the client's end-to-end tests: its own temporary data
// directory, token key pair, configuration and ephemeral sync port; it can be
// stopped and started again on the same data (restart tests). Tokens are
// signed with the fixture's private key, as ros-token would sign them.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "support/daemon.hpp"
#include "support/pki.hpp"
#include "support/temp_dir.hpp"
#include "sync/client/client.hpp"

namespace ros::test {

struct SyncdFixture {
  SyncdFixture();
  ~SyncdFixture();

  void start();
  void stop();

  // A path-less access token with download and upload and `admin: true` for
  // the admin user `identity` of admin.db (created when missing; the token
  // names its id): all rights on every Realm.
  std::string admin_token(const std::string& identity = "e2e-tester") const;
  // Client options for this daemon (short reconnect delays for tests).
  sync::client::ClientOptions client_options(const std::string& token) const;
  sync::client::ClientOptions client_options() const { return client_options(admin_token()); }

  TempDir dir;
  std::filesystem::path root;
  KeyPairFiles keys;
  std::uint16_t sync_port;
  std::string config_file;
  std::unique_ptr<DaemonProcess> daemon;
  int starts = 0;
};

}  // namespace ros::test
