#include "http/failure_limiter.hpp"

namespace ros::http {

FailureLimiter::FailureLimiter(std::size_t max_failures, Clock::duration window,
                               std::size_t max_keys)
    : max_failures_(max_failures), window_(window), max_keys_(max_keys) {}

void FailureLimiter::expire(std::deque<Clock::time_point>& failures, Clock::time_point now) const {
  while (!failures.empty() && now - failures.front() >= window_) failures.pop_front();
}

bool FailureLimiter::blocked(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return false;
  expire(it->second, now);
  if (it->second.empty()) {
    failures_.erase(it);
    return false;
  }
  return it->second.size() >= max_failures_;
}

void FailureLimiter::record_failure(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (failures_.size() >= max_keys_ && failures_.find(key) == failures_.end()) {
    // Drop the key whose last failure is oldest: it is the least likely to matter.
    auto stalest = failures_.begin();
    for (auto it = failures_.begin(); it != failures_.end(); ++it) {
      if (it->second.empty() || it->second.back() < stalest->second.back()) stalest = it;
      if (stalest->second.empty()) break;
    }
    failures_.erase(stalest);
  }
  auto& failures = failures_[key];
  expire(failures, now);
  failures.push_back(now);
  if (failures.size() > max_failures_) failures.pop_front();
}

void FailureLimiter::reset(const std::string& key) {
  std::lock_guard lock(mutex_);
  failures_.erase(key);
}

}  // namespace ros::http
