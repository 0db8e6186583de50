#include "test_server.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ros::test {

using control::json;
using Clock = std::chrono::steady_clock;

TestServer::TestServer(std::vector<control::Op> ops,
                       const std::function<void(control::ServerOptions&)>& tweak) {
  options.daemon = "ros-test";
  options.socket_dir = dir / "run";
  if (tweak) tweak(options);
  guard.emplace(io.get_executor());
  server = std::make_unique<control::Server>(io, options, std::move(ops));
}

TestServer::~TestServer() {
  server.reset();
  guard.reset();
  io.stop();
  for (auto& thread : threads) thread.join();
}

Result<void> TestServer::start(int count) {
  auto started = server->start();
  for (int i = 0; started && i < count; ++i) threads.emplace_back([this] { io.run(); });
  return started;
}

RawConn::RawConn(const std::filesystem::path& path) {
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("cannot connect to " + path.string() + ": " + std::strerror(errno));
  }
}

RawConn::~RawConn() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawConn::send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::optional<std::string> RawConn::line(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    auto newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char chunk[65536];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

bool RawConn::closed_by_peer(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char chunk[65536];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;  // end of stream, or ECONNRESET
  }
}

void RawConn::shutdown_write() { ::shutdown(fd_, SHUT_WR); }

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

std::vector<control::Op> test_ops(std::shared_ptr<TestState> state) {
  using control::Access;
  using control::ArgType;
  using control::Op;
  using control::Request;
  using control::Writer;
  std::vector<Op> ops;
  ops.push_back(Op{"echo",
                   Access::read,
                   {{"text", ArgType::string},
                    {"count", ArgType::integer, false},
                    {"flag", ArgType::boolean, false},
                    {"obj", ArgType::object, false},
                    {"list", ArgType::array, false}},
                   [state](const Request& r) -> Result<json> {
                     ++state->calls;
                     return json{{"args", r.args}, {"uid", r.peer_uid}, {"pid", r.peer_pid}};
                   }});
  ops.push_back(Op{"fail", Access::write, {}, [](const Request&) -> Result<json> {
                     return make_error(Errc::not_found, "no user 'alice'");
                   }});
  ops.push_back(Op{"throw", Access::write, {}, [](const Request&) -> Result<json> {
                     throw std::runtime_error("boom");
                   }});
  ops.push_back(Op{"sleep", Access::read, {{"ms", ArgType::integer}},
                   [](const Request& r) -> Result<json> {
                     std::this_thread::sleep_for(
                         std::chrono::milliseconds(r.arg("ms")->get<int>()));
                     return json::object();
                   }});
  ops.push_back(Op{"login", Access::write,
                   {{"username", ArgType::string}, {"password", ArgType::string}},
                   [](const Request&) -> Result<json> { return json::object(); }});
  ops.push_back(Op{"count", Access::read, {{"n", ArgType::integer}},
                   [](const Request& r, std::shared_ptr<Writer> w) {
                     int n = r.arg("n")->get<int>();
                     for (int i = 0; i < n; ++i) w->more(i);
                     w->last(json{{"done", n}});
                   }});
  ops.push_back(Op{"flood", Access::read, {{"n", ArgType::integer}},
                   [](const Request& r, std::shared_ptr<Writer> w) {
                     int n = r.arg("n")->get<int>();
                     for (int i = 0; i < n; ++i) w->more(i);
                     w->last("end");
                   }});
  ops.push_back(Op{"abandon", Access::read, {},
                   [](const Request&, std::shared_ptr<Writer> w) { w->more("only"); }});
  ops.push_back(Op{"follow", Access::read, {},
                   [state](const Request&, std::shared_ptr<Writer> w) {
                     std::lock_guard lock(state->mutex);
                     state->follower = std::move(w);
                   }});
  return ops;
}

}  // namespace ros::test
