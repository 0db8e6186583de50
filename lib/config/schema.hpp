// The schema of configuration.yml: every key ros knows, its type, its default
// as text, and where its value lives in Config. The loader, the effective
// configuration printer, the "did you mean" suggestions and the man page test
// all read this one table, so a key added here is known everywhere.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "config/config.hpp"

namespace ros::config {

enum class Kind {
  string,         // any scalar
  address,        // an IPv4 or IPv6 address literal
  port,           // an integer 1..65535
  boolean,        // true/false (also yes/no, on/off)
  path,           // a file system path, made absolute
  optional_path,  // a path, or null for unset
  level,          // one of the nine log levels
  duration,       // seconds: an integer with an optional unit s, m, h, d or y (365 d)
  count,          // a positive integer
};

using FieldRef = std::variant<std::string*, std::uint16_t*, bool*, std::filesystem::path*,
                              std::optional<std::filesystem::path>*, log::Level*,
                              std::int64_t*>;

struct Field {
  std::string_view key;            // dotted, e.g. "network.sync.listen_port"
  Kind kind;
  std::string_view default_text;   // as documented; "" when mandatory or unset
  FieldRef (*ref)(Config&);        // where the value lives
};

// A section that is enabled by being present, e.g. auth.providers.google.
struct PresenceSection {
  std::string_view key;
  bool* (*enabled)(Config&);  // null for sections that are always on (password)
};

std::span<const Field> fields();
std::span<const PresenceSection> presence_sections();

// The section whose children are free-form maps of scalars, one per provider.
inline constexpr std::string_view kCustomProvidersKey = "auth.providers.custom";

// The field with this dotted key, or null.
const Field* find_field(std::string_view key);

// True when `key` is a section: a proper prefix of some field key (at a dot),
// a presence section, or the custom providers section.
bool is_section(std::string_view key);

// The value of `field` in `config` as configuration.yml would spell it.
std::string value_text(const Config& config, const Field& field);

// A name for a kind, for messages: "a port number (1-65535)".
std::string_view describe(Kind kind);

}  // namespace ros::config
