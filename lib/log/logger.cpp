#include "log/logger.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <csignal>
#include <fcntl.h>
#include <unistd.h>

namespace ros::log {

Logger::Logger(std::string program, Level level) : threshold_(level), program_(std::move(program)) {}

Logger::~Logger() {
  if (file_ != nullptr) std::fclose(file_);
}

void Logger::set_program(std::string program) {
  std::lock_guard lock(mutex_);
  program_ = std::move(program);
}

bool Logger::enabled(Level level) const {
  Level threshold = threshold_.load();
  return threshold != Level::off && level != Level::off && level >= threshold;
}

Result<void> Logger::open_locked(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) {
    return make_error(Errc::unavailable, "cannot open log file '" + path.string() +
                                             "': " + std::strerror(errno));
  }
  std::FILE* f = ::fdopen(fd, "a");
  if (f == nullptr) {
    ::close(fd);
    return make_error(Errc::internal, "cannot open log file '" + path.string() + "'");
  }
  if (file_ != nullptr) std::fclose(file_);
  file_ = f;
  path_ = path;
  return {};
}

Result<void> Logger::set_file(std::optional<std::filesystem::path> path) {
  std::lock_guard lock(mutex_);
  if (!path || path->empty()) {
    if (file_ != nullptr) std::fclose(file_);
    file_ = nullptr;
    path_.reset();
    return {};
  }
  return open_locked(*path);
}

Result<void> Logger::reopen() {
  std::lock_guard lock(mutex_);
  reopen_requested_.store(false);
  if (!path_) return {};
  return open_locked(*path_);
}

std::string utc_timestamp_now() {
  using namespace std::chrono;
  auto now = system_clock::now();
  std::time_t seconds = system_clock::to_time_t(now);
  auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(millis));
  return buf;
}

void Logger::write(Level level, std::string_view message) {
  if (!enabled(level)) return;
  std::string line = utc_timestamp_now();
  line += ' ';
  line += to_string(level);
  line += ' ';
  {
    std::lock_guard lock(mutex_);
    line += program_;
  }
  line += '[' + std::to_string(::getpid()) + "]: ";
  for (char c : message) {
    if (c == '\n') {
      line += "\\n";
    } else if (c != '\r') {
      line += c;
    }
  }
  line += '\n';

  if (reopen_requested_.load()) {
    // A failed reopen keeps writing to the old file: losing lines is worse.
    (void)reopen();
  }
  std::lock_guard lock(mutex_);
  std::FILE* out = file_ != nullptr ? file_ : stderr;
  std::fwrite(line.data(), 1, line.size(), out);
  std::fflush(out);
}

Logger& logger() {
  static Logger instance;
  return instance;
}

}  // namespace ros::log

namespace ros::log {
namespace {
void on_sighup(int) { logger().request_reopen(); }
}  // namespace

void reopen_on_sighup() {
  static_assert(std::atomic<bool>::is_always_lock_free, "signal handler needs a lock-free flag");
  logger();  // constructed before any signal can arrive
  struct sigaction action {};
  action.sa_handler = on_sighup;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGHUP, &action, nullptr);
}

}  // namespace ros::log
