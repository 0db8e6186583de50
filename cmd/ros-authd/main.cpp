// ros-authd: the HTTP service of ros (login, tokens, users) and its control socket.
#include <iostream>

#include <CLI/CLI.hpp>

#include "authd/daemon.hpp"
#include "config/cli.hpp"
#include "config/daemon_start.hpp"

int main(int argc, char** argv) {
  CLI::App app{"The ros HTTP service: /auth (login and tokens), users, /health, /metrics.",
               "ros-authd"};
  app.set_version_flag("--version", ROS_VERSION);
  ros::config::Overrides overrides;
  ros::config::add_config_options(app, overrides);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  auto config = ros::config::prepare_daemon("ros-authd", overrides, std::cerr);
  if (!config) return 1;
  return ros::authd::run_daemon(*config, std::cerr);
}
