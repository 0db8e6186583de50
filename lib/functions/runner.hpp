// Runs one program to completion for ros-fnd: its input on standard input,
// its standard output and error appended to a log file, in its own process
// group, killed (the whole group, SIGKILL) when it runs past its timeout or
// when the caller asks it to stop.
//
// What it promises: run() returns only once the process has been reaped; it
// never throws and never raises SIGPIPE in the caller (the daemon ignores
// SIGPIPE; the child gets the default disposition back). A program that does
// not read its input does not block run(): input is written as the pipe
// takes it, and what is left when the program exits is dropped. The child
// inherits no descriptor but 0, 1 and 2.
// Thread safety: run() may be called from several threads at once.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace ros::functions {

struct RunSpec {
  std::vector<std::string> argv;          // argv[0] is the program's path
  std::filesystem::path cwd;              // working directory
  std::vector<std::string> env;           // "KEY=value" added to the inherited environment
  std::string input;                      // written to standard input, then closed
  int log_fd = -1;                        // standard output and error (appended)
  std::chrono::milliseconds timeout{60'000};
};

struct RunOutcome {
  enum class Kind { exited, signaled, timed_out, stopped, spawn_failed };
  Kind kind = Kind::exited;
  int code = 0;            // exit status, or signal number
  std::string error;       // spawn_failed: why
  std::chrono::milliseconds elapsed{0};

  bool ok() const { return kind == Kind::exited && code == 0; }
  // For logs and `ros-fn show`: "exited with status 3", "killed by signal 11
  // (Segmentation fault)", "timed out after 60 s", "stopped", "cannot run
  // '/x': No such file or directory".
  std::string describe() const;
};

// `stop` is polled every 50 ms; when it returns true the program is killed
// and the outcome is `stopped`.
RunOutcome run(const RunSpec& spec, const std::function<bool()>& stop);

}  // namespace ros::functions
