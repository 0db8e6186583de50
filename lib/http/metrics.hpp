// Counters for /metrics in the Prometheus text format.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace ros::http {

class Metrics {
 public:
  // Declares counter `name` with its help text; counters appear in the
  // output in the order declared, each with all its label sets.
  void declare(std::string name, std::string help);

  // Adds `by` to counter `name` with `labels` in Prometheus form, e.g.
  // R"(method="POST",status="200")" or "" for none. An undeclared name is
  // declared with an empty help text.
  void add(std::string_view name, std::string_view labels = "", std::uint64_t by = 1);

  std::uint64_t value(std::string_view name, std::string_view labels = "") const;

  // "# HELP ...\n# TYPE ... counter\nname{labels} value\n" for every counter.
  std::string render() const;

 private:
  struct Counter {
    std::string help;
    std::map<std::string, std::uint64_t, std::less<>> by_labels;
  };
  mutable std::mutex mutex_;
  // Guarded by mutex_:
  std::map<std::string, Counter, std::less<>> counters_;
  std::map<std::string, std::size_t, std::less<>> order_;
};

}  // namespace ros::http
