#include "authd/authd_fixture.hpp"

#include <stdexcept>

#include "support/net.hpp"
#include "support/server_config.hpp"

namespace ros::test {

AuthdFixture::AuthdFixture(const std::string& extra_yaml)
    : root(dir / "root"), keys(make_rsa_key_pair(dir.path(), "token")), http_port(free_tcp_port()) {
  std::filesystem::create_directories(root);
  ServerConfig config{root, keys, http_port, free_tcp_port()};
  config.extra_yaml = extra_yaml;
  config_file = dir.write("configuration.yml", server_config_yaml(config)).string();
  daemon = std::make_unique<DaemonProcess>("ros-authd", std::vector<std::string>{"--config", config_file},
                                           dir / "authd.log");
  if (!daemon->wait_for_port(http_port)) {
    throw std::runtime_error("ros-authd did not start:\n" + daemon->log());
  }
}

HttpReply AuthdFixture::password_login(const std::string& user, const std::string& password,
                                       bool register_user) const {
  return post_json("/auth", {{"provider", "password"},
                             {"data", user},
                             {"user_info", {{"password", password}, {"register", register_user}}}});
}

std::vector<std::string> AuthdFixture::with_config(std::vector<std::string> args) const {
  args.insert(args.begin(), {"--config", config_file});
  return args;
}

nlohmann::json body_of(const HttpReply& reply) {
  auto json = nlohmann::json::parse(reply.body, nullptr, false);
  if (json.is_discarded()) throw std::runtime_error("reply body is not JSON: " + reply.body);
  return json;
}

}  // namespace ros::test
