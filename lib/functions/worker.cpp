#include "functions/worker.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <ctime>
#include <map>

#include "control/client.hpp"
#include "functions/realm_mirror.hpp"
#include "functions/runner.hpp"
#include "log/logger.hpp"

namespace ros::functions {

using nlohmann::json;

void append_log_line(int fd, const std::string& text) {
  if (fd < 0) return;
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::string line = std::string(stamp) + " ros-fnd: " + text + "\n";
  // One write() of an O_APPEND file: lines of the daemon and of the
  // function's own output never cut into each other.
  ssize_t ignored = ::write(fd, line.data(), line.size());
  (void)ignored;
}

Worker::Worker(FunctionRecord record, Registry& registry, WorkerOptions options)
    : record_(std::move(record)), registry_(registry), options_(std::move(options)) {
  log_fd_ = ::open(options_.log_file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (log_fd_ < 0) log::warn("cannot open the log of function '", record_.name, "': '",
                             options_.log_file.string(), "'");
}

Worker::~Worker() {
  stop();
  if (log_fd_ >= 0) ::close(log_fd_);
}

void Worker::start() {
  {
    std::lock_guard lock(mutex_);
    stop_ = false;
  }
  thread_ = std::thread([this] { run(); });
}

void Worker::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Worker::stopping() {
  std::lock_guard lock(mutex_);
  return stop_;
}

bool Worker::sleep_for(std::chrono::milliseconds d) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, d, [&] { return stop_; });
  return !stop_;
}

void Worker::log_line(const std::string& text) { append_log_line(log_fd_, text); }

json Worker::status() {
  std::lock_guard lock(mutex_);
  return {{"events_delivered", delivered_},
          {"failed_runs", failed_runs_},
          {"last_error", last_error_.empty() ? json(nullptr) : json(last_error_)},
          {"realms", realms_},
          {"connected", connected_}};
}

bool Worker::deliver(const json& event) {
  RunSpec spec;
  const auto entry = options_.function_dir / record_.entry;
  if (record_.kind == Kind::node) {
    spec.argv = {options_.node_path.string(), options_.runtime_js.string(), entry.string()};
  } else {
    spec.argv = {entry.string()};
  }
  spec.cwd = options_.function_dir;
  spec.env = {"ROS_FUNCTION_NAME=" + record_.name,
              "ROS_REALM_PATH=" + event["path"].get<std::string>()};
  spec.input = event.dump() + "\n";
  spec.log_fd = log_fd_;
  spec.timeout = options_.timeout;
  const std::string what = "'" + event["path"].get<std::string>() + "' version " +
                           std::to_string(event["version"].get<std::uint64_t>());
  auto delay = options_.retry_delay;
  for (std::int64_t attempt = 1;; ++attempt) {
    RunOutcome outcome = functions::run(spec, [this] { return stopping(); });
    if (outcome.ok()) {
      std::lock_guard lock(mutex_);
      ++delivered_;
      return true;
    }
    if (outcome.kind == RunOutcome::Kind::stopped) return false;
    const std::string why = outcome.describe();
    {
      std::lock_guard lock(mutex_);
      ++failed_runs_;
      last_error_ = "event of " + what + ": " + why;
    }
    if (attempt >= options_.max_attempts) {
      std::string reason = "the event of " + what + " failed " + std::to_string(attempt) +
                           " times (functions.max_attempts); last: " + why;
      log_line("stopped: " + reason);
      log::warn("function '", record_.name, "' stopped: ", reason);
      if (auto ok = registry_.set_state(record_.name, State::failed, reason); !ok) {
        log::error("function '", record_.name, "': ", ok.error().message);
      }
      return false;
    }
    log_line("event of " + what + ": " + why + " (attempt " + std::to_string(attempt) + " of " +
             std::to_string(options_.max_attempts) + "; retrying in " +
             std::to_string(delay.count() / 1000.0).substr(0, 4) + " s)");
    if (!sleep_for(delay)) return false;
    delay = std::min(delay * 2, options_.max_retry_delay);
  }
}

void Worker::run() {
  auto cursors = registry_.cursors(record_.name);
  if (!cursors) {
    log::error("function '", record_.name, "': ", cursors.error().message);
    finished_ = true;
    return;
  }
  std::map<std::string, RealmMirror> mirrors;
  bool said_unreachable = false;
  bool failed = false;
  while (!stopping() && !failed) {
    auto client = control::Client::connect(options_.syncd_socket, "ros-syncd",
                                           std::chrono::seconds(5));
    if (!client) {
      if (!said_unreachable) {
        log::warn("function '", record_.name, "': ", client.error().message, "; retrying");
        said_unreachable = true;
      }
      if (!sleep_for(std::chrono::seconds(1))) break;
      continue;
    }
    json from = json::object();
    for (const auto& [path, mirror] : mirrors) from[path] = mirror.version();
    json args = {{"paths", record_.regex}, {"from", from}};
    bool reset = false;
    auto streamed = client->stream("feed.follow", args, [&](const json& line) {
      if (stopping()) return false;
      if (!line.contains("path")) {
        std::lock_guard lock(mutex_);
        connected_ = true;
        said_unreachable = false;
        return true;  // subscribed, heartbeat
      }
      const std::string path = line["path"].get<std::string>();
      const std::uint64_t version = line["version"].get<std::uint64_t>();
      auto it = mirrors.find(path);
      if (it == mirrors.end()) {
        it = mirrors.emplace(path, RealmMirror(path)).first;
        std::lock_guard lock(mutex_);
        realms_ = mirrors.size();
      }
      RealmMirror& mirror = it->second;
      if (version <= mirror.version()) return true;
      auto cursor_it = cursors->find(path);
      const std::uint64_t cursor = cursor_it == cursors->end() ? 0 : cursor_it->second;
      const bool want = version > cursor;
      auto event = mirror.apply(version, line.value("changeset", ""), want);
      if (!event) {
        // The mirror no longer matches the history: start this Realm over.
        log::error("function '", record_.name, "': ", event.error().message,
                   "; reading the Realm again from version 0");
        mirrors.erase(it);
        reset = true;
        return false;
      }
      if (!want || !*event) return true;
      if (!deliver(**event)) {
        failed = !stopping();
        return false;
      }
      if (auto ok = registry_.set_cursor(record_.name, path, version); !ok) {
        // Not moving the cursor only repeats the event after a restart.
        log::error("function '", record_.name, "': ", ok.error().message);
      }
      (*cursors)[path] = version;
      return true;
    });
    {
      std::lock_guard lock(mutex_);
      connected_ = false;
    }
    if (stopping() || failed) break;
    if (!streamed && !said_unreachable) {
      log::warn("function '", record_.name, "': the change feed ended: ",
                streamed.error().message, "; reconnecting");
      said_unreachable = true;
    }
    if (!reset && !sleep_for(std::chrono::seconds(1))) break;
  }
  finished_ = true;
}

}  // namespace ros::functions
