// A real ros-authd for a test: its own temporary data directory, token keys,
// configuration file and ephemeral port; stopped at the end.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "support/daemon.hpp"
#include "support/http_client.hpp"
#include "support/pki.hpp"
#include "support/temp_dir.hpp"

namespace ros::test {

struct AuthdFixture {
  // `extra_yaml` is appended to the configuration (new sections only).
  explicit AuthdFixture(const std::string& extra_yaml = "");

  TempDir dir;
  std::filesystem::path root;
  KeyPairFiles keys;
  std::uint16_t http_port;
  std::string config_file;
  std::unique_ptr<DaemonProcess> daemon;

  HttpReply post(const std::string& target, const std::string& body) const {
    return http_request(http_port, "POST", target, body);
  }
  HttpReply post_json(const std::string& target, const nlohmann::json& body) const {
    return post(target, body.dump());
  }
  // Registers (or logs in) a password user; returns the /auth reply.
  HttpReply password_login(const std::string& user, const std::string& password,
                           bool register_user = false) const;
  // Runs a command (ros-user, ros-token) against this daemon.
  std::vector<std::string> with_config(std::vector<std::string> args) const;
};

// The JSON body of a reply (a failed test names the body when it is not JSON).
nlohmann::json body_of(const HttpReply& reply);

}  // namespace ros::test
