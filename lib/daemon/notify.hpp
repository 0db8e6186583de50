// systemd's readiness protocol (sd_notify), without libsystemd: a datagram
// to $NOTIFY_SOCKET. Outside systemd (no NOTIFY_SOCKET) every call does
// nothing. Errors are ignored: readiness is a courtesy, never a reason to stop.
#pragma once

#include <string_view>

namespace ros::daemon {

// Sends `state`, e.g. "READY=1" or "STOPPING=1".
void notify(std::string_view state);

}  // namespace ros::daemon
