// The state ros-proxy's listeners and sessions share: the settings, the
// count of open client connections, and the list of live sessions that a
// stop (SIGTERM) drains.
//
// Thread safety: `settings` is constant; `open` and `last_warning` are atomic; the list and
// `draining` are guarded by `mutex`. A Connection's drain() may be called
// from any thread and must post to the session's own strand.
#pragma once

#include <atomic>
#include <chrono>
#include <list>
#include <memory>
#include <mutex>

#include "proxy/settings.hpp"

namespace ros::proxy {

class Connection {
 public:
  virtual ~Connection() = default;
  // Stop taking requests: an idle connection closes now, a busy one after
  // its current exchange; a WebSocket tunnel runs on until it ends or the
  // daemon's drain time is over.
  virtual void drain() = 0;
};

struct SharedState {
  explicit SharedState(Settings s) : settings(std::move(s)) {}

  const Settings settings;
  std::atomic<std::size_t> open{0};  // client connections, counted from accept to close

  // True at most once per 10 s for each back end (0: http, 1: sync), so that
  // a back end that is down is reported without flooding the log.
  bool warn_now(int backend) {
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    auto last = last_warning[backend].load();
    const auto gap = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                         std::chrono::seconds(10))
                         .count();
    if (last != 0 && now - last < gap) return false;
    return last_warning[backend].compare_exchange_strong(last, now);
  }
  std::atomic<std::chrono::steady_clock::rep> last_warning[2]{0, 0};

  std::mutex mutex;
  std::list<std::weak_ptr<Connection>> live;  // guarded by mutex
  bool draining = false;                      // guarded by mutex

  // Adds `connection`; false (and not added) once draining has begun.
  bool enroll(const std::shared_ptr<Connection>& connection,
              std::list<std::weak_ptr<Connection>>::iterator& where) {
    std::lock_guard lock(mutex);
    if (draining) return false;
    where = live.insert(live.end(), connection);
    return true;
  }
  void withdraw(std::list<std::weak_ptr<Connection>>::iterator where) {
    std::lock_guard lock(mutex);
    live.erase(where);
  }
  // Marks the state draining and drains every live connection.
  void drain_all() {
    std::list<std::shared_ptr<Connection>> targets;
    {
      std::lock_guard lock(mutex);
      draining = true;
      for (auto& weak : live) {
        if (auto strong = weak.lock()) targets.push_back(std::move(strong));
      }
    }
    for (auto& c : targets) c->drain();
  }
};

}  // namespace ros::proxy
