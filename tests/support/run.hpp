// Running the project's own programs from a test, as an operator would.
#pragma once

#include <string>
#include <vector>

namespace ros::test {

struct RunResult {
  int exit_code = -1;   // the program's exit status; -1 if it did not exit normally
  std::string out;      // everything written to stdout
  std::string err;      // everything written to stderr
};

// Runs `program` (a name in the build's cmd/ directory, or a path) with `args`,
// without a shell, and waits for it. Standard input is `input` (then closed).
RunResult run_program(const std::string& program, const std::vector<std::string>& args,
                      const std::string& input = "");

// The path of a built program, e.g. "<build>/cmd/ros-check-config", or of
// the one in $ROS_TEST_BIN_DIR when that is set (another build of ros).
std::string program_path(const std::string& name);

}  // namespace ros::test
