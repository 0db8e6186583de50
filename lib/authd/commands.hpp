// The work of ros-user and ros-token, apart from argument parsing: each
// subcommand is one control op on ros-authd's socket (control/command.hpp),
// printed for people or, with --json, as the raw result. Exit status 0, 1
// (refused, unreachable, bad configuration) or 2 (bad usage), per design.md.
#pragma once

#include <optional>
#include <string>

#include "config/loader.hpp"

namespace ros::authd {

struct CommandOptions {
  std::string program;        // "ros-user": prefixes messages
  config::Overrides config;   // to find control.socket_dir
  bool json = false;          // --json
  bool quiet = false;         // -q
};

int user_add(const CommandOptions& o, const std::string& username, bool admin, bool password_stdin);
int user_list(const CommandOptions& o);
int user_show(const CommandOptions& o, const std::string& user);
int user_remove(const CommandOptions& o, const std::string& user);
int user_passwd(const CommandOptions& o, const std::string& user, bool password_stdin);
int user_admin(const CommandOptions& o, const std::string& user, bool grant);

int token_admin(const CommandOptions& o);
// `access`: comma-separated rights, e.g. "download,upload".
int token_mint(const CommandOptions& o, const std::string& user, const std::optional<std::string>& path,
               const std::optional<std::string>& access, const std::optional<std::int64_t>& expires);
int token_inspect(const CommandOptions& o, const std::string& token);

}  // namespace ros::authd
