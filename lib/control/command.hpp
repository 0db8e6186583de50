// What every control command (ros-user, ros-token, ros-perm, ...) does with
// one op: connect to the daemon's socket, check the protocol, call, print, and
// turn the outcome into the exit status of design.md. Client operation.
//
//   control::Command c{.program = "ros-user", .daemon = "ros-authd",
//                      .socket_dir = cfg.effective_socket_dir(),
//                      .op = "user.add", .args = {{"username", name}},
//                      .json_output = json_flag};
//   return control::run_command(c, [](const json& r, std::ostream& out) {
//     out << "added user '" << r["username"].get<std::string>() << "'\n";
//   });
//
// What it promises:
// - Exit 0 on success: the human rendering on `out` (or the raw result as one
//   JSON document with json_output; nothing with quiet).
// - Exit 1 on a refused request or an unreachable daemon: "<program>: <message>"
//   on `err`, e.g. "ros-user: cannot connect to '/var/lib/realm/run/authd.sock':
//   No such file or directory (is ros-authd running?)".
// - Usage errors (exit 2) are the command's own business (CLI11), not this.
// - A renderer that throws is a bug: reported on `err` as internal, exit 1.
//
// Threads: blocking; call from the command's main thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>

#include <nlohmann/json.hpp>

#include "control/client.hpp"

namespace ros::control {

// Exit statuses of commands (design.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused = 1;
inline constexpr int kExitUsage = 2;

struct Command {
  std::string program;                 // "ros-user": prefixes error messages
  std::string daemon;                  // "ros-authd": chooses the socket, names it in errors
  std::filesystem::path socket_dir;    // control.socket_dir
  std::string op;                      // "user.add"
  json args = json::object();
  bool json_output = false;            // --json: print the raw result
  bool quiet = false;                  // -q: print nothing on success
  std::chrono::milliseconds timeout = kDefaultTimeout;
};

// Prints a result for people. An empty Render prints the result as indented JSON.
using Render = std::function<void(const json& result, std::ostream& out)>;

// Runs one op and returns the exit status.
int run_command(const Command& command, const Render& render, std::ostream& out,
                std::ostream& err);
// The same on std::cout and std::cerr.
int run_command(const Command& command, const Render& render = {});

// Runs a stream op: `render` (or, with json_output, one JSON document per line)
// for every result as it arrives. Exit status as run_command.
int run_stream_command(const Command& command, const Render& render, std::ostream& out,
                       std::ostream& err);
int run_stream_command(const Command& command, const Render& render = {});

}  // namespace ros::control
