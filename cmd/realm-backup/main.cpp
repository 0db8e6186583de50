// realm-backup: consistent online backup of a ros data directory.
#include <CLI/CLI.hpp>

#include "backup/command.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Copy a ros data directory (storage.root_path) into a new folder while the server "
               "runs, each database as a consistent snapshot; or check a backup with --verify.",
               "realm-backup"};
  app.set_version_flag("--version", ROS_VERSION);
  std::vector<std::string> paths;
  bool verify = false;
  ros::backup::CommandOptions options;
  app.add_option("SOURCE TARGET", paths,
                 "the data directory and the new (absent or empty) backup folder; with --verify, "
                 "only the folder to check")
      ->expected(1, 2);
  app.add_flag("--verify", verify, "check the integrity of every database in TARGET");
  app.add_flag("--json", options.json, "print the summary or the report as JSON");
  app.add_flag("-q,--quiet", options.quiet, "print no progress and no summary");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (verify) {
    if (paths.size() != 1) {
      std::cerr << "realm-backup: --verify takes one folder: realm-backup --verify TARGET\n";
      return 2;
    }
    return ros::backup::verify_command(paths[0], options);
  }
  if (paths.size() != 2) {
    std::cerr << "realm-backup: give SOURCE and TARGET: realm-backup SOURCE TARGET\n"
              << "Run with --help for more information.\n";
    return 2;
  }
  return ros::backup::backup_command(paths[0], paths[1], options);
}
