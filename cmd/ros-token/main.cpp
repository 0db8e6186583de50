// ros-token: print the admin token; mint or inspect a token for scripts.
#include <CLI/CLI.hpp>

#include "authd/commands.hpp"
#include "config/cli.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Print the admin token, mint or inspect tokens (through ros-authd's control socket).",
               "ros-token"};
  app.set_version_flag("--version", ROS_VERSION);
  app.require_subcommand(1);
  ros::authd::CommandOptions options{"ros-token", {}, false, false};
  ros::config::add_config_options(app, options.config);
  app.add_flag("--json", options.json, "print the raw result as JSON");
  app.add_flag("-q,--quiet", options.quiet, "print nothing on success");

  auto* admin = app.add_subcommand("admin", "print the admin token (op token.admin)");
  bool rotate = false;
  admin->add_flag("--rotate", rotate,
                  "replace it now and revoke every earlier admin token (op token.admin.rotate)");

  std::string user;
  std::optional<std::string> path, access;
  std::optional<std::int64_t> expires;
  auto* mint = app.add_subcommand("mint", "mint an access token (op token.mint)");
  mint->add_option("--user", user, "user id, username, or any identity")->required()->type_name("USER");
  mint->add_option("--path", path, "limit the token to this Realm path ('~' is the user)")
      ->type_name("PATH");
  mint->add_option("--access", access, "rights: download,upload,manage (default download)")
      ->type_name("LIST");
  mint->add_option("--expires", expires, "lifetime in seconds (default tokens.access_lifetime)")
      ->type_name("SECONDS")
      ->check(CLI::PositiveNumber);

  std::string token;
  auto* inspect = app.add_subcommand("inspect", "show a token's claims and whether it is valid (op token.inspect)");
  inspect->add_option("TOKEN", token, "the token")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (admin->parsed()) return ros::authd::token_admin(options, rotate);
  if (mint->parsed()) return ros::authd::token_mint(options, user, path, access, expires);
  return ros::authd::token_inspect(options, token);
}
