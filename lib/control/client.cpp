#include "control/client.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ros::control {
namespace {

using Clock = std::chrono::steady_clock;

std::string seconds_text(std::chrono::milliseconds timeout) {
  if (timeout.count() % 1000 == 0) return std::to_string(timeout.count() / 1000) + " s";
  return std::to_string(timeout.count()) + " ms";
}

// Milliseconds left until `deadline` for poll(); -1 without a deadline.
int poll_wait(const std::optional<Clock::time_point>& deadline) {
  if (!deadline) return -1;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(std::min<long long>(left.count(), 1 << 30));
}

}  // namespace

Client::Client(int fd, std::filesystem::path path, std::string daemon,
               std::chrono::milliseconds timeout)
    : fd_(fd), path_(std::move(path)), daemon_(std::move(daemon)), timeout_(timeout) {}

Client::Client(Client&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      daemon_(std::move(other.daemon_)),
      timeout_(other.timeout_),
      next_id_(other.next_id_),
      buffer_(std::move(other.buffer_)) {}

Client& Client::operator=(Client&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    daemon_ = std::move(other.daemon_);
    timeout_ = other.timeout_;
    next_id_ = other.next_id_;
    buffer_ = std::move(other.buffer_);
  }
  return *this;
}

Client::~Client() { close(); }

void Client::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

Result<Client> Client::connect(const std::filesystem::path& path, std::string daemon,
                               std::chrono::milliseconds timeout) {
  auto fail = [&](int err) {
    std::string message = "cannot connect to '" + path.string() + "': " + std::strerror(err);
    if (err == EACCES || err == EPERM) {
      return make_error(Errc::permission_denied,
                        message + " (run as root or as the user of " + daemon + ")");
    }
    return make_error(Errc::unavailable, message + " (is " + daemon + " running?)");
  };
  sockaddr_un addr{};
  if (path.native().size() >= sizeof addr.sun_path) return fail(ENAMETOOLONG);
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.native().size());

  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return fail(errno);
  // A Unix socket connects at once, or says EAGAIN when the daemon's backlog is
  // full: then retry until the deadline.
  const auto deadline = Clock::now() + timeout;
  while (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int err = errno;
    if (err == EINTR) continue;
    if ((err == EAGAIN || err == EINPROGRESS) && Clock::now() < deadline) {
      ::usleep(10'000);
      continue;
    }
    ::close(fd);
    if (err == EAGAIN || err == EINPROGRESS) {
      return make_error(Errc::unavailable, "cannot connect to '" + path.string() +
                                               "': no answer within " + seconds_text(timeout) +
                                               " (is " + daemon + " overloaded?)");
    }
    return fail(err);
  }
  return Client(fd, path, std::move(daemon), timeout);
}

Result<void> Client::send_all(std::string_view bytes) {
  if (fd_ < 0) return make_error(Errc::unavailable, "the connection to " + daemon_ + " is closed");
  const auto deadline = Clock::now() + timeout_;
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd_, POLLOUT, 0};
      int rc = ::poll(&p, 1, poll_wait(deadline));
      if (rc == 0) {
        close();
        return make_error(Errc::unavailable, daemon_ + " on '" + path_.string() +
                                                 "' does not read its requests (waited " +
                                                 seconds_text(timeout_) + ")");
      }
      continue;
    }
    int err = errno;
    close();
    return make_error(Errc::unavailable, "cannot send to " + daemon_ + " on '" + path_.string() +
                                             "': " + std::strerror(err));
  }
  return {};
}

Result<std::string> Client::read_line(std::optional<std::chrono::milliseconds> timeout,
                                      std::string_view op) {
  std::optional<Clock::time_point> deadline;
  if (timeout) deadline = Clock::now() + *timeout;
  std::size_t scanned = 0;
  for (;;) {
    if (fd_ < 0) {
      return make_error(Errc::unavailable, "the connection to " + daemon_ + " is closed");
    }
    auto newline = buffer_.find('\n', scanned);
    if (newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      return line;
    }
    scanned = buffer_.size();
    if (buffer_.size() > kMaxReplyBytes) {
      close();
      return make_error(Errc::internal, daemon_ + " sent a reply longer than " +
                                            std::to_string(kMaxReplyBytes) + " bytes");
    }
    pollfd p{fd_, POLLIN, 0};
    int rc = ::poll(&p, 1, poll_wait(deadline));
    if (rc < 0 && errno == EINTR) continue;
    if (rc == 0) {
      close();
      return make_error(Errc::unavailable, "no reply from " + daemon_ + " on '" + path_.string() +
                                               "' within " + seconds_text(*timeout) +
                                               (op.empty() ? "" : " (op '" + std::string(op) + "')"));
    }
    char chunk[65536];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    std::string cause = n == 0 ? std::string("closed the connection")
                               : "failed: " + std::string(std::strerror(errno));
    close();
    return make_error(Errc::unavailable,
                      "the connection to " + daemon_ + " on '" + path_.string() + "' " + cause +
                          (op.empty() ? "" : " (op '" + std::string(op) + "')"));
  }
}

Result<Reply> Client::next_reply(const json& id, std::optional<std::chrono::milliseconds> timeout,
                                 std::string_view op) {
  for (;;) {
    auto line = read_line(timeout, op);
    if (!line) return line.error();
    auto reply = parse_reply(*line);
    if (!reply) {
      close();
      return make_error(Errc::internal, "invalid reply from " + daemon_ + ": " +
                                            reply.error().message);
    }
    // A null id is a refusal of the connection or of an unreadable line.
    if (reply->id == id || reply->id.is_null()) return reply;
    // Left over from an earlier stream that was not read to its end: skip.
  }
}

Result<json> Client::call(std::string_view op, const json& args) {
  json id = next_id_++;
  if (auto sent = send_all(request_line(id, op, args)); !sent) return sent.error();
  auto reply = next_reply(id, timeout_, op);
  if (!reply) return reply.error();
  if (!reply->ok()) return *reply->error;
  return std::move(reply->result);
}

Result<void> Client::stream(std::string_view op, const json& args,
                            const std::function<bool(const json&)>& on_result) {
  json id = next_id_++;
  if (auto sent = send_all(request_line(id, op, args)); !sent) return sent.error();
  std::optional<std::chrono::milliseconds> timeout = timeout_;
  for (;;) {
    auto reply = next_reply(id, timeout, op);
    if (!reply) return reply.error();
    timeout.reset();  // after the first line, a follower waits for news
    if (!reply->ok()) return *reply->error;
    bool go_on = on_result(reply->result);
    if (!reply->more) return {};
    if (!go_on) {
      close();
      return {};
    }
  }
}

Result<json> Client::check_protocol() {
  auto version = call("version");
  if (!version) return version;
  const json& v = *version;
  if (!v.is_object() || !v.contains("protocol") || !v["protocol"].is_number_integer()) {
    return make_error(Errc::internal, "invalid reply from " + daemon_ + " to 'version'");
  }
  auto protocol = v["protocol"].get<std::int64_t>();
  if (protocol != kProtocol) {
    return make_error(Errc::unavailable, daemon_ + " speaks control protocol " +
                                             std::to_string(protocol) +
                                             ", this program speaks " + std::to_string(kProtocol) +
                                             " (install matching versions)");
  }
  return version;
}

}  // namespace ros::control
