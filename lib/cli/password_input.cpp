#include "cli/password_input.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <iostream>

namespace ros::cli {
namespace {

constexpr std::size_t kMaxPassword = 1024;

// One line from `fd` without echo; the terminal's settings are restored.
Result<std::string> prompt(int fd, const char* question) {
  if (::write(fd, question, std::char_traits<char>::length(question)) < 0) {
    return make_error(Errc::invalid_argument, "cannot write to the terminal");
  }
  termios saved{};
  bool restore = ::tcgetattr(fd, &saved) == 0;
  if (restore) {
    termios silent = saved;
    silent.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    silent.c_lflag |= ECHONL;
    ::tcsetattr(fd, TCSAFLUSH, &silent);
  }
  std::string line;
  char c = 0;
  while (::read(fd, &c, 1) == 1 && c != '\n') {
    if (line.size() <= kMaxPassword) line += c;
  }
  if (restore) ::tcsetattr(fd, TCSAFLUSH, &saved);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

Result<std::string> read_password_stdin() {
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) return make_error(Errc::invalid_argument, "the password on standard input is empty");
  return line;
}

Result<std::string> read_new_password_tty() {
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    return make_error(Errc::invalid_argument,
                      "no terminal to read the password from; use --password-stdin");
  }
  auto first = prompt(fd, "Password: ");
  auto second = first ? prompt(fd, "Repeat password: ") : first;
  ::close(fd);
  if (!first) return first;
  if (first->empty()) return make_error(Errc::invalid_argument, "the password is empty");
  if (*first != *second) return make_error(Errc::invalid_argument, "the passwords differ");
  return first;
}

}  // namespace ros::cli
