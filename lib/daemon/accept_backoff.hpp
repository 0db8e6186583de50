// What an acceptor does when accept() fails for want of resources: EMFILE,
// ENFILE (out of descriptors), ENOBUFS, ENOMEM. The pending connection stays
// in the kernel's queue, so accepting again at once fails again at once and
// the loop spins a core; every acceptor of ros (ros-syncd, ros-authd's HTTP
// server, ros-proxy, the control sockets) waits kAcceptPause instead and
// warns at most once per kAcceptWarnEvery.
//
// Header only: the acceptors live in libraries that do not link each other.
#pragma once

#include <chrono>

#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>

namespace ros::daemon {

inline constexpr std::chrono::milliseconds kAcceptPause{100};
inline constexpr std::chrono::seconds kAcceptWarnEvery{10};

// True when accept failed for want of descriptors or memory: pause, then
// accept again. Other errors (a peer that reset before accept) are not.
inline bool accept_should_pause(const boost::system::error_code& ec) {
  namespace error = boost::asio::error;
  return ec == error::no_descriptors || ec == error::no_buffer_space ||
         ec == error::no_memory ||
         ec == boost::system::errc::too_many_files_open_in_system;
}

// Rate limit for the warning: true at most once per kAcceptWarnEvery, when
// `last` (updated) is that old. Only on the acceptor's own strand.
inline bool accept_warn_due(std::chrono::steady_clock::time_point& last) {
  const auto now = std::chrono::steady_clock::now();
  if (last != std::chrono::steady_clock::time_point{} && now - last < kAcceptWarnEvery) {
    return false;
  }
  last = now;
  return true;
}

}  // namespace ros::daemon
