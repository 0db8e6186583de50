// FailureLimiter: counts failures (failed logins) per key, such as a user
// name or a client address, over a sliding window, and says when a key has
// had too many. Memory is bounded: at most `max_keys` keys are tracked, the
// stalest dropped first.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <string>

namespace ros::http {

class FailureLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  FailureLimiter(std::size_t max_failures, Clock::duration window, std::size_t max_keys = 100000);

  // True when `key` has had max_failures failures within the window before `now`.
  bool blocked(const std::string& key, Clock::time_point now = Clock::now());

  void record_failure(const std::string& key, Clock::time_point now = Clock::now());

  // Forgets `key`'s failures (after a success).
  void reset(const std::string& key);

 private:
  void expire(std::deque<Clock::time_point>& failures, Clock::time_point now) const;

  const std::size_t max_failures_;
  const Clock::duration window_;
  const std::size_t max_keys_;

  std::mutex mutex_;
  std::map<std::string, std::deque<Clock::time_point>> failures_;  // guarded by mutex_
};

}  // namespace ros::http
