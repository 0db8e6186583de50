// The work of ros-user and ros-token, apart from argument parsing: each
// subcommand is one control op on ros-authd's socket (control/command.hpp),
// printed for people or, with --json, as the raw result. Exit status 0, 1
// (refused, unreachable, bad configuration) or 2 (bad usage), per design.md.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/loader.hpp"
#include "control/command.hpp"

namespace ros::authd {

struct CommandOptions {
  std::string program;        // "ros-user": prefixes messages
  config::Overrides config;   // to find control.socket_dir
  bool json = false;          // --json
  bool quiet = false;         // -q
};

// Runs `op` with `args` on ros-authd (a stream op when `stream`), printing
// results with `render` or, with --json, raw. The exit status.
int run_op(const CommandOptions& o, std::string op, nlohmann::json args,
           const control::Render& render, bool stream = false);

int user_add(const CommandOptions& o, const std::string& username, bool admin, bool password_stdin);
int user_list(const CommandOptions& o);
int user_show(const CommandOptions& o, const std::string& user);
int user_remove(const CommandOptions& o, const std::string& user);
int user_passwd(const CommandOptions& o, const std::string& user, bool password_stdin);
int user_admin(const CommandOptions& o, const std::string& user, bool grant);

// `rotate`: replace the admin token and revoke the earlier ones first.
int token_admin(const CommandOptions& o, bool rotate = false);
// `access`: comma-separated rights, e.g. "download,upload".
int token_mint(const CommandOptions& o, const std::string& user, const std::optional<std::string>& path,
               const std::optional<std::string>& access, const std::optional<std::int64_t>& expires);
int token_inspect(const CommandOptions& o, const std::string& token);

// ros-perm. `rights` holds the flags given (--read, --write, --manage);
// `owner` is the user whose Realms "*" means and whose id "~" is.
struct RightsFlags {
  bool read = false, write = false, manage = false;
  bool any() const { return read || write || manage; }
};
int perm_grant(const CommandOptions& o, const std::string& user, const std::string& realm,
               RightsFlags rights, const std::optional<std::string>& owner);
int perm_revoke(const CommandOptions& o, const std::string& user, const std::string& realm,
                RightsFlags rights, const std::optional<std::string>& owner);
int perm_show(const CommandOptions& o, const std::string& realm, const std::optional<std::string>& owner);
int perm_list(const CommandOptions& o, const std::optional<std::string>& user);
// `expires`: a duration ("3600", "7d"); `as`: the offering user.
int offer_create(const CommandOptions& o, const std::string& realm, RightsFlags rights,
                 const std::optional<std::string>& expires, const std::optional<std::string>& as);
int offer_list(const CommandOptions& o, const std::optional<std::string>& as);
int offer_revoke(const CommandOptions& o, const std::string& token);
int offer_accept(const CommandOptions& o, const std::string& token, const std::string& user);
int perm_watch(const CommandOptions& o);

}  // namespace ros::authd
