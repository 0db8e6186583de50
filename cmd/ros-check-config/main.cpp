// ros-check-config: validate configuration.yml, pointing at each error.
#include <iostream>

#include <CLI/CLI.hpp>

#include "config/check_command.hpp"
#include "config/cli.hpp"
#include "config/scope.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Validate a ros configuration file (configuration.yml) and report every error "
               "as FILE:LINE:COL.",
               "ros-check-config"};
  app.set_version_flag("--version", ROS_VERSION);
  ros::config::CheckOptions options;
  ros::config::add_config_options(app, options.overrides);
  std::string file;
  app.add_option("FILE", file, "configuration file to check (same as --config)");
  app.add_option("--daemon", options.daemon,
                 "check only what this daemon reads, and only its own ports (" +
                     ros::config::daemon_names() + ")")
      ->type_name("NAME");
  app.add_flag("--print", options.print, "print the effective configuration as YAML");
  app.add_option("-o,--option", options.option, "print the effective value of one key")
      ->type_name("KEY");
  app.add_flag("-q,--quiet", options.quiet, "print nothing when the configuration is good");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (!file.empty()) options.overrides.config_file = file;
  return ros::config::run_check(options, std::cout, std::cerr);
}
