// ros-proxy: the public port of ros, in front of ros-authd and ros-syncd.
#include <iostream>

#include <CLI/CLI.hpp>

#include "config/loader.hpp"
#include "config/daemon_start.hpp"
#include "proxy/daemon.hpp"

int main(int argc, char** argv) {
  CLI::App app{"The ros reverse proxy: HTTP, WebSocket, HTTPS and secure WebSocket in front of "
               "ros-authd and ros-syncd.",
               "ros-proxy"};
  app.set_version_flag("--version", ROS_VERSION);
  ros::config::Overrides overrides;
  // Only --config: the proxy reads no data directory and no token keys.
  app.add_option("--config", overrides.config_file, "configuration file")
      ->capture_default_str()
      ->type_name("FILE");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  auto config = ros::config::prepare_daemon("ros-proxy", overrides, std::cerr);
  if (!config) return 1;
  return ros::proxy::run_daemon(*config, std::cerr);
}
