// Loopback ports for tests: a free ephemeral port, and a socket that holds a
// port busy for as long as it lives (to test conflicts).
#pragma once

#include <cstdint>

namespace ros::test {

// A port on 127.0.0.1 that was free a moment ago (the kernel's choice).
std::uint16_t free_tcp_port();

// Listens on 127.0.0.1:<port> (0: any free port) until destroyed.
class HeldPort {
 public:
  explicit HeldPort(std::uint16_t port = 0);
  ~HeldPort();
  HeldPort(const HeldPort&) = delete;
  HeldPort& operator=(const HeldPort&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace ros::test
