// Helpers for the control tests: a real Server on its own io_context thread
// in a temporary directory, a raw socket for sending malformed bytes, and a
// small op table that exercises every handler shape.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "control/server.hpp"
#include "support/temp_dir.hpp"

namespace ros::test {

// A server named "ros-test" (socket "<dir>/run/test.sock") on a thread.
class TestServer {
 public:
  explicit TestServer(std::vector<control::Op> ops,
                      const std::function<void(control::ServerOptions&)>& tweak = {});
  ~TestServer();

  // Starts the server and, on success, `threads` threads running the io_context.
  Result<void> start(int threads = 1);
  const std::filesystem::path& path() const { return server->path(); }

  TempDir dir;
  control::ServerOptions options;
  boost::asio::io_context io;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard;
  std::unique_ptr<control::Server> server;
  std::vector<std::thread> threads;
};

// A plain connected socket that sends and reads bytes as they are.
class RawConn {
 public:
  explicit RawConn(const std::filesystem::path& path);
  ~RawConn();
  RawConn(const RawConn&) = delete;
  RawConn& operator=(const RawConn&) = delete;

  // Sends everything (false if the peer closed).
  bool send(std::string_view bytes);
  // The next line without its newline; nullopt on end of stream or timeout.
  std::optional<std::string> line(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // True if the server closed the connection within `timeout` (further lines
  // are discarded).
  bool closed_by_peer(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  void shutdown_write();

 private:
  int fd_ = -1;
  std::string buffer_;
};

// Polls `condition` every 10 ms for up to `timeout`.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(5));

// What the test ops share with the test body.
struct TestState {
  std::mutex mutex;
  std::shared_ptr<control::Writer> follower;   // the writer of the last "follow"
  std::atomic<int> calls{0};
};

// echo (read; text string required, count integer, flag boolean, obj object,
// list array): answers its args and the peer; fail: not_found "no user 'alice'";
// throw: throws; sleep (ms integer): blocks the handler; login (username,
// password): {}; count (stream; n integer): 0..n-1 then {"done":n}; flood
// (stream; n integer): n lines at once then "end"; abandon (stream): one line,
// then drops its writer; follow (stream): keeps its
// writer in `state`.
std::vector<control::Op> test_ops(std::shared_ptr<TestState> state);

}  // namespace ros::test
