// A ros daemon started by a test as an operator would start it: its own
// process, a configuration file, a temporary data directory. Stopped with
// SIGTERM (then SIGKILL after a grace period) when the object goes away.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace ros::test {

class DaemonProcess {
 public:
  // Starts `program` (a name in the build's cmd/ directory) with `args`;
  // its standard error goes to `log_file`.
  DaemonProcess(const std::string& program, const std::vector<std::string>& args,
                std::filesystem::path log_file);
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  // Waits until a TCP connection to 127.0.0.1:port succeeds, or the process
  // exits, or `timeout` passes. False unless it connected.
  bool wait_for_port(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(15));

  // Sends SIGTERM and waits; the exit status, or -1 if it had to be killed.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

  // Waits for the process to exit by itself; its exit status, or -1.
  int wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(15));

  bool running();
  pid_t pid() const { return pid_; }
  std::string log() const;

 private:
  pid_t pid_ = -1;
  int status_ = -1;
  std::filesystem::path log_file_;
};

}  // namespace ros::test
