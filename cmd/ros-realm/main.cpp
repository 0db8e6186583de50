// ros-realm: list Realms, show their schema, objects and history, remove them.
#include <CLI/CLI.hpp>

#include "config/cli.hpp"
#include "sync/inspect/command.hpp"
#include "sync/inspect/inspect.hpp"

int main(int argc, char** argv) {
  CLI::App app{"List the Realms of a ros server; show a Realm's schema, objects and history; "
               "remove a Realm (through ros-syncd's control socket, or from the files when it "
               "is not running).",
               "ros-realm"};
  app.set_version_flag("--version", ROS_VERSION);
  app.require_subcommand(1);
  ros::sync::inspect::RealmCommandOptions options;
  ros::config::add_config_options(app, options.config);
  app.add_flag("--json", options.json, "print the raw result as JSON");
  app.add_flag("-v,--verbose", options.verbose,
               "say on stderr whether ros-syncd or the files answered");

  std::string path;
  std::optional<std::string> cls;
  std::size_t limit = ros::sync::inspect::kDefaultObjectLimit;
  std::size_t history_limit = 0;
  std::uint64_t from = 0;
  bool force = false;

  auto* ls = app.add_subcommand("ls", "list Realms: path, owner, size, history, clients (op realm.list)");
  auto* show = app.add_subcommand("show", "a Realm's schema, then its objects (op realm.show)");
  show->add_option("PATH", path, "Realm path, e.g. /catalog")->required();
  show->add_option("--class", cls, "only this class")->type_name("CLASS");
  show->add_option("--limit", limit, "at most N objects per class (default 100)")->type_name("N")->check(CLI::NonNegativeNumber);
  auto* schema = app.add_subcommand("schema", "a Realm's classes and properties (op realm.schema)");
  schema->add_option("PATH", path, "Realm path")->required();
  auto* history = app.add_subcommand("history", "a Realm's decoded changesets (op realm.history)");
  history->add_option("PATH", path, "Realm path")->required();
  history->add_option("--from", from, "start at server version V (default: the first)")
      ->type_name("V")->check(CLI::NonNegativeNumber);
  history->add_option("--limit", history_limit, "at most N versions (default: all)")
      ->type_name("N")->check(CLI::NonNegativeNumber);
  auto* rm = app.add_subcommand("rm", "remove a Realm: ends its sessions, deletes its file (op realm.rm)");
  rm->add_option("PATH", path, "Realm path")->required();
  rm->add_flag("--force", force, "really remove it (required)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  using namespace ros::sync::inspect;
  if (ls->parsed()) return realm_ls(options);
  if (show->parsed()) return realm_show(options, path, cls, limit);
  if (schema->parsed()) return realm_schema_command(options, path);
  if (history->parsed()) return realm_history_command(options, path, from, history_limit);
  if (rm->parsed()) return realm_rm(options, path, force);
  return 2;
}
