// PermissionFeed: follows ros-authd's `perm.changed` stream on authd.sock
// (authd/change_feed.hpp) so that ros-syncd re-decides the rights of open
// sessions the moment a permission, a user or an admin flag changes, and ends
// the sessions that lost read (issue 6, design.md "Tokens and rights").
//
// It connects at start() synchronously (so a daemon that is up sees every
// change from then on), and when ros-authd is not running or goes away it
// tries again every second. Whenever it (re)connects, and when the stream
// reports lost notices, it asks for a full re-check: changes may have been
// missed.
//
// Thread safety: start() and stop() from one thread; callbacks run on the
// io_context's threads.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

namespace ros::sync::server {

class PermissionFeed {
 public:
  // `recheck(identity, realm)`: nullopt means every identity / every Realm.
  using Recheck = std::function<void(std::optional<std::string> identity,
                                     std::optional<std::string> realm)>;

  PermissionFeed(boost::asio::io_context& io, std::filesystem::path authd_socket, Recheck recheck);
  ~PermissionFeed();

  void start();
  void stop();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace ros::sync::server
