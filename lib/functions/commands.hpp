// The work of ros-fn, apart from argument parsing: each subcommand is one
// control op on ros-fnd's socket (control/command.hpp), printed for people
// or, with --json, as the raw result. Exit status 0, 1 (refused, unreachable,
// bad configuration, unreadable files) or 2 (bad usage), per design.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config/loader.hpp"

namespace ros::functions {

struct CommandOptions {
  std::string program = "ros-fn";
  config::Overrides config;
  bool json = false;
  bool quiet = false;
};

struct DeployOptions {
  std::string name;
  std::string regex;
  std::string source;                 // FILE or DIR
  std::optional<std::string> kind;    // "node" | "executable"; default from the source
  bool from_start = false;            // deliver the matching Realms' whole history
};

// Reads the source: a directory is a Node module (its files but
// node_modules/, entry: package.json's "main" or index.js); a file ending in
// .js or .cjs is a Node module; any other file is an executable (it must be
// executable). Then fn.deploy.
int deploy(const CommandOptions& o, const DeployOptions& d);
int list(const CommandOptions& o);
int show(const CommandOptions& o, const std::string& name);
int start(const CommandOptions& o, const std::string& name);
int stop(const CommandOptions& o, const std::string& name);
int remove(const CommandOptions& o, const std::string& name);
// `lines` 0: the whole log.
int logs(const CommandOptions& o, const std::string& name, std::int64_t lines, bool follow);

}  // namespace ros::functions
