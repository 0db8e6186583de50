#include "config/print.hpp"

#include <yaml-cpp/yaml.h>

#include "config/schema.hpp"

namespace ros::config {
namespace {

std::vector<std::string> split_key(std::string_view key) {
  std::vector<std::string> parts;
  while (true) {
    auto dot = key.find('.');
    parts.emplace_back(key.substr(0, dot));
    if (dot == std::string_view::npos) return parts;
    key.remove_prefix(dot + 1);
  }
}

// The provider section `key` belongs to, if any, and whether it is enabled.
bool in_disabled_provider(const Config& config, std::string_view key) {
  for (const auto& section : presence_sections()) {
    if (section.enabled != nullptr && key.starts_with(std::string(section.key) + ".")) {
      return !*section.enabled(const_cast<Config&>(config));
    }
  }
  return false;
}

YAML::Node scalar_node(const Config& config, const Field& field) {
  std::string text = value_text(config, field);
  switch (field.kind) {
    case Kind::port: return YAML::Node(std::stoi(text));
    case Kind::duration:
    case Kind::count: return YAML::Node(std::stoll(text));
    case Kind::boolean: return YAML::Node(text == "true");
    case Kind::path:
    case Kind::optional_path:
      if (text.empty()) return YAML::Node(YAML::NodeType::Null);
      return YAML::Node(text);
    default: return YAML::Node(text);
  }
}

}  // namespace

std::string effective_yaml(const Config& config) {
  YAML::Node root(YAML::NodeType::Map);
  for (const auto& section : presence_sections()) {
    if (section.enabled != nullptr && *section.enabled(const_cast<Config&>(config))) {
      auto parts = split_key(section.key);
      root[parts[0]][parts[1]][parts[2]] = YAML::Node(YAML::NodeType::Map);
    }
  }
  for (const auto& field : fields()) {
    if (in_disabled_provider(config, field.key)) continue;
    auto parts = split_key(field.key);
    // yaml-cpp nodes are handles: walking down with operator[] creates the path.
    YAML::Node node = root;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) node.reset(node[parts[i]]);
    node[parts.back()] = scalar_node(config, field);
  }
  for (const auto& [name, settings] : config.auth.providers.custom) {
    YAML::Node entry(YAML::NodeType::Map);
    for (const auto& [k, v] : settings) entry[k] = v;
    root["auth"]["providers"]["custom"][name] = entry;
  }
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

}  // namespace ros::config
