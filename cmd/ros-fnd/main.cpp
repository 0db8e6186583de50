// ros-fnd: runs Realm Functions on the changes ros-syncd publishes.
#include <iostream>

#include <CLI/CLI.hpp>

#include "config/cli.hpp"
#include "config/daemon_start.hpp"
#include "functions/daemon.hpp"

int main(int argc, char** argv) {
  CLI::App app{"The ros function runner: runs Realm Functions when Realms whose path matches "
               "their regex change.",
               "ros-fnd"};
  app.set_version_flag("--version", ROS_VERSION);
  ros::config::Overrides overrides;
  ros::config::add_config_options(app, overrides);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  auto config = ros::config::prepare_daemon("ros-fnd", overrides, std::cerr);
  if (!config) return 1;
  return ros::functions::run_daemon(*config, std::cerr);
}
