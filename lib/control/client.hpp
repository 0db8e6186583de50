// The client side of the control protocol (protocol.hpp): a blocking
// connection to one daemon's control socket, for commands (ros-user, ...) and
// for daemons talking to each other. Every call here is a Client operation.
//
// What it promises:
// - connect() fails with a message naming the socket and the daemon:
//   "cannot connect to '<path>': No such file or directory (is ros-authd running?)"
//   (`unavailable`; `permission_denied` when the socket refuses our user).
// - call() returns the reply's result, or its error with the code mapped back
//   to ros::Errc (errc_from_string; an unknown code becomes `internal`).
//   Transport failures are `unavailable` (daemon closed the connection, no
//   reply in time) or `internal` (a reply that is not valid protocol).
// - Timeouts: connecting and each reply wait at most `timeout`, by default
//   kDefaultTimeout (10 s). A stream waits at most `timeout` for its first line
//   and then as long as the daemon keeps the stream open (a follower may wait
//   for news). A timed-out or failed connection is closed: later calls fail.
// - Errors are values; nothing here throws (except std::bad_alloc).
//
// Threads: a Client is used by one thread at a time; requests on one Client
// run one after the other. Move-only; the destructor closes the socket.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "control/protocol.hpp"

namespace ros::control {

// The default wait for a connection and for each reply: 10 seconds.
inline constexpr std::chrono::milliseconds kDefaultTimeout{10'000};

// The longest reply line a client accepts: 64 MiB.
inline constexpr std::size_t kMaxReplyBytes = 64 * 1024 * 1024;

class Client {
 public:
  // Connects to the socket at `path`, served by `daemon` ("ros-authd", named in
  // error messages).
  static Result<Client> connect(const std::filesystem::path& path, std::string daemon,
                                std::chrono::milliseconds timeout = kDefaultTimeout);

  Client(Client&& other) noexcept;
  Client& operator=(Client&& other) noexcept;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  ~Client();

  // Sends `op` with `args` (an object) and waits for its one reply. A stream
  // op's lines are not expected here: the first one is returned as the result
  // and the rest are skipped by the next request.
  Result<json> call(std::string_view op, const json& args = json::object());

  // Sends a stream op and calls `on_result` with the result of every line, the
  // last one included. `on_result` returns false to stop following: the
  // connection is then closed (the daemon sees its follower leave) and
  // stream() returns success. A non-stream op's single result is passed once.
  Result<void> stream(std::string_view op, const json& args,
                      const std::function<bool(const json&)>& on_result);

  // Calls `version` and checks its protocol number against kProtocol:
  // "ros-authd speaks control protocol 2, this program speaks 1 (install
  // matching versions)" (`unavailable`) on a mismatch. The reply on success.
  Result<json> check_protocol();

  const std::filesystem::path& path() const { return path_; }
  const std::string& daemon() const { return daemon_; }
  bool is_open() const { return fd_ >= 0; }

 private:
  Client(int fd, std::filesystem::path path, std::string daemon,
         std::chrono::milliseconds timeout);
  Result<void> send_all(std::string_view bytes);
  // Reads one line; `timeout` nullopt waits without limit.
  Result<std::string> read_line(std::optional<std::chrono::milliseconds> timeout,
                                std::string_view op);
  Result<Reply> next_reply(const json& id, std::optional<std::chrono::milliseconds> timeout,
                           std::string_view op);
  void close();

  int fd_ = -1;
  std::filesystem::path path_;
  std::string daemon_;
  std::chrono::milliseconds timeout_ = kDefaultTimeout;
  std::int64_t next_id_ = 1;
  std::string buffer_;   // bytes read past the last returned line
};

}  // namespace ros::control
