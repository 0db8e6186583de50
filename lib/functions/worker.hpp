// Worker: one deployed, running Realm Function inside ros-fnd. It follows
// ros-syncd's change feed (feed.follow on syncd.sock) for the Realms its
// regex matches, keeps a RealmMirror per Realm, and delivers each event
// after the function's durable cursor by running the function
// (runner.hpp), one event at a time, in version order per Realm.
//
// What it promises:
// - At least once: the cursor of a Realm moves (Registry::set_cursor) only
//   after the run for that event succeeded (exit 0), so an event interrupted
//   by a crash, a stop or a kill of ros-fnd is delivered again.
// - A failed run (non-zero exit, a signal, functions.timeout, a program that
//   cannot start) is logged to the function's log and retried after
//   retry_delay, doubling up to max_retry_delay; after max_attempts failed
//   runs of one event the function is marked failed (Registry state
//   `failed`, the reason naming the event and the last outcome) and the
//   worker ends. Later events wait: order per Realm is never broken.
// - Isolation: each worker has its own thread, feed connection and mirrors,
//   so a hanging, crashing or slow function only delays itself; its feed
//   waits for it (flow control in ros-syncd) instead of growing a queue.
// - ros-syncd down or restarted: the worker reconnects every second and
//   resumes from its mirrors' versions, skipping nothing.
// - On start the mirrors are rebuilt from the feed from version 0 (events
//   at or below the cursor are applied, not delivered): the cost of a start
//   is reading the matching Realms' histories once.
//
// Thread safety: start(), stop() and status() may be called from any thread;
// stop() waits for the thread (and kills a running function).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "functions/registry.hpp"

namespace ros::functions {

struct WorkerOptions {
  std::filesystem::path syncd_socket;   // <socket_dir>/syncd.sock
  std::filesystem::path function_dir;   // functions/<name>/
  std::filesystem::path log_file;       // logs/<name>.log
  std::filesystem::path node_path = "/usr/bin/node";
  std::filesystem::path runtime_js;     // the Node runtime (node_runtime.hpp)
  std::chrono::milliseconds timeout{60'000};
  std::int64_t max_attempts = 10;
  std::chrono::milliseconds retry_delay{1'000};
  std::chrono::milliseconds max_retry_delay{300'000};
};

class Worker {
 public:
  Worker(FunctionRecord record, Registry& registry, WorkerOptions options);
  ~Worker();  // stop()
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void start();
  void stop();
  bool finished() const { return finished_.load(); }

  // {"events_delivered", "failed_runs", "last_error", "realms", "connected"}
  nlohmann::json status();

 private:
  void run();
  // Runs the function on one event until it succeeds (true), the worker is
  // stopped (false) or it failed max_attempts times (false, state failed).
  bool deliver(const nlohmann::json& event);
  // Sleeps `d` unless stop() is called first; false when stopped.
  bool sleep_for(std::chrono::milliseconds d);
  bool stopping();
  void log_line(const std::string& text);

  // Constant after construction.
  const FunctionRecord record_;
  Registry& registry_;
  const WorkerOptions options_;

  std::thread thread_;
  std::atomic<bool> finished_{false};
  int log_fd_ = -1;  // worker thread (opened in the constructor)

  std::mutex mutex_;
  std::condition_variable wake_;
  // Guarded by mutex_:
  bool stop_ = false;
  std::uint64_t delivered_ = 0;
  std::uint64_t failed_runs_ = 0;
  std::string last_error_;
  std::size_t realms_ = 0;
  bool connected_ = false;
};

// One line "<UTC time> ros-fnd: <text>\n" appended to `fd` (a function log).
void append_log_line(int fd, const std::string& text);

}  // namespace ros::functions
