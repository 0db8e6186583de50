// ros-fn: deploy, list, start, stop and remove Realm Functions; their logs.
#include <CLI/CLI.hpp>

#include "config/cli.hpp"
#include "functions/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Deploy, list, start, stop and remove Realm Functions, and read their logs "
               "(through ros-fnd's control socket).",
               "ros-fn"};
  app.set_version_flag("--version", ROS_VERSION);
  app.require_subcommand(1);
  ros::functions::CommandOptions options;
  ros::config::add_config_options(app, options.config);
  app.add_flag("--json", options.json, "print the raw result as JSON");
  app.add_flag("-q,--quiet", options.quiet, "print nothing on success");

  ros::functions::DeployOptions d;
  std::string name;
  std::int64_t lines = 0;
  bool follow = false;

  auto* deploy = app.add_subcommand("deploy", "deploy or replace a function (op fn.deploy)");
  deploy->add_option("NAME", d.name, "the function's name: letters, digits, '_', '-'")->required();
  deploy->add_option("--regex", d.regex, "ECMAScript regex the whole Realm path must match")
      ->required()
      ->type_name("RE");
  deploy->add_option("SOURCE", d.source, "a .js file or a folder (Node module), or an executable")
      ->required()
      ->type_name("FILE|DIR");
  deploy->add_option("--kind", d.kind, "node or executable (default: from SOURCE)")
      ->check(CLI::IsMember({"node", "executable"}));
  deploy->add_flag("--from-start", d.from_start,
                   "also deliver the matching Realms' existing history (default: changes after "
                   "the deploy)");

  auto* ls = app.add_subcommand("ls", "list functions with their state (op fn.list)");
  auto* show = app.add_subcommand("show", "a function's state, reason, cursors (op fn.show)");
  show->add_option("NAME", name, "function name")->required();
  auto* start = app.add_subcommand("start", "start a stopped or failed function (op fn.start)");
  start->add_option("NAME", name, "function name")->required();
  auto* stop = app.add_subcommand("stop", "stop a function; events wait for its start (op fn.stop)");
  stop->add_option("NAME", name, "function name")->required();
  auto* rm = app.add_subcommand("rm", "remove a function and its code (op fn.rm)");
  rm->add_option("NAME", name, "function name")->required();
  auto* logs = app.add_subcommand("logs", "print a function's log (op fn.logs)");
  logs->add_option("NAME", name, "function name")->required();
  logs->add_option("-n,--lines", lines, "only the last N lines (default: all)")
      ->check(CLI::NonNegativeNumber)
      ->type_name("N");
  logs->add_flag("-f,--follow", follow, "keep printing lines as they are written");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  namespace fn = ros::functions;
  if (deploy->parsed()) return fn::deploy(options, d);
  if (ls->parsed()) return fn::list(options);
  if (show->parsed()) return fn::show(options, name);
  if (start->parsed()) return fn::start(options, name);
  if (stop->parsed()) return fn::stop(options, name);
  if (rm->parsed()) return fn::remove(options, name);
  if (logs->parsed()) return fn::logs(options, name, lines, follow);
  return 2;
}
