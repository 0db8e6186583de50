// Diagnostic: one configuration error, located for the operator the way a
// compiler does it:
//
//   configuration.yml:7:18: error: network.sync.listen_port: port 70000 is out of range (use 1-65535)
//       listen_port: 70000
//                    ^
//
// An error that comes from a command-line option names the option instead of
// a file position ("--root: error: ..."); one about a key left at its default
// names the file without a position.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ros::config {

// A position in the configuration file, 1-based; 0 means unknown.
struct Location {
  int line = 0;
  int column = 0;
  bool known() const { return line > 0; }
};

// Where a value came from: the file (as the user named it) at a position,
// or a command-line option such as "--root".
struct Source {
  std::string origin;
  Location location;
};

struct Diagnostic {
  Source source;
  std::string message;  // "<key>: <what is wrong> (<what to do>)"
};

// "FILE:LINE:COL: error: MESSAGE" and, when the position is known and
// `source_text` holds that line, the line and a caret under the column.
// Ends with a newline.
std::string format_diagnostic(const Diagnostic& diagnostic, std::string_view source_text);

}  // namespace ros::config
