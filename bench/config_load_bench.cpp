// How long loading a typical configuration.yml takes (every program pays it
// at start; ros-check-config in ExecStartPre pays it again).
// Usage: ros-bench-config [ITERATIONS]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "config/loader.hpp"
#include "config/print.hpp"

int main(int argc, char** argv) {
  const long iterations = argc > 1 ? std::atol(argv[1]) : 2000;
  const std::string text =
      "storage:\n  root_path: /var/lib/realm/object-server\n"
      "auth:\n  public_key_path: /etc/realm/token-signature.pub\n"
      "  private_key_path: /etc/realm/token-signature.key\n"
      "  providers:\n    google:\n      clientId: 123.apps.googleusercontent.com\n"
      "network:\n  sync:\n    listen_address: 127.0.0.1\n    listen_port: 27800\n"
      "  http:\n    listen_address: 127.0.0.1\n    listen_port: 27080\n"
      "proxy:\n  http:\n    enable: true\n    listen_address: '::'\n    listen_port: 9080\n"
      "logging:\n  path: /var/log/realm/ros.log\n  level: info\n";

  std::size_t sink = 0;
  auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < iterations; ++i) {
    auto loaded = ros::config::parse_config(text, "configuration.yml");
    sink += loaded.errors.size() + loaded.sources.size();
  }
  auto parse_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::steady_clock::now() - start).count() / iterations;

  auto loaded = ros::config::parse_config(text, "configuration.yml");
  start = std::chrono::steady_clock::now();
  for (long i = 0; i < iterations; ++i) sink += ros::config::effective_yaml(loaded.config).size();
  auto print_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::steady_clock::now() - start).count() / iterations;

  std::printf("config parse: %lld ns/op\nconfig print: %lld ns/op\n(%zu)\n",
              static_cast<long long>(parse_ns), static_cast<long long>(print_ns), sink);
  return 0;
}
