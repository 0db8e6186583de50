#include "http/metrics.hpp"

#include <vector>

namespace ros::http {

void Metrics::declare(std::string name, std::string help) {
  std::lock_guard lock(mutex_);
  order_.try_emplace(name, order_.size());
  counters_[name].help = std::move(help);
}

void Metrics::add(std::string_view name, std::string_view labels, std::uint64_t by) {
  std::lock_guard lock(mutex_);
  auto it = counters_.find(name);
  if (it == counters_.end()) {
    order_.try_emplace(std::string(name), order_.size());
    it = counters_.emplace(std::string(name), Counter{}).first;
  }
  auto value = it->second.by_labels.find(labels);
  if (value == it->second.by_labels.end()) {
    it->second.by_labels.emplace(std::string(labels), by);
  } else {
    value->second += by;
  }
}

std::uint64_t Metrics::value(std::string_view name, std::string_view labels) const {
  std::lock_guard lock(mutex_);
  auto it = counters_.find(name);
  if (it == counters_.end()) return 0;
  auto value = it->second.by_labels.find(labels);
  return value == it->second.by_labels.end() ? 0 : value->second;
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::vector<const std::pair<const std::string, Counter>*> ordered(order_.size(), nullptr);
  for (const auto& entry : counters_) ordered[order_.find(entry.first)->second] = &entry;
  std::string out;
  for (const auto* entry : ordered) {
    if (entry == nullptr) continue;
    const auto& [name, counter] = *entry;
    if (!counter.help.empty()) out += "# HELP " + name + " " + counter.help + "\n";
    out += "# TYPE " + name + " counter\n";
    if (counter.by_labels.empty()) out += name + " 0\n";
    for (const auto& [labels, value] : counter.by_labels) {
      out += name;
      if (!labels.empty()) out += "{" + labels + "}";
      out += " " + std::to_string(value) + "\n";
    }
  }
  return out;
}

}  // namespace ros::http
