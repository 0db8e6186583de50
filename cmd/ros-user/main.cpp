// ros-user: add, list, show, remove users; set passwords; grant and revoke admin.
#include <CLI/CLI.hpp>

#include "authd/commands.hpp"
#include "config/cli.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Manage the users of ros (through ros-authd's control socket).", "ros-user"};
  app.set_version_flag("--version", ROS_VERSION);
  app.require_subcommand(1);
  ros::authd::CommandOptions options{"ros-user", {}, false, false};
  ros::config::add_config_options(app, options.config);
  app.add_flag("--json", options.json, "print the raw result as JSON");
  app.add_flag("-q,--quiet", options.quiet, "print nothing on success");

  std::string user;
  bool admin = false, password_stdin = false, grant = false, revoke = false;

  auto* add = app.add_subcommand("add", "add a user with a password login (op user.add)");
  add->add_option("USERNAME", user, "the user's name")->required();
  add->add_flag("--admin", admin, "make the user an admin");
  add->add_flag("--password-stdin", password_stdin, "read the password from standard input");

  auto* ls = app.add_subcommand("ls", "list users (op user.list)");

  auto* show = app.add_subcommand("show", "show a user (op user.show)");
  show->add_option("USER", user, "user id or username")->required();

  auto* rm = app.add_subcommand("rm", "remove a user (op user.remove)");
  rm->add_option("USER", user, "user id or username")->required();

  auto* passwd = app.add_subcommand("passwd", "set a user's password (op user.passwd)");
  passwd->add_option("USER", user, "user id or username")->required();
  passwd->add_flag("--password-stdin", password_stdin, "read the password from standard input");

  auto* adm = app.add_subcommand("admin", "grant or revoke admin rights (op user.admin)");
  adm->add_option("USER", user, "user id or username")->required();
  auto* grant_flag = adm->add_flag("--grant", grant, "make the user an admin");
  auto* revoke_flag = adm->add_flag("--revoke", revoke, "make the user an ordinary user");
  grant_flag->excludes(revoke_flag);

  try {
    app.parse(argc, argv);
    if (adm->parsed() && !grant && !revoke) {
      throw CLI::ValidationError("admin", "needs --grant or --revoke");
    }
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  if (add->parsed()) return ros::authd::user_add(options, user, admin, password_stdin);
  if (ls->parsed()) return ros::authd::user_list(options);
  if (show->parsed()) return ros::authd::user_show(options, user);
  if (rm->parsed()) return ros::authd::user_remove(options, user);
  if (passwd->parsed()) return ros::authd::user_passwd(options, user, password_stdin);
  return ros::authd::user_admin(options, user, grant);
}
