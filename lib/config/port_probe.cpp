#include "config/port_probe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ros::config {

Result<void> probe_listen(const std::string& address, std::uint16_t port) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    length = sizeof *v4;
  } else if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    length = sizeof *v6;
  } else {
    return make_error(Errc::invalid_argument, "'" + address + "' is not an IP address");
  }

  const std::string where = (storage.ss_family == AF_INET6 ? "[" + address + "]" : address) +
                            ":" + std::to_string(port);
  int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return make_error(Errc::unavailable,
                      "cannot open a socket for " + where + ": " + std::strerror(errno));
  }
  int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  int rc = ::bind(fd, reinterpret_cast<sockaddr*>(&storage), length);
  if (rc == 0) rc = ::listen(fd, 1);
  int err = errno;
  ::close(fd);
  if (rc == 0) return {};
  switch (err) {
    case EADDRINUSE:
      return make_error(Errc::unavailable, "port " + std::to_string(port) + " on " + address +
                                               " is already in use by another process "
                                               "(stop it, or choose another port)");
    case EADDRNOTAVAIL:
      return make_error(Errc::unavailable,
                        "address " + address + " is not an address of this machine");
    case EACCES:
      return make_error(Errc::unavailable, "binding " + where +
                                               " is not permitted (ports below 1024 need "
                                               "privileges; use a higher port)");
    default:
      return make_error(Errc::unavailable, "cannot listen on " + where + ": " + std::strerror(err));
  }
}

}  // namespace ros::config
