// The server side of the control protocol (protocol.hpp): a daemon's Unix
// control socket, its op table, and the dispatcher that checks every request
// before a handler sees it. Every call here is a Server operation.
//
// A daemon declares its ops in one place:
//
//   std::vector<control::Op> ops = {
//       {"user.add", Access::write, {{"username", ArgType::string}}, user_add},
//       {"user.list", Access::read, {}, user_list},
//       {"logs.follow", Access::read, {{"name", ArgType::string}}, logs_follow},  // stream
//   };
//   control::Server server(io, {.daemon = "ros-authd", .socket_dir = dir}, ops);
//   if (auto started = server.start(); !started) { ... started.error().message ... }
//
// What it promises:
// - The dispatcher, never the handler, refuses a request, with one error reply
//   and in this order: line size (> kMaxLineBytes: `invalid_argument`, and the
//   connection is closed after the reply), JSON, shape (`id`, `op`, `args`),
//   op lookup (`unknown_op`), the peer's uid from SO_PEERCRED
//   (`permission_denied`), arguments (`invalid_argument` naming the argument:
//   unknown ones, then missing ones, then wrong types). So a handler only sees
//   declared arguments of the declared types, and every required one.
// - Two built-in ops, read access, no arguments: `version` answers
//   {"protocol":kProtocol,"daemon":<daemon>,"version":ROS_VERSION}; `ops`
//   answers [{"name","access","streams","args":[{"name","type","required"}]}]
//   for every op, built-ins included. A table may not redefine them.
// - The socket is "<socket_dir>/<name>.sock" (socket_path()), mode 0660, in a
//   directory created (parents too) or forced to mode 0750. start() refuses to
//   take over a live socket ("another ros-authd is running on '<path>'") and
//   replaces a stale one; a path that exists and is not a socket is an error.
// - Limits: at most max_connections at once (extras get one `unavailable` line
//   with "id":null and are closed; a warning is logged); a connection idle for
//   idle_timeout (no request and no reply written, and no stream open) is closed.
// - Every request that reaches a handler is logged at info: op, peer uid and
//   pid, arguments with secrets redacted (redact()); the built-in `version` and
//   `ops` at debug, since every command calls `version` first. Refusals are
//   logged at info.
// - A handler that throws gets an `internal` error reply and an error log line;
//   no input ends the daemon.
// - stop() closes the acceptor and every connection and removes the socket file.
//
// Threads and strands: the server runs on the given io_context, which may be
// run by one or several threads. Each connection has its own strand; handlers
// run on it, one request of a connection at a time, so a slow handler holds one
// io_context thread (offload blocking work and answer from a stream if needed).
// start() and stop() may be called from any thread. The io_context must
// outlive the Server; destroying the Server (which stops it) while the
// io_context runs is safe, since pending work keeps the internal state alive.
// A handler returns before the next line of its connection is read (a stream
// handler may return at once and keep writing, and further requests on the
// same connection are then answered alongside the stream, each line with its
// own id).
// A stream may stay open as long as its handler keeps the Writer; while one
// is open the idle timeout does not apply, but a reply that the peer has not
// read for idle_timeout closes the connection. End-of-input from the peer
// closes its streams (Writer::closed() turns true), after queued replies.
//
// Streams: a stream handler gets a Writer and may keep it (and call it from any
// thread) after returning. Each stream has a bounded queue (stream_queue_lines);
// one write is in flight per connection. A `more()` past the bound is dropped
// and counted; the follower then gets {"more":true,"result":{"lost":N}} before
// the next line that fits (or before the last line), so memory never grows
// without bound.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "control/protocol.hpp"

namespace ros::control {

enum class Access { read, write };
std::string_view to_string(Access access);  // "read", "write"

enum class ArgType { string, integer, boolean, object, array };
std::string_view to_string(ArgType type);   // "string", "integer", ...

// One declared argument of an op.
struct Arg {
  std::string name;
  ArgType type = ArgType::string;
  bool required = true;
};

// A request that passed every check of the dispatcher.
struct Request {
  json id;                      // the client's id, echoed by the replies
  std::string op;
  json args = json::object();   // only declared arguments, of their declared types
  uid_t peer_uid = 0;           // from SO_PEERCRED
  pid_t peer_pid = 0;

  // The argument `name` if present (it has the declared type, so get<T>() on
  // the matching T does not throw).
  const json* arg(std::string_view name) const;
  // The string argument `name`, or `fallback` when it is absent.
  std::string string_arg(std::string_view name, std::string fallback = {}) const;
};

class Connection;  // internal

// The sending end of one stream. Every method may be called from any thread,
// during or after the handler; calls after the stream ended are ignored.
class Writer : public std::enable_shared_from_this<Writer> {
 public:
  // Sends one {"more":true} line. Returns false once the stream is closed
  // (the peer went away, the server stopped, or last()/fail() was called):
  // the producer should then stop. A line past the queue bound is dropped and
  // counted, and true is still returned (the follower is told "lost").
  bool more(json result);
  // Sends the final line and ends the stream.
  void last(json result);
  // Ends the stream with an error reply.
  void fail(Error error);
  // True once the stream has ended or its connection closed.
  bool closed() const;
  // Waits until fewer than `lines` of this stream's lines wait to be written
  // (lines < the queue bound keeps more() from dropping), or the stream
  // closes, or `timeout` passes. True when there is room. For producers that
  // must not lose a line (a durable feed): they wait instead of dropping.
  bool wait_for_room(std::size_t lines, std::chrono::milliseconds timeout);

  // A Writer dropped without last() or fail() ends its stream with an
  // `internal` error ("op 'x' ended its stream without a last line"), so a
  // follower never waits forever on a handler's bug.
  ~Writer();

  // Internal: made by the server.
  Writer(std::weak_ptr<Connection> connection, json id, std::string op, std::uint64_t number,
         std::size_t queue_lines);
  std::uint64_t number() const { return number_; }
  // Internal: the connection wrote one of this stream's queued lines.
  void on_written();
  // Internal: the connection closed.
  void on_connection_closed();

 private:
  bool enqueue(std::string line, bool final_line, bool droppable);

  const std::weak_ptr<Connection> connection_;
  const json id_;
  const std::string op_;
  const std::uint64_t number_;   // the stream's number on its connection
  const std::size_t queue_lines_;

  mutable std::mutex mutex_;
  std::condition_variable room_;  // notified when a line was written or the stream closed
  // Guarded by mutex_:
  bool closed_ = false;
  std::size_t pending_ = 0;   // lines handed to the connection, not yet written
  std::size_t lost_ = 0;      // lines dropped since the last "lost" notice
};

using Handler = std::function<Result<json>(const Request&)>;
using StreamHandler = std::function<void(const Request&, std::shared_ptr<Writer>)>;

// One entry of a daemon's op table.
struct Op {
  std::string name;                          // e.g. "user.add"
  Access access = Access::read;              // reported by `ops`; write ops change state
  std::vector<Arg> args;                     // declared arguments; others are refused.
                                             // A null value counts as absent.
  std::variant<Handler, StreamHandler> handler;

  bool streams() const { return handler.index() == 1; }
};

struct ServerOptions {
  // The daemon's name ("ros-authd"): names the socket, appears in messages
  // and in the `version` op.
  std::string daemon;
  // control.socket_dir; the socket is socket_path(socket_dir, daemon).
  std::filesystem::path socket_dir;
  // Connections served at once; extras are refused with `unavailable`.
  std::size_t max_connections = 32;
  // A connection without a request, a written reply or an open stream for this
  // long is closed.
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(60);
  // Lines a stream may have queued (not yet written) before more() drops.
  std::size_t stream_queue_lines = 256;
  // Peer uids allowed to use ops; nullopt: root and this process's euid.
  std::optional<std::vector<uid_t>> allowed_uids;
};

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions options, std::vector<Op> ops);
  ~Server();  // stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Validates the op table (unique non-empty names, no built-in redefined),
  // prepares the directory, binds and listens, and starts accepting on the
  // io_context. An Error with a one-line message on failure, e.g.
  // "another ros-authd is running on '/var/lib/realm/run/authd.sock'".
  Result<void> start();

  // Closes the acceptor and every connection and removes the socket file.
  // Idempotent; any thread.
  void stop();

  // The socket's path (known before start()).
  const std::filesystem::path& path() const;

  // Connections currently open (for tests and metrics); any thread.
  std::size_t connection_count() const;

 private:
  friend class Connection;
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace ros::control
