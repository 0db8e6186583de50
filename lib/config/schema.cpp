#include "config/schema.hpp"

#include <array>

namespace ros::config {
namespace {

// clang-format off
// A plain array: adding a key is one line, no count to keep in step.
const Field kFields[] = {
  {"storage.root_path", Kind::path, "", [](Config& c) -> FieldRef { return &c.storage.root_path; }},
  {"auth.public_key_path", Kind::path, "", [](Config& c) -> FieldRef { return &c.auth.public_key_path; }},
  {"auth.private_key_path", Kind::path, "", [](Config& c) -> FieldRef { return &c.auth.private_key_path; }},
  {"auth.providers.password.allow_registration", Kind::boolean, "true", [](Config& c) -> FieldRef { return &c.auth.providers.password.allow_registration; }},
  {"auth.providers.google.clientId", Kind::string, "", [](Config& c) -> FieldRef { return &c.auth.providers.google.client_id; }},
  {"auth.providers.azuread.tenant_id", Kind::string, "", [](Config& c) -> FieldRef { return &c.auth.providers.azuread.tenant_id; }},
  {"auth.providers.cloudkit.key_id", Kind::string, "", [](Config& c) -> FieldRef { return &c.auth.providers.cloudkit.key_id; }},
  {"auth.providers.cloudkit.private_key_path", Kind::path, "", [](Config& c) -> FieldRef { return &c.auth.providers.cloudkit.private_key_path; }},
  {"auth.providers.cloudkit.container", Kind::string, "", [](Config& c) -> FieldRef { return &c.auth.providers.cloudkit.container; }},
  {"auth.providers.cloudkit.environment", Kind::string, "development", [](Config& c) -> FieldRef { return &c.auth.providers.cloudkit.environment; }},
  {"network.sync.listen_address", Kind::address, "127.0.0.1", [](Config& c) -> FieldRef { return &c.network.sync.listen_address; }},
  {"network.sync.listen_port", Kind::port, "27800", [](Config& c) -> FieldRef { return &c.network.sync.listen_port; }},
  {"network.http.listen_address", Kind::address, "127.0.0.1", [](Config& c) -> FieldRef { return &c.network.http.listen_address; }},
  {"network.http.listen_port", Kind::port, "27080", [](Config& c) -> FieldRef { return &c.network.http.listen_port; }},
  {"proxy.http.enable", Kind::boolean, "true", [](Config& c) -> FieldRef { return &c.proxy.http.enable; }},
  {"proxy.http.listen_address", Kind::address, "::", [](Config& c) -> FieldRef { return &c.proxy.http.listener.listen_address; }},
  {"proxy.http.listen_port", Kind::port, "9080", [](Config& c) -> FieldRef { return &c.proxy.http.listener.listen_port; }},
  {"proxy.https.enable", Kind::boolean, "false", [](Config& c) -> FieldRef { return &c.proxy.https.enable; }},
  {"proxy.https.listen_address", Kind::address, "::", [](Config& c) -> FieldRef { return &c.proxy.https.listener.listen_address; }},
  {"proxy.https.listen_port", Kind::port, "9443", [](Config& c) -> FieldRef { return &c.proxy.https.listener.listen_port; }},
  {"proxy.https.certificate_path", Kind::path, "", [](Config& c) -> FieldRef { return &c.proxy.https.certificate_path; }},
  {"proxy.https.private_key_path", Kind::path, "", [](Config& c) -> FieldRef { return &c.proxy.https.private_key_path; }},
  {"proxy.https.allow_self_signed", Kind::boolean, "false", [](Config& c) -> FieldRef { return &c.proxy.https.allow_self_signed; }},
  {"proxy.max_header_bytes", Kind::count, "16384", [](Config& c) -> FieldRef { return &c.proxy.max_header_bytes; }},
  {"proxy.idle_timeout", Kind::duration, "60", [](Config& c) -> FieldRef { return &c.proxy.idle_timeout; }},
  {"proxy.websocket_idle_timeout", Kind::duration, "1800", [](Config& c) -> FieldRef { return &c.proxy.websocket_idle_timeout; }},
  {"proxy.max_connections", Kind::count, "10000", [](Config& c) -> FieldRef { return &c.proxy.max_connections; }},
  {"proxy.drain_time", Kind::duration, "10", [](Config& c) -> FieldRef { return &c.proxy.drain_time; }},
  {"logging.path", Kind::optional_path, "", [](Config& c) -> FieldRef { return &c.logging.path; }},
  {"logging.level", Kind::level, "info", [](Config& c) -> FieldRef { return &c.logging.level; }},
  {"control.socket_dir", Kind::optional_path, "", [](Config& c) -> FieldRef { return &c.control.socket_dir; }},
  {"tokens.refresh_lifetime", Kind::duration, "315360000", [](Config& c) -> FieldRef { return &c.tokens.refresh_lifetime; }},
  {"tokens.access_lifetime", Kind::duration, "600", [](Config& c) -> FieldRef { return &c.tokens.access_lifetime; }},
  {"tokens.admin_lifetime", Kind::duration, "86400", [](Config& c) -> FieldRef { return &c.tokens.admin_lifetime; }},
  {"http.max_body_bytes", Kind::count, "1048576", [](Config& c) -> FieldRef { return &c.http.max_body_bytes; }},
  {"http.login_failures_per_minute", Kind::count, "5", [](Config& c) -> FieldRef { return &c.http.login_failures_per_minute; }},
  {"sync.max_message_bytes", Kind::count, "67108864", [](Config& c) -> FieldRef { return &c.sync.max_message_bytes; }},
  {"sync.max_sessions_per_connection", Kind::count, "1000", [](Config& c) -> FieldRef { return &c.sync.max_sessions_per_connection; }},
  {"sync.max_connections", Kind::count, "10000", [](Config& c) -> FieldRef { return &c.sync.max_connections; }},
  {"sync.max_download_bytes", Kind::count, "16777216", [](Config& c) -> FieldRef { return &c.sync.max_download_bytes; }},
  {"sync.idle_timeout", Kind::duration, "1800", [](Config& c) -> FieldRef { return &c.sync.idle_timeout; }},
  {"functions.timeout", Kind::duration, "60", [](Config& c) -> FieldRef { return &c.functions.timeout; }},
  {"functions.max_attempts", Kind::count, "10", [](Config& c) -> FieldRef { return &c.functions.max_attempts; }},
  {"functions.retry_delay", Kind::duration, "1", [](Config& c) -> FieldRef { return &c.functions.retry_delay; }},
  {"functions.max_retry_delay", Kind::duration, "300", [](Config& c) -> FieldRef { return &c.functions.max_retry_delay; }},
  {"functions.node_path", Kind::path, "/usr/bin/node", [](Config& c) -> FieldRef { return &c.functions.node_path; }},
  {"functions.npm_path", Kind::path, "/usr/bin/npm", [](Config& c) -> FieldRef { return &c.functions.npm_path; }},
  {"functions.install_timeout", Kind::duration, "300", [](Config& c) -> FieldRef { return &c.functions.install_timeout; }},
  {"sync.max_upload_bytes", Kind::count, "33554432", [](Config& c) -> FieldRef { return &c.sync.max_upload_bytes; }},
  {"sync.max_changeset_instructions", Kind::count, "500000", [](Config& c) -> FieldRef { return &c.sync.max_changeset_instructions; }},
  {"sync.max_merge_work", Kind::count, "200000000", [](Config& c) -> FieldRef { return &c.sync.max_merge_work; }},
  {"sync.max_connection_buffer_bytes", Kind::count, "33554432", [](Config& c) -> FieldRef { return &c.sync.max_connection_buffer_bytes; }},
  {"sync.max_realms_per_user", Kind::count, "100", [](Config& c) -> FieldRef { return &c.sync.max_realms_per_user; }},
  {"sync.realm_idle_timeout", Kind::duration, "60", [](Config& c) -> FieldRef { return &c.sync.realm_idle_timeout; }},
  {"sync.bind_timeout", Kind::duration, "20", [](Config& c) -> FieldRef { return &c.sync.bind_timeout; }},
  {"sync.unauthenticated_message_bytes", Kind::count, "65536", [](Config& c) -> FieldRef { return &c.sync.unauthenticated_message_bytes; }},
  {"sync.max_connections_per_address", Kind::count, "500", [](Config& c) -> FieldRef { return &c.sync.max_connections_per_address; }},
};
// clang-format on

const std::array<PresenceSection, 5> kPresence{{
    {"auth.providers.password", nullptr},
    {"auth.providers.google", [](Config& c) { return &c.auth.providers.google.enabled; }},
    {"auth.providers.facebook", [](Config& c) { return &c.auth.providers.facebook.enabled; }},
    {"auth.providers.azuread", [](Config& c) { return &c.auth.providers.azuread.enabled; }},
    {"auth.providers.cloudkit", [](Config& c) { return &c.auth.providers.cloudkit.enabled; }},
}};

}  // namespace

std::span<const Field> fields() { return kFields; }
std::span<const PresenceSection> presence_sections() { return kPresence; }

const Field* find_field(std::string_view key) {
  for (const auto& f : kFields) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

bool is_section(std::string_view key) {
  if (key == kCustomProvidersKey) return true;
  for (const auto& p : kPresence) {
    if (p.key == key) return true;
  }
  std::string prefix(key);
  prefix += '.';
  for (const auto& f : kFields) {
    if (f.key.starts_with(prefix)) return true;
  }
  return false;
}

std::string value_text(const Config& config, const Field& field) {
  // ref() only hands out addresses; nothing is written through them here.
  FieldRef ref = field.ref(const_cast<Config&>(config));
  struct Visitor {
    std::string operator()(std::string* s) const { return *s; }
    std::string operator()(std::uint16_t* p) const { return std::to_string(*p); }
    std::string operator()(bool* b) const { return *b ? "true" : "false"; }
    std::string operator()(std::filesystem::path* p) const { return p->string(); }
    std::string operator()(std::optional<std::filesystem::path>* p) const {
      return *p ? (*p)->string() : "";
    }
    std::string operator()(log::Level* l) const { return std::string(log::to_string(*l)); }
    std::string operator()(std::int64_t* n) const { return std::to_string(*n); }
  };
  return std::visit(Visitor{}, ref);
}

std::string_view describe(Kind kind) {
  switch (kind) {
    case Kind::string: return "a string";
    case Kind::address: return "an IP address";
    case Kind::port: return "a port number (1-65535)";
    case Kind::boolean: return "true or false";
    case Kind::path: return "a path";
    case Kind::optional_path: return "a path";
    case Kind::level: return "a log level";
    case Kind::duration: return "a duration (e.g. 600, 10m, 12h, 30d, 10y)";
    case Kind::count: return "a positive integer";
  }
  return "a value";
}

}  // namespace ros::config
