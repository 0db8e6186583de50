// Counters of ros-syncd since it started, for the `stat` control op and logs.
// Every member is atomic: updated from any thread without locks.
#pragma once

#include <atomic>
#include <cstdint>

#include <nlohmann/json.hpp>

namespace ros::sync::server {

struct Stats {
  std::atomic<std::int64_t> connections{0};        // open now
  std::atomic<std::uint64_t> connections_total{0};  // accepted since start
  std::atomic<std::int64_t> sessions{0};            // bound now
  std::atomic<std::int64_t> realms_open{0};
  std::atomic<std::uint64_t> messages_in{0};
  std::atomic<std::uint64_t> messages_out{0};
  std::atomic<std::uint64_t> bytes_in{0};
  std::atomic<std::uint64_t> bytes_out{0};
  std::atomic<std::uint64_t> changesets_integrated{0};
  std::atomic<std::uint64_t> upgrades_refused{0};   // 4xx/5xx answers to upgrade requests

  nlohmann::json to_json() const;
};

}  // namespace ros::sync::server
