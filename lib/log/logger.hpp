// Logger: writes one line per message to stderr or to a file:
//
//   2026-11-26T13:52:03.123Z info ros-syncd[4242]: listening on 127.0.0.1:27800
//
// (ISO-8601 UTC timestamp with milliseconds, level, program name and pid).
//
// Thread safety: every method may be called from any thread; lines from
// concurrent writers never interleave. The file is opened for append, so
// several processes may share one log file.
//
// Rotation: after logrotate renames the file, reopen() (from a SIGHUP handler
// running in the daemon's event loop) starts a new file at the configured
// path. request_reopen() is the async-signal-safe alternative: it only sets a
// flag, and the next write reopens.
#pragma once

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "log/level.hpp"

namespace ros::log {

class Logger {
 public:
  // A logger for `program` writing to stderr at threshold `level`.
  explicit Logger(std::string program = "ros", Level level = Level::info);
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  // Sends further lines to `path` (appending; created with mode 0640), or to
  // stderr when `path` is empty. On failure the previous destination stays.
  Result<void> set_file(std::optional<std::filesystem::path> path);
  void set_level(Level level) { threshold_.store(level); }
  void set_program(std::string program);

  Level level() const { return threshold_.load(); }
  bool enabled(Level level) const;

  // Closes and opens the file again at the same path. No-op on stderr.
  Result<void> reopen();
  // Async-signal-safe: the next write() reopens the file first.
  void request_reopen() { reopen_requested_.store(true); }

  // Writes one line if `level` passes the threshold. Newlines inside the
  // message are escaped as "\n" so that one message stays one line.
  void write(Level level, std::string_view message);

 private:
  Result<void> open_locked(const std::filesystem::path& path);

  std::atomic<Level> threshold_;
  std::atomic<bool> reopen_requested_{false};

  std::mutex mutex_;
  // Guarded by mutex_:
  std::string program_;
  std::optional<std::filesystem::path> path_;
  std::FILE* file_ = nullptr;  // null: stderr
};

// The process-wide logger every program uses.
Logger& logger();

// Installs a SIGHUP handler that only calls logger().request_reopen(), for
// programs without an event loop. Daemons that handle signals in their
// io_context call logger().reopen() from there instead.
void reopen_on_sighup();

// "2026-11-26T13:52:03.123Z": the current time in the logs' format.
std::string utc_timestamp_now();

namespace impl {
template <class... Parts>
void emit(Level level, const Parts&... parts) {
  Logger& l = logger();
  if (!l.enabled(level)) return;
  std::ostringstream line;
  (line << ... << parts);
  l.write(level, line.str());
}
}  // namespace impl

// log::info("listening on ", address, ":", port);
template <class... P> void trace(const P&... p) { impl::emit(Level::trace, p...); }
template <class... P> void debug(const P&... p) { impl::emit(Level::debug, p...); }
template <class... P> void detail(const P&... p) { impl::emit(Level::detail, p...); }
template <class... P> void info(const P&... p) { impl::emit(Level::info, p...); }
template <class... P> void warn(const P&... p) { impl::emit(Level::warn, p...); }
template <class... P> void error(const P&... p) { impl::emit(Level::error, p...); }
template <class... P> void fatal(const P&... p) { impl::emit(Level::fatal, p...); }

}  // namespace ros::log
