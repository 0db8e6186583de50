// ros-syncd: the Realm sync service (WebSocket, one SQLite file per Realm).
#include <iostream>

#include <CLI/CLI.hpp>

#include "config/cli.hpp"
#include "config/daemon_start.hpp"
#include "sync/server/daemon.hpp"

int main(int argc, char** argv) {
  CLI::App app{"The ros sync service: Realm clients sync their Realms with it over WebSocket.",
               "ros-syncd"};
  app.set_version_flag("--version", ROS_VERSION);
  ros::config::Overrides overrides;
  ros::config::add_config_options(app, overrides);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  auto config = ros::config::prepare_daemon("ros-syncd", overrides, std::cerr);
  if (!config) return 1;
  return ros::sync::server::run_daemon(*config, std::cerr);
}
