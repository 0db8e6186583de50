#include "control/server.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <set>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

#include "log/logger.hpp"

#ifndef ROS_VERSION
#define ROS_VERSION "unknown"
#endif

namespace ros::control {

namespace asio = boost::asio;
using local = asio::local::stream_protocol;
using Clock = std::chrono::steady_clock;

namespace {

// Reading pauses while this many reply bytes wait to be written, so a client
// that sends requests without reading replies cannot grow our memory.
constexpr std::size_t kReadPauseBytes = 1024 * 1024;

// How long to wait before accepting again after accept() failed (EMFILE...).
constexpr std::chrono::milliseconds kAcceptRetry{100};

// How much of a request's arguments an info log line shows.
constexpr std::size_t kLogArgsBytes = 300;

const std::string_view kBuiltinVersion = "version";
const std::string_view kBuiltinOps = "ops";

// A name from the peer, shortened for messages.
std::string shown(std::string_view name) {
  constexpr std::size_t kMax = 64;
  if (name.size() <= kMax) return std::string(name);
  return std::string(name.substr(0, kMax)) + "...";
}

std::string errno_text(int err) { return std::strerror(err); }

std::string_view article_type(ArgType type) {
  switch (type) {
    case ArgType::string: return "a string";
    case ArgType::integer: return "an integer";
    case ArgType::boolean: return "a boolean";
    case ArgType::object: return "an object";
    case ArgType::array: return "an array";
  }
  return "a value";
}

bool has_type(const json& value, ArgType type) {
  switch (type) {
    case ArgType::string: return value.is_string();
    case ArgType::integer: return value.is_number_integer();
    case ArgType::boolean: return value.is_boolean();
    case ArgType::object: return value.is_object();
    case ArgType::array: return value.is_array();
  }
  return false;
}

// Checks `args` against the op's declaration: unknown ones, then missing
// ones, then types. Null members are removed first (absent).
Result<void> check_args(const Op& op, json& args) {
  for (auto it = args.begin(); it != args.end();) {
    if (it->is_null()) {
      it = args.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = args.begin(); it != args.end(); ++it) {
    bool declared = false;
    for (const Arg& arg : op.args) declared = declared || arg.name == it.key();
    if (!declared) {
      return make_error(Errc::invalid_argument,
                        "unknown argument '" + shown(it.key()) + "' for op '" + op.name + "'");
    }
  }
  for (const Arg& arg : op.args) {
    if (arg.required && !args.contains(arg.name)) {
      return make_error(Errc::invalid_argument, "missing argument '" + arg.name + "'");
    }
  }
  for (const Arg& arg : op.args) {
    auto it = args.find(arg.name);
    if (it != args.end() && !has_type(*it, arg.type)) {
      return make_error(Errc::invalid_argument, "argument '" + arg.name + "' must be " +
                                                    std::string(article_type(arg.type)));
    }
  }
  return {};
}

std::string describe_uids(const std::vector<uid_t>& uids) {
  std::string out;
  for (uid_t uid : uids) {
    if (!out.empty()) out += ", ";
    out += uid == 0 ? std::string("root") : "uid " + std::to_string(uid);
  }
  return out.empty() ? "nobody" : out;
}

}  // namespace

std::string_view to_string(Access access) {
  return access == Access::read ? "read" : "write";
}

std::string_view to_string(ArgType type) {
  switch (type) {
    case ArgType::string: return "string";
    case ArgType::integer: return "integer";
    case ArgType::boolean: return "boolean";
    case ArgType::object: return "object";
    case ArgType::array: return "array";
  }
  return "string";
}

const json* Request::arg(std::string_view name) const {
  auto it = args.find(name);
  return it == args.end() ? nullptr : &*it;
}

std::string Request::string_arg(std::string_view name, std::string fallback) const {
  const json* value = arg(name);
  if (value == nullptr || !value->is_string()) return fallback;
  return value->get<std::string>();
}

// ---------------------------------------------------------------------------
// Server::Impl: the acceptor, the op table and the set of connections.

class Server::Impl : public std::enable_shared_from_this<Server::Impl> {
 public:
  Impl(asio::io_context& io, ServerOptions options, std::vector<Op> ops)
      : io_(io),
        options_(std::move(options)),
        path_(socket_path(options_.socket_dir, options_.daemon)),
        ops_(std::move(ops)),
        strand_(asio::make_strand(io)),
        acceptor_(strand_) {
    allowed_uids_ = options_.allowed_uids.value_or(std::vector<uid_t>{0, geteuid()});
  }

  Result<void> start();
  void stop();
  void remove(std::uint64_t number);
  std::size_t connection_count() const {
    std::lock_guard lock(mutex_);
    return connections_.size();
  }

  const Op* find(std::string_view name) const {
    auto it = index_.find(std::string(name));
    return it == index_.end() ? nullptr : &ops_[it->second];
  }
  bool allowed(uid_t uid) const {
    for (uid_t allowed : allowed_uids_) {
      if (allowed == uid) return true;
    }
    return false;
  }
  std::string uid_refusal(uid_t uid) const {
    return "uid " + std::to_string(uid) + " may not use the control socket of " +
           options_.daemon + " (allowed: " + describe_uids(allowed_uids_) + ")";
  }

  const ServerOptions& options() const { return options_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  Result<void> validate_table();
  Result<void> prepare_directory();
  Result<void> clear_stale_socket();
  void do_accept();
  void on_accept(boost::system::error_code ec, local::socket socket);
  json ops_listing() const;

  // Constant after start():
  asio::io_context& io_;
  const ServerOptions options_;
  const std::filesystem::path path_;
  std::vector<Op> ops_;                         // the daemon's ops, then the built-ins
  std::map<std::string, std::size_t, std::less<>> index_;
  std::vector<uid_t> allowed_uids_;

  // Only on strand_:
  asio::strand<asio::io_context::executor_type> strand_;
  local::acceptor acceptor_;
  std::unique_ptr<asio::steady_timer> retry_timer_;

  mutable std::mutex mutex_;
  // Guarded by mutex_:
  bool started_ = false;
  bool stopped_ = false;
  ino_t socket_inode_ = 0;                      // the file we bound, removed by stop()
  std::uint64_t next_number_ = 1;
  std::map<std::uint64_t, std::weak_ptr<Connection>> connections_;
};

// ---------------------------------------------------------------------------
// Connection: one accepted socket, on its own strand.

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<Server::Impl> server, local::socket socket, std::uint64_t number,
             uid_t uid, pid_t pid)
      : server_(std::move(server)),
        socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        number_(number),
        uid_(uid),
        pid_(pid) {}

  // Starts reading and the idle timer, on the strand.
  void run() {
    asio::dispatch(socket_.get_executor(), [self = shared_from_this()] {
      self->last_activity_ = Clock::now();
      self->arm_timer(self->server_->options().idle_timeout);
      self->do_read();
    });
  }

  // Closes the connection (from any thread).
  void close() {
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->shutdown(); });
  }

  // Writer: queues `lines` of `writer`'s stream (from any thread); `final`
  // ends the stream.
  void post_lines(std::shared_ptr<Writer> writer, std::vector<std::string> lines, bool final) {
    asio::post(socket_.get_executor(), [self = shared_from_this(), writer = std::move(writer),
                                        lines = std::move(lines), final]() mutable {
      if (self->closed_) return;
      for (auto& line : lines) self->send(std::move(line), writer);
      if (final) self->end_stream(writer->number());
    });
  }

  // ~Writer: the stream `number` was dropped without a last line.
  void post_abandoned(json id, std::string op, std::uint64_t number) {
    asio::post(socket_.get_executor(), [self = shared_from_this(), id = std::move(id),
                                        op = std::move(op), number] {
      if (self->closed_ || self->streams_.erase(number) == 0) return;
      log::error("control: op ", op, " dropped its stream without a last line");
      self->send(error_line(id, make_error(Errc::internal,
                                           "op '" + op +
                                               "' ended its stream without a last line "
                                               "(internal error; see the daemon's log)")),
                 nullptr);
      if (self->streams_.empty()) self->last_activity_ = Clock::now();
    });
  }

 private:
  struct Out {
    std::string data;
    std::shared_ptr<Writer> from;  // the stream it belongs to, if any
  };

  void do_read() {
    if (closed_ || read_closed_) return;
    reading_ = true;
    asio::async_read_until(
        socket_, asio::dynamic_buffer(in_, kMaxLineBytes + 1), '\n',
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
          self->on_read(ec, n);
        });
  }

  void on_read(boost::system::error_code ec, std::size_t n) {
    reading_ = false;
    if (closed_) return;
    if (ec == asio::error::not_found) {
      // The buffer reached the limit without a newline.
      log::info("control: refused a request from uid ", uid_, ": line longer than ",
                kMaxLineBytes, " bytes");
      send(error_line(nullptr, make_error(Errc::invalid_argument,
                                          "request line is longer than " +
                                              std::to_string(kMaxLineBytes) +
                                              " bytes (limit 1 MiB); closing")),
           nullptr);
      in_.clear();
      read_closed_ = true;
      close_after_drain_ = true;
      if (!writing_) shutdown();
      return;
    }
    if (ec) {
      // eof: the client is done sending; anything else: the socket failed.
      if (ec == asio::error::eof && !in_.empty()) {
        std::string rest = std::move(in_);
        in_.clear();
        handle_line(rest);
      }
      read_closed_ = true;
      if (ec != asio::error::eof) {
        log::debug("control: connection from uid ", uid_, " failed: ", ec.message());
        shutdown();
        return;
      }
      // Streams lose their follower; replies already queued are still written.
      end_all_streams();
      close_after_drain_ = true;
      if (!writing_) shutdown();
      return;
    }
    last_activity_ = Clock::now();
    std::string line = in_.substr(0, n - 1);
    in_.erase(0, n);
    handle_line(line);
    if (closed_) return;
    if (queued_bytes_ <= kReadPauseBytes) {
      do_read();
    } else {
      read_paused_ = true;
    }
  }

  void refuse(const json& id, std::string_view op, Error error) {
    log::info("control: refused ", op.empty() ? std::string("a request") : "op " + shown(op),
              " from uid ", uid_, ": ", error.message);
    send(error_line(id, error), nullptr);
  }

  // The dispatcher: every check in order, then the handler.
  void handle_line(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) return;  // blank line
    json id;
    auto parsed = parse_request(line, id);
    if (!parsed) return refuse(id, {}, parsed.error());
    RequestLine& request = *parsed;
    const Op* op = server_->find(request.op);
    if (op == nullptr) {
      return refuse(id, request.op,
                    make_error(Errc::unknown_op, "unknown op '" + shown(request.op) + "'"));
    }
    if (!server_->allowed(uid_)) {
      return refuse(id, request.op,
                    make_error(Errc::permission_denied, server_->uid_refusal(uid_)));
    }
    if (auto checked = check_args(*op, request.args); !checked) {
      return refuse(id, request.op, checked.error());
    }

    Request req;
    req.id = std::move(request.id);
    req.op = std::move(request.op);
    req.args = std::move(request.args);
    req.peer_uid = uid_;
    req.peer_pid = pid_;
    std::string shown_args = dump(redact(req.args));
    if (shown_args.size() > kLogArgsBytes) shown_args = shown_args.substr(0, kLogArgsBytes) + "...";
    if (req.op == kBuiltinVersion || req.op == kBuiltinOps) {
      log::debug("control: op ", req.op, " by uid ", uid_, " pid ", pid_);
    } else {
      log::info("control: op ", req.op, " by uid ", uid_, " pid ", pid_, " args ", shown_args);
    }

    if (const auto* handler = std::get_if<Handler>(&op->handler)) {
      Result<json> result = internal_error(req.op);
      try {
        result = (*handler)(req);
      } catch (const std::exception& e) {
        log::error("control: op ", req.op, " threw: ", e.what());
      } catch (...) {
        log::error("control: op ", req.op, " threw a non-standard exception");
      }
      send(result ? result_line(req.id, *result) : error_line(req.id, result.error()), nullptr);
      return;
    }
    const auto& stream = std::get<StreamHandler>(op->handler);
    const std::uint64_t number = next_stream_++;
    auto writer = std::make_shared<Writer>(weak_from_this(), req.id, req.op, number,
                                           server_->options().stream_queue_lines);
    streams_.emplace(number, writer);
    try {
      stream(req, writer);
    } catch (const std::exception& e) {
      log::error("control: op ", req.op, " threw: ", e.what());
      writer->fail(internal_error(req.op));
    } catch (...) {
      log::error("control: op ", req.op, " threw a non-standard exception");
      writer->fail(internal_error(req.op));
    }
  }

  static Error internal_error(std::string_view op) {
    return make_error(Errc::internal,
                      "op '" + std::string(op) + "' failed: internal error (see the daemon's log)");
  }

  void send(std::string data, std::shared_ptr<Writer> from) {
    if (closed_) return;
    queued_bytes_ += data.size();
    out_.push_back(Out{std::move(data), std::move(from)});
    if (!writing_) do_write();
  }

  void do_write() {
    writing_ = true;
    write_started_ = Clock::now();
    asio::async_write(socket_, asio::buffer(out_.front().data),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                        self->on_write(ec);
                      });
  }

  void on_write(boost::system::error_code ec) {
    writing_ = false;
    if (closed_) return;
    if (ec) {
      log::debug("control: write to uid ", uid_, " failed: ", ec.message());
      shutdown();
      return;
    }
    last_activity_ = Clock::now();
    Out done = std::move(out_.front());
    out_.pop_front();
    queued_bytes_ -= done.data.size();
    if (done.from) done.from->on_written();
    if (!out_.empty()) {
      do_write();
      return;
    }
    if (close_after_drain_) {
      shutdown();
      return;
    }
    if (read_paused_ && queued_bytes_ <= kReadPauseBytes) {
      read_paused_ = false;
      do_read();
    }
  }

  void end_stream(std::uint64_t number) {
    streams_.erase(number);
    if (streams_.empty()) last_activity_ = Clock::now();
  }

  void end_all_streams() {
    auto streams = std::move(streams_);
    streams_.clear();
    for (const auto& [number, weak] : streams) {
      if (auto writer = weak.lock()) writer->on_connection_closed();
    }
  }

  void arm_timer(Clock::duration after) {
    timer_.expires_after(after);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      self->on_timer(ec);
    });
  }

  // Idle: no request read, no reply written and no stream open for
  // idle_timeout; or a write stuck for as long (the peer stopped reading).
  void on_timer(boost::system::error_code ec) {
    if (ec || closed_) return;
    const auto idle = server_->options().idle_timeout;
    const auto now = Clock::now();
    if (writing_ && now - write_started_ >= idle) {
      log::info("control: closing the connection of uid ", uid_,
                ": it has not read its replies for ", idle.count(), " ms");
      shutdown();
      return;
    }
    if (streams_.empty() && !writing_ && now - last_activity_ >= idle) {
      log::debug("control: closing the connection of uid ", uid_, " after ", idle.count(),
                 " ms idle");
      shutdown();
      return;
    }
    auto next = streams_.empty() ? last_activity_ + idle - now : Clock::duration(idle);
    if (writing_) next = std::min<Clock::duration>(next, write_started_ + idle - now);
    arm_timer(std::max<Clock::duration>(next, std::chrono::milliseconds(1)));
  }

  void shutdown() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    socket_.shutdown(local::socket::shutdown_both, ignored);
    socket_.close(ignored);
    timer_.cancel();
    end_all_streams();
    out_.clear();
    server_->remove(number_);
  }

  // Constant:
  const std::shared_ptr<Server::Impl> server_;

  // Only on the strand (the socket's executor):
  local::socket socket_;
  asio::steady_timer timer_;
  const std::uint64_t number_;
  const uid_t uid_;
  const pid_t pid_;
  std::string in_;
  std::deque<Out> out_;
  std::size_t queued_bytes_ = 0;
  std::map<std::uint64_t, std::weak_ptr<Writer>> streams_;  // open streams by number
  std::uint64_t next_stream_ = 1;
  Clock::time_point last_activity_{};
  Clock::time_point write_started_{};
  bool reading_ = false;
  bool writing_ = false;
  bool read_paused_ = false;
  bool read_closed_ = false;
  bool close_after_drain_ = false;
  bool closed_ = false;
};

// ---------------------------------------------------------------------------
// Writer

Writer::Writer(std::weak_ptr<Connection> connection, json id, std::string op,
               std::uint64_t number, std::size_t queue_lines)
    : connection_(std::move(connection)),
      id_(std::move(id)),
      op_(std::move(op)),
      number_(number),
      queue_lines_(queue_lines) {}

Writer::~Writer() {
  // No other reference exists any more: no lock needed.
  if (closed_) return;
  if (auto connection = connection_.lock()) connection->post_abandoned(id_, op_, number_);
}

bool Writer::more(json result) { return enqueue(more_line(id_, result), false, true); }

void Writer::last(json result) { enqueue(result_line(id_, result), true, false); }

void Writer::fail(Error error) { enqueue(error_line(id_, error), true, false); }

bool Writer::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

bool Writer::enqueue(std::string line, bool final_line, bool droppable) {
  std::lock_guard lock(mutex_);
  if (closed_) return false;
  if (droppable && pending_ >= queue_lines_) {
    ++lost_;
    return true;
  }
  auto connection = connection_.lock();
  if (!connection) {
    closed_ = true;
    return false;
  }
  std::vector<std::string> lines;
  if (lost_ > 0) {
    lines.push_back(more_line(id_, json{{"lost", lost_}}));
    lost_ = 0;
  }
  lines.push_back(std::move(line));
  pending_ += lines.size();
  if (final_line) closed_ = true;
  // Posted under the mutex so that lines from concurrent callers keep the
  // order in which they were accepted.
  connection->post_lines(shared_from_this(), std::move(lines), final_line);
  return !final_line;
}

void Writer::on_written() {
  {
    std::lock_guard lock(mutex_);
    if (pending_ > 0) --pending_;
  }
  room_.notify_all();
}

void Writer::on_connection_closed() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  room_.notify_all();
}

bool Writer::wait_for_room(std::size_t lines, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  room_.wait_for(lock, timeout, [&] { return closed_ || pending_ < lines; });
  return !closed_ && pending_ < lines;
}

// ---------------------------------------------------------------------------
// Server::Impl

Result<void> Server::Impl::validate_table() {
  auto table_error = [&](const std::string& what) {
    return make_error(Errc::internal, "control op table of " + options_.daemon + ": " + what);
  };
  if (options_.daemon.empty()) return table_error("the daemon has no name");
  for (const Op& op : ops_) {
    if (op.name.empty()) return table_error("an op has no name");
    if (op.name == kBuiltinVersion || op.name == kBuiltinOps) {
      return table_error("op '" + op.name + "' is built in and cannot be redefined");
    }
    bool empty = std::visit([](const auto& h) { return !h; }, op.handler);
    if (empty) return table_error("op '" + op.name + "' has no handler");
    std::set<std::string> names;
    for (const Arg& arg : op.args) {
      if (!names.insert(arg.name).second) {
        return table_error("op '" + op.name + "' declares argument '" + arg.name + "' twice");
      }
    }
    if (!index_.emplace(op.name, index_.size()).second) {
      return table_error("op '" + op.name + "' is declared twice");
    }
  }
  std::weak_ptr<Impl> weak = weak_from_this();
  ops_.push_back(Op{std::string(kBuiltinVersion), Access::read, {},
                    Handler([daemon = options_.daemon](const Request&) -> Result<json> {
                      return json{{"protocol", kProtocol},
                                  {"daemon", daemon},
                                  {"version", ROS_VERSION}};
                    })});
  ops_.push_back(Op{std::string(kBuiltinOps), Access::read, {},
                    Handler([weak](const Request&) -> Result<json> {
                      auto self = weak.lock();
                      if (!self) return make_error(Errc::unavailable, "the server is stopping");
                      return self->ops_listing();
                    })});
  index_.emplace(std::string(kBuiltinVersion), ops_.size() - 2);
  index_.emplace(std::string(kBuiltinOps), ops_.size() - 1);
  return {};
}

json Server::Impl::ops_listing() const {
  json list = json::array();
  for (const Op& op : ops_) {
    json args = json::array();
    for (const Arg& arg : op.args) {
      args.push_back({{"name", arg.name}, {"type", to_string(arg.type)}, {"required", arg.required}});
    }
    list.push_back({{"name", op.name},
                    {"access", to_string(op.access)},
                    {"streams", op.streams()},
                    {"args", std::move(args)}});
  }
  return list;
}

Result<void> Server::Impl::prepare_directory() {
  if (path_.native().size() >= sizeof(sockaddr_un{}.sun_path)) {
    return make_error(Errc::invalid_argument,
                      "control socket path '" + path_.string() + "' is too long (limit " +
                          std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) +
                          " bytes; choose a shorter control.socket_dir)");
  }
  const auto& dir = options_.socket_dir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return make_error(Errc::unavailable, "cannot create the control socket directory '" +
                                             dir.string() + "': " + ec.message());
  }
  if (::chmod(dir.c_str(), 0750) != 0) {
    return make_error(Errc::unavailable, "cannot set mode 0750 on the control socket directory '" +
                                             dir.string() + "': " + errno_text(errno));
  }
  return {};
}

Result<void> Server::Impl::clear_stale_socket() {
  struct stat st {};
  if (::lstat(path_.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};
    return make_error(Errc::unavailable,
                      "cannot check '" + path_.string() + "': " + errno_text(errno));
  }
  if (!S_ISSOCK(st.st_mode)) {
    return make_error(Errc::conflict, "'" + path_.string() +
                                          "' exists and is not a socket (remove it or change "
                                          "control.socket_dir)");
  }
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return make_error(Errc::internal, "cannot create a socket: " + errno_text(errno));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path_.c_str(), path_.native().size());
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int err = errno;
  ::close(fd);
  if (rc == 0 || err == EAGAIN) {
    return make_error(Errc::conflict,
                      "another " + options_.daemon + " is running on '" + path_.string() + "'");
  }
  if (err != ECONNREFUSED) {
    return make_error(Errc::unavailable,
                      "cannot check '" + path_.string() + "': " + errno_text(err));
  }
  if (::unlink(path_.c_str()) != 0 && errno != ENOENT) {
    return make_error(Errc::unavailable, "cannot remove the stale control socket '" +
                                             path_.string() + "': " + errno_text(errno));
  }
  log::info("control: removed the stale control socket '", path_.string(), "'");
  return {};
}

Result<void> Server::Impl::start() {
  {
    std::lock_guard lock(mutex_);
    if (started_) return make_error(Errc::internal, "control server already started");
    started_ = true;
  }
  if (auto r = validate_table(); !r) return r;
  if (auto r = prepare_directory(); !r) return r;
  if (auto r = clear_stale_socket(); !r) return r;

  auto bind_error = [&](const boost::system::error_code& ec) {
    return make_error(Errc::unavailable, "cannot bind the control socket '" + path_.string() +
                                             "': " + ec.message());
  };
  boost::system::error_code ec;
  local::endpoint endpoint(path_.string());
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return bind_error(ec);
  acceptor_.bind(endpoint, ec);
  if (ec) return bind_error(ec);
  struct stat st {};
  if (::chmod(path_.c_str(), 0660) != 0 || ::lstat(path_.c_str(), &st) != 0) {
    int err = errno;
    acceptor_.close(ec);
    ::unlink(path_.c_str());
    return make_error(Errc::unavailable,
                      "cannot set mode 0660 on '" + path_.string() + "': " + errno_text(err));
  }
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    ::unlink(path_.c_str());
    return bind_error(ec);
  }
  {
    std::lock_guard lock(mutex_);
    socket_inode_ = st.st_ino;
  }
  log::info("control: listening on '", path_.string(), "'");
  asio::post(strand_, [self = shared_from_this()] { self->do_accept(); });
  return {};
}

void Server::Impl::do_accept() {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
  }
  acceptor_.async_accept(asio::make_strand(io_),
                         asio::bind_executor(strand_, [self = shared_from_this()](
                                                          boost::system::error_code ec,
                                                          local::socket socket) {
                           self->on_accept(ec, std::move(socket));
                         }));
}

void Server::Impl::on_accept(boost::system::error_code ec, local::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    log::warn("control: accept on '", path_.string(), "' failed: ", ec.message());
    retry_timer_ = std::make_unique<asio::steady_timer>(strand_, kAcceptRetry);
    retry_timer_->async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
      if (!wait_ec) self->do_accept();
    });
    return;
  }
  ucred cred{};
  socklen_t len = sizeof cred;
  int fd = socket.native_handle();
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    log::warn("control: cannot read the peer's credentials: ", errno_text(errno));
    boost::system::error_code ignored;
    socket.close(ignored);
    do_accept();
    return;
  }
  std::shared_ptr<Connection> connection;
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    if (connections_.size() >= options_.max_connections) {
      log::warn("control: refused a connection from uid ", cred.uid, " pid ", cred.pid, ": ",
                connections_.size(), " control connections open (limit ",
                options_.max_connections, ")");
      std::string line = error_line(
          nullptr, make_error(Errc::unavailable,
                              "too many control connections to " + options_.daemon + " (limit " +
                                  std::to_string(options_.max_connections) + "); try again later"));
      // Small enough for an empty socket buffer: never blocks.
      [[maybe_unused]] auto sent = ::send(fd, line.data(), line.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      boost::system::error_code ignored;
      socket.shutdown(local::socket::shutdown_both, ignored);
      socket.close(ignored);
    } else {
      std::uint64_t number = next_number_++;
      connection = std::make_shared<Connection>(shared_from_this(), std::move(socket), number,
                                                cred.uid, cred.pid);
      connections_.emplace(number, connection);
    }
  }
  if (connection) {
    log::debug("control: connection from uid ", cred.uid, " pid ", cred.pid);
    connection->run();
  }
  do_accept();
}

void Server::Impl::remove(std::uint64_t number) {
  std::lock_guard lock(mutex_);
  connections_.erase(number);
}

void Server::Impl::stop() {
  std::vector<std::shared_ptr<Connection>> open;
  ino_t inode = 0;
  {
    std::lock_guard lock(mutex_);
    if (stopped_ || !started_) {
      stopped_ = true;
      return;
    }
    stopped_ = true;
    inode = socket_inode_;
    for (auto& [number, weak] : connections_) {
      if (auto c = weak.lock()) open.push_back(std::move(c));
    }
  }
  asio::post(strand_, [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
    if (self->retry_timer_) self->retry_timer_->cancel();
  });
  for (auto& connection : open) connection->close();
  // Only our own socket file: a successor may have replaced it.
  struct stat st {};
  if (inode != 0 && ::lstat(path_.c_str(), &st) == 0 && st.st_ino == inode) {
    ::unlink(path_.c_str());
  }
  log::info("control: stopped listening on '", path_.string(), "'");
}

// ---------------------------------------------------------------------------
// Server

Server::Server(asio::io_context& io, ServerOptions options, std::vector<Op> ops)
    : impl_(std::make_shared<Impl>(io, std::move(options), std::move(ops))) {}

Server::~Server() { impl_->stop(); }

Result<void> Server::start() { return impl_->start(); }

void Server::stop() { impl_->stop(); }

const std::filesystem::path& Server::path() const { return impl_->path(); }

std::size_t Server::connection_count() const { return impl_->connection_count(); }

}  // namespace ros::control
