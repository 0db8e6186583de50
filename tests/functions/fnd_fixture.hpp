// A real ros-syncd and ros-fnd on one temporary data directory, for the
// Functions end-to-end tests: the sync port is ephemeral, the functions.*
// section short (timeouts, retries) as a test wants it, writes go through
// lib/sync/client, and ros-fn runs as an operator runs it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/daemon.hpp"
#include "support/pki.hpp"
#include "support/run.hpp"
#include "support/temp_dir.hpp"
#include "sync/client/client.hpp"

namespace ros::test {

struct FndFixture {
  // `functions_yaml`: the body of the functions: section (indented lines).
  explicit FndFixture(const std::string& functions_yaml =
                          "  timeout: 30\n  max_attempts: 3\n  retry_delay: 1\n"
                          "  max_retry_delay: 1\n");
  ~FndFixture();

  void start_syncd();
  void start_fnd();
  // SIGKILL, as a crash would.
  void kill_fnd();
  void stop_fnd();

  // Options for a client of the Realm at `path`, with a path-scoped token
  // (download and upload), as ros-token mint --path makes it.
  sync::client::ClientOptions client_options(const std::string& path) const;

  // ros-fn --config <config> args...
  RunResult fn(std::vector<std::string> args) const;
  // ros-fn --json ... parsed; the test fails unless it exits 0.
  nlohmann::json fn_json(std::vector<std::string> args) const;

  // A file in the test's directory holding `script` (made executable).
  std::string script(const std::string& name, const std::string& text) const;

  // Waits (up to `limit`) until `done` holds; false if it never did.
  static bool eventually(const std::function<bool()>& done,
                         std::chrono::milliseconds limit = std::chrono::seconds(60));

  TempDir dir;
  std::filesystem::path root;
  KeyPairFiles keys;
  std::uint16_t sync_port;
  std::string config_file;
  std::unique_ptr<DaemonProcess> syncd;
  std::unique_ptr<DaemonProcess> fnd;
  int fnd_starts = 0;
};

// The JSON lines of a file (events an executable function appended).
std::vector<nlohmann::json> json_lines(const std::filesystem::path& file);

}  // namespace ros::test
