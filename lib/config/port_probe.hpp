// Whether a TCP port can be listened on right now, checked the way the
// daemons will bind it (SO_REUSEADDR, so a port in TIME_WAIT is free).
#pragma once

#include <cstdint>
#include <string>

#include "common/result.hpp"

namespace ros::config {

// Binds and listens on address:port, then closes the socket. Errors:
// `unavailable` when another process holds the port ("already in use"), the
// address is not on this machine, or binding is refused; the message names
// the address and port.
Result<void> probe_listen(const std::string& address, std::uint16_t port);

}  // namespace ros::config
