// ScriptedServer: a loopback WebSocket peer for the client's connection
// tests, where the behaviour under test is the client's own (headers it
// sends, TLS checks, reactions to refusals, message order) and a real
// ros-syncd could not be made to misbehave on purpose. Each connection runs
// on its own thread; every binary message the client sends is recorded and
// handed to `reply`, whose answers go back in order.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace ros::test {

class ScriptedServer {
 public:
  struct Options {
    std::filesystem::path cert_file;  // TLS when set
    std::filesystem::path key_file;
    int status = 101;                 // other: refuse the upgrade with it
    std::string refusal_body = "refused by the script";
    std::optional<std::string> protocol = "com.mongodb.realm-sync#14";
    // Called with each client message; returns the messages to send back.
    std::function<std::vector<std::string>(const std::string&)> reply;
  };

  explicit ScriptedServer(Options options);
  ~ScriptedServer();
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  std::uint16_t port() const { return port_; }
  // Client messages so far, in arrival order, over all connections.
  std::vector<std::string> received() const;
  // The request line target and headers of the last upgrade request.
  std::string last_target() const;
  std::map<std::string, std::string> last_headers() const;
  int connections() const { return connections_.load(); }
  // Closes every open connection (plain TCP close).
  void drop_connections();

  struct State;

 private:
  Options options_;
  std::uint16_t port_ = 0;
  std::atomic<int> connections_{0};
  std::shared_ptr<State> state_;
  std::thread accept_thread_;
};

}  // namespace ros::test
