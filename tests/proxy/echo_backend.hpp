// A back end for proxy tests, in the test process: it stands where ros-authd
// or ros-syncd would, to show what ros-proxy passes on.
//
// HTTP: "/headers" answers a JSON object of the request (method, target,
// headers with lower-case names, body_size); any other target echoes the
// request body (application/octet-stream), "/chunked" in chunked encoding. A WebSocket upgrade on any target
// is accepted and every message is sent back as it came (text or binary).
//
// Runs on its own thread from construction to destruction.
#pragma once

#include <cstdint>
#include <memory>

namespace ros::test {

class EchoBackend {
 public:
  EchoBackend();
  ~EchoBackend();
  EchoBackend(const EchoBackend&) = delete;
  EchoBackend& operator=(const EchoBackend&) = delete;

  std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ros::test
