// ros-perm: grant, revoke and list permissions; create and accept offers.
#include <CLI/CLI.hpp>

#include "authd/commands.hpp"
#include "config/cli.hpp"

namespace {

void add_rights(CLI::App* app, ros::authd::RightsFlags& rights) {
  app->add_flag("--read", rights.read, "read: download the Realm");
  app->add_flag("--write", rights.write, "write: upload changes (needs read)");
  app->add_flag("--manage", rights.manage, "manage: change permissions, offer (needs read)");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Grant, revoke and list permissions on Realms; create and accept offers "
               "(through ros-authd's control socket).",
               "ros-perm"};
  app.set_version_flag("--version", ROS_VERSION);
  app.require_subcommand(1);
  ros::authd::CommandOptions options{"ros-perm", {}, false, false};
  ros::config::add_config_options(app, options.config);
  app.add_flag("--json", options.json, "print the raw result as JSON");
  app.add_flag("-q,--quiet", options.quiet, "print nothing on success");

  std::string user, realm, token;
  std::optional<std::string> owner, expires, as, filter_user;
  ros::authd::RightsFlags rights;

  auto* grant = app.add_subcommand("grant", "grant rights to a user or to everyone (op perm.grant)");
  grant->add_option("USER", user, "user id, username, or '*' (the Realm's default)")->required();
  grant->add_option("REALM", realm, "Realm path, or '*' for every Realm of --owner")->required();
  add_rights(grant, rights);
  grant->add_option("--owner", owner, "the user whose Realms '*' means and whose id '~' is")
      ->type_name("USER");

  auto* revoke = app.add_subcommand("revoke", "revoke rights; without flags, all (op perm.revoke)");
  revoke->add_option("USER", user, "user id, username, or '*'")->required();
  revoke->add_option("REALM", realm, "Realm path, or '*' for every Realm of --owner")->required();
  add_rights(revoke, rights);
  revoke->add_option("--owner", owner, "the user whose Realms '*' means and whose id '~' is")
      ->type_name("USER");

  auto* show = app.add_subcommand("show", "a Realm's default and per-user entries (op perm.show)");
  show->add_option("REALM", realm, "Realm path")->required();
  show->add_option("--owner", owner, "the user whose id '~' is")->type_name("USER");

  auto* ls = app.add_subcommand("ls", "list permission entries (op perm.list)");
  ls->add_option("--user", filter_user, "only those naming this user (or '*')")->type_name("USER");

  auto* offer = app.add_subcommand("offer", "create an offer and print its token (op offer.create)");
  offer->add_option("REALM", realm, "Realm path")->required();
  add_rights(offer, rights);
  offer->add_option("--expires", expires, "lifetime, e.g. 3600, 30m, 12h, 7d (default: never)")
      ->type_name("DURATION");
  offer->add_option("--as", as, "the offering user, who needs manage rights (default: the owner)")
      ->type_name("USER");

  auto* offers = app.add_subcommand("offers", "list offers (op offer.list)");
  offers->add_option("--as", as, "only those created by this user")->type_name("USER");

  auto* withdraw = app.add_subcommand("withdraw", "revoke an offer (op offer.revoke)");
  withdraw->add_option("TOKEN", token, "the offer's token")->required();

  auto* accept = app.add_subcommand("accept", "apply an offer to a user (op offer.accept)");
  accept->add_option("TOKEN", token, "the offer's token")->required();
  accept->add_option("--user", user, "user id or username")->required()->type_name("USER");

  auto* watch = app.add_subcommand("watch", "follow permission changes as they happen (op perm.changed)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  using namespace ros::authd;
  if (grant->parsed()) return perm_grant(options, user, realm, rights, owner);
  if (revoke->parsed()) return perm_revoke(options, user, realm, rights, owner);
  if (show->parsed()) return perm_show(options, realm, owner);
  if (ls->parsed()) return perm_list(options, filter_user);
  if (offer->parsed()) return offer_create(options, realm, rights, expires, as);
  if (offers->parsed()) return offer_list(options, as);
  if (withdraw->parsed()) return offer_revoke(options, token);
  if (accept->parsed()) return offer_accept(options, token, user);
  if (watch->parsed()) return perm_watch(options);
  return 2;
}
