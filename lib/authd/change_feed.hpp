// ChangeFeed: the `perm.changed` stream of authd.sock. Every change that can
// take access away or give it (grant, revoke, accepted offer, user removed,
// admin flag changed) is published as one notice to every subscriber, so
// ros-syncd can end sessions that lost access at once.
//
// A notice is {"event": "grant"|"revoke"|"offer_accepted"|"user_removed"|
// "admin_changed"|"token_revoked" (a password change, or the admin token
// replaced: "user" is then "__admin"), "user": <id or "*">, "realm": <path>|null,
// "rights": {"read","write","manage"}|null, "seq": N}; seq counts notices
// since the daemon started.
//
// Thread safety: every method may be called from any thread. Subscribers
// that went away are dropped at the next publish. A slow subscriber never
// holds others up: its Writer queues (bounded; see control/server.hpp) and
// reports lost notices.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include <nlohmann/json.hpp>

#include "control/server.hpp"

namespace ros::authd {

class ChangeFeed {
 public:
  // Sends {"subscribed": true, "seq": N} first, then every notice.
  void subscribe(std::shared_ptr<control::Writer> writer);

  void publish(nlohmann::json notice);

  std::size_t subscribers();

 private:
  std::mutex mutex_;
  // Guarded by mutex_:
  std::vector<std::shared_ptr<control::Writer>> writers_;
  std::uint64_t seq_ = 0;
};

}  // namespace ros::authd
