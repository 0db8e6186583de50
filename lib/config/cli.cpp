#include "config/cli.hpp"

namespace ros::config {

void add_config_options(CLI::App& app, Overrides& overrides) {
  app.add_option("--config", overrides.config_file, "configuration file")
      ->capture_default_str()
      ->type_name("FILE");
  app.add_option("--root", overrides.root, "data directory (overrides storage.root_path)")
      ->type_name("DIR");
  app.add_option("--public-key", overrides.public_key,
                 "token verification key (overrides auth.public_key_path)")
      ->type_name("FILE");
  app.add_option("--private-key", overrides.private_key,
                 "token signing key (overrides auth.private_key_path)")
      ->type_name("FILE");
}

}  // namespace ros::config
