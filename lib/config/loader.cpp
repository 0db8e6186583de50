#include "config/loader.hpp"

#include <arpa/inet.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "config/apps.hpp"
#include "config/duration.hpp"
#include "config/schema.hpp"
#include "config/suggest.hpp"

namespace ros::config {
namespace {

std::string_view parent_of(std::string_view key) {
  auto dot = key.rfind('.');
  return dot == std::string_view::npos ? std::string_view{} : key.substr(0, dot);
}

const char* node_kind(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Null: return "nothing";
    default: return "a scalar";
  }
}

bool is_ip_address(const std::string& text) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

std::filesystem::path make_absolute(const std::string& text) {
  return std::filesystem::absolute(text).lexically_normal();
}

// Walks the YAML tree against the schema, filling Loaded::config.
class Walker {
 public:
  explicit Walker(Loaded& out) : out_(out) {}

  void walk_root(const YAML::Node& root) {
    if (root.IsNull()) return;
    if (!root.IsMap()) {
      error_at(root.Mark(), "the configuration must be a mapping of sections "
                            "(storage:, auth:, network:, ...), not " + std::string(node_kind(root)));
      return;
    }
    walk_map(root, "");
  }

 private:
  Location location_of(const YAML::Mark& mark) const {
    if (mark.is_null()) return {};
    return {mark.line + 1, mark.column + 1};
  }

  void error_at(const YAML::Mark& mark, std::string message) {
    out_.errors.push_back({{out_.file_as_given, location_of(mark)}, std::move(message)});
  }

  // Records where `key` is set; the value's position when it has one.
  void remember(const std::string& key, const YAML::Node& key_node, const YAML::Node& value) {
    YAML::Mark mark = value.Mark();
    if (mark.is_null() || value.IsNull()) mark = key_node.Mark();
    out_.sources[key] = {out_.file_as_given, location_of(mark)};
  }

  void walk_map(const YAML::Node& map, const std::string& prefix) {
    std::set<std::string> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      const YAML::Node& key_node = it->first;
      const YAML::Node& value = it->second;
      if (!key_node.IsScalar()) {
        error_at(key_node.Mark(), "a key must be a plain name, not " + std::string(node_kind(key_node)));
        continue;
      }
      const std::string name = key_node.Scalar();
      const std::string key = prefix.empty() ? name : prefix + "." + name;
      if (!seen.insert(name).second) {
        error_at(key_node.Mark(), key + ": duplicate key (keep one)");
        continue;
      }
      walk_entry(key, key_node, value);
    }
  }

  void walk_entry(const std::string& key, const YAML::Node& key_node, const YAML::Node& value) {
    if (key == kAppsKey) {
      out_.sources[key] = {out_.file_as_given, location_of(key_node.Mark())};
      load_apps(value, out_);
      return;
    }
    if (const Field* field = find_field(key)) {
      remember(key, key_node, value);
      set_field(*field, key, value);
      return;
    }
    if (is_section(key)) {
      // Sections are remembered too: a missing key inside one is reported there.
      out_.sources[key] = {out_.file_as_given, location_of(key_node.Mark())};
      if (!value.IsNull() && !value.IsMap()) {
        YAML::Mark mark = value.Mark().is_null() ? key_node.Mark() : value.Mark();
        error_at(mark, key + ": expected a section (a mapping of keys), got " + node_kind(value));
        return;
      }
      for (const auto& presence : presence_sections()) {
        if (presence.key == key && presence.enabled != nullptr) *presence.enabled(out_.config) = true;
      }
      if (key == kCustomProvidersKey) {
        walk_custom_providers(value);
      } else if (value.IsMap()) {
        walk_map(value, key);
      }
      return;
    }
    std::string message = key + ": unknown key";
    if (auto guess = suggest_key(key)) {
      message += " (did you mean " + *guess + "?)";
    } else {
      message += " (see configuration.yml(5) for the known keys)";
    }
    error_at(key_node.Mark(), message);
  }

  // auth.providers.custom.<name>: a mapping of scalar settings per provider.
  void walk_custom_providers(const YAML::Node& providers) {
    if (providers.IsNull()) return;
    for (auto it = providers.begin(); it != providers.end(); ++it) {
      const std::string name = it->first.Scalar();
      const std::string key = std::string(kCustomProvidersKey) + "." + name;
      const YAML::Node& settings = it->second;
      out_.sources[key] = {out_.file_as_given, location_of(it->first.Mark())};
      auto& entry = out_.config.auth.providers.custom[name];
      if (settings.IsNull()) continue;
      if (!settings.IsMap()) {
        error_at(it->first.Mark(), key + ": expected a mapping of settings, got " + node_kind(settings));
        continue;
      }
      for (auto s = settings.begin(); s != settings.end(); ++s) {
        if (!s->second.IsScalar() && !s->second.IsNull()) {
          error_at(s->second.Mark(), key + "." + s->first.Scalar() +
                                         ": expected a scalar setting, got " + node_kind(s->second));
          continue;
        }
        entry[s->first.Scalar()] = s->second.IsNull() ? "" : s->second.Scalar();
      }
    }
  }

  void set_field(const Field& field, const std::string& key, const YAML::Node& value) {
    if (value.IsNull()) {
      // A path left empty is unset; validation says where one is required.
      if (field.kind == Kind::optional_path) {
        *std::get<std::optional<std::filesystem::path>*>(field.ref(out_.config)) = std::nullopt;
      } else if (field.kind == Kind::path) {
        std::get<std::filesystem::path*>(field.ref(out_.config))->clear();
      } else {
        out_.add_error(key, "has no value (expected " + std::string(describe(field.kind)) +
                                ")");
      }
      return;
    }
    if (!value.IsScalar()) {
      out_.add_error(key, "expected " + std::string(describe(field.kind)) + ", got " +
                              node_kind(value));
      return;
    }
    const std::string text = value.Scalar();
    FieldRef ref = field.ref(out_.config);
    switch (field.kind) {
      case Kind::string:
        *std::get<std::string*>(ref) = text;
        return;
      case Kind::address:
        if (!is_ip_address(text)) {
          out_.add_error(key, "'" + text + "' is not an IP address "
                                           "(use e.g. 127.0.0.1, ::1, 0.0.0.0 or ::)");
          return;
        }
        *std::get<std::string*>(ref) = text;
        return;
      case Kind::port: {
        long long port = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
        if (ec != std::errc{} || end != text.data() + text.size()) {
          out_.add_error(key, "expected a port number (1-65535), got '" + text + "'");
          return;
        }
        if (port < 1 || port > 65535) {
          out_.add_error(key, "port " + text + " is out of range (use 1-65535)");
          return;
        }
        *std::get<std::uint16_t*>(ref) = static_cast<std::uint16_t>(port);
        return;
      }
      case Kind::boolean: {
        bool flag = false;
        if (!YAML::convert<bool>::decode(value, flag)) {
          out_.add_error(key, "expected true or false, got '" + text + "'");
          return;
        }
        *std::get<bool*>(ref) = flag;
        return;
      }
      case Kind::path:
      case Kind::optional_path:
        if (text.empty()) {
          out_.add_error(key, "the path is empty");
          return;
        }
        if (field.kind == Kind::path) {
          *std::get<std::filesystem::path*>(ref) = make_absolute(text);
        } else {
          *std::get<std::optional<std::filesystem::path>*>(ref) = make_absolute(text);
        }
        return;
      case Kind::duration:
      case Kind::count: {
        auto number = parse_positive(text, field.kind == Kind::duration);
        if (!number) {
          out_.add_error(key, "expected " + std::string(describe(field.kind)) + ", got '" + text +
                                  "'");
          return;
        }
        *std::get<std::int64_t*>(ref) = *number;
        return;
      }
      case Kind::level: {
        auto level = log::parse_level(text);
        if (!level) {
          out_.add_error(key, "'" + text + "' is not a log level (use one of: all, trace, debug, "
                                           "detail, info, warn, error, fatal, off)");
          return;
        }
        *std::get<log::Level*>(ref) = *level;
        return;
      }
    }
  }

  Loaded& out_;
};

}  // namespace

Source Loaded::locate(const std::string& key) const {
  for (std::string_view k = key; !k.empty(); k = parent_of(k)) {
    auto it = sources.find(std::string(k));
    if (it != sources.end()) return it->second;
  }
  return {file_as_given, {}};
}

std::string Loaded::format_errors() const {
  std::string out;
  for (const auto& e : errors) out += format_diagnostic(e, source_text);
  return out;
}

Loaded parse_config(const std::string& text, const std::string& file_as_given) {
  Loaded out;
  out.file_as_given = file_as_given;
  out.source_text = text;
  out.config.file = make_absolute(file_as_given);
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(text);
  } catch (const YAML::ParserException& e) {
    Location at = e.mark.is_null() ? Location{} : Location{e.mark.line + 1, e.mark.column + 1};
    out.errors.push_back({{file_as_given, at}, "invalid YAML: " + e.msg});
    return out;
  }
  if (documents.size() > 1) {
    out.errors.push_back({{file_as_given, {}},
                          "the file holds " + std::to_string(documents.size()) +
                              " YAML documents; keep only one"});
    return out;
  }
  out.parsed = true;
  if (!documents.empty()) Walker(out).walk_root(documents.front());
  return out;
}

Loaded load_config(const Overrides& overrides) {
  std::ifstream in(overrides.config_file, std::ios::binary);
  Loaded out;
  if (!in || std::filesystem::is_directory(overrides.config_file)) {
    int err = errno;
    out.file_as_given = overrides.config_file;
    out.config.file = make_absolute(overrides.config_file);
    std::string cause = std::filesystem::is_directory(overrides.config_file)
                            ? "it is a directory"
                            : std::strerror(err);
    out.errors.push_back({{overrides.config_file, {}},
                          "cannot read the configuration file: " + cause +
                              " (pass --config FILE; see configuration.yml(5))"});
    return out;
  }
  std::ostringstream text;
  text << in.rdbuf();
  out = parse_config(text.str(), overrides.config_file);

  auto apply = [&](const std::optional<std::string>& value, const char* option,
                   std::filesystem::path& target, const char* key) {
    if (!value) return;
    if (value->empty()) {
      out.errors.push_back({{option, {}}, std::string(key) + ": the path given by " + option +
                                              " is empty"});
      return;
    }
    target = make_absolute(*value);
    out.sources[key] = {option, {}};
  };
  apply(overrides.root, "--root", out.config.storage.root_path, "storage.root_path");
  apply(overrides.public_key, "--public-key", out.config.auth.public_key_path,
        "auth.public_key_path");
  apply(overrides.private_key, "--private-key", out.config.auth.private_key_path,
        "auth.private_key_path");
  return out;
}

}  // namespace ros::config
