// The work of ros-check-config, apart from argument parsing: load and check a
// configuration for the whole server or for one daemon, and report.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include "config/loader.hpp"

namespace ros::config {

struct CheckOptions {
  Overrides overrides;
  std::optional<std::string> daemon;  // --daemon NAME
  bool print = false;                 // --print: the effective configuration as YAML
  std::optional<std::string> option;  // --option KEY: print one effective value
  bool quiet = false;                 // -q: nothing on success
};

// Exit status: 0 when the configuration is good (prints "FILE: OK", then
// what --print/--option ask for, on `out`), 1 when it has errors (each
// formatted as FILE:LINE:COL with the source line, then a count, on `err`),
// 2 for bad usage (an unknown daemon or key).
int run_check(const CheckOptions& options, std::ostream& out, std::ostream& err);

}  // namespace ros::config
