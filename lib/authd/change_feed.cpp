#include "authd/change_feed.hpp"

#include <algorithm>

namespace ros::authd {

void ChangeFeed::subscribe(std::shared_ptr<control::Writer> writer) {
  std::lock_guard lock(mutex_);
  writer->more({{"subscribed", true}, {"seq", seq_}});
  writers_.push_back(std::move(writer));
}

void ChangeFeed::publish(nlohmann::json notice) {
  // Under the lock, so every subscriber sees notices in seq order; more()
  // only queues the line, it never waits for the peer.
  std::lock_guard lock(mutex_);
  notice["seq"] = ++seq_;
  writers_.erase(std::remove_if(writers_.begin(), writers_.end(),
                                [](const auto& w) { return w->closed(); }),
                 writers_.end());
  for (const auto& writer : writers_) writer->more(notice);
}

std::size_t ChangeFeed::subscribers() {
  std::lock_guard lock(mutex_);
  return writers_.size();
}

}  // namespace ros::authd
