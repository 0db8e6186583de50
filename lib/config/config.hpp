// The effective configuration of every ros program: configuration.yml, with
// the original Realm Object Server's keys and defaults, after command-line
// overrides. One struct per YAML section; each field carries its default and
// a comment giving its meaning, as man/configuration.yml.5 documents it.
//
// Paths are absolute once loaded (relative ones resolve against the working
// directory, as the original server did). Fields that are mandatory start
// empty; validation reports them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "log/level.hpp"

namespace ros::config {

inline constexpr const char* kDefaultConfigFile = "/etc/realm/configuration.yml";

// storage.*
struct StorageConfig {
  // The data directory: admin.db, realms/, functions/, logs/, run/. Mandatory.
  std::filesystem::path root_path;
};

// auth.providers.*: identity providers besides `password`, which is always on.
// A provider is enabled by the presence of its section.
struct GoogleProvider {
  bool enabled = false;
  std::string client_id;  // clientId: the OAuth 2.0 client id of the app
};
struct FacebookProvider {
  bool enabled = false;  // no settings: tokens are checked with Facebook
};
struct AzureAdProvider {
  bool enabled = false;
  std::string tenant_id;  // tenant_id: the Azure AD tenant (directory) id
};
struct CloudKitProvider {
  bool enabled = false;
  std::string key_id;                      // key_id: the CloudKit server-to-server key id
  std::filesystem::path private_key_path;  // private_key_path: its EC private key (PEM)
  std::string container;                   // container: e.g. iCloud.io.realm.example
  std::string environment = "development"; // environment: development or production
};
// auth.providers.password: username and password, always on.
struct PasswordProvider {
  // allow_registration: whether /auth creates users ("register": true);
  // false leaves adding users to operators (ros-user add).
  bool allow_registration = true;
};
struct AuthProviders {
  PasswordProvider password;
  GoogleProvider google;
  FacebookProvider facebook;
  AzureAdProvider azuread;
  CloudKitProvider cloudkit;
  // custom.<name>: settings (scalar values) handed to the custom provider <name>.
  std::map<std::string, std::map<std::string, std::string>> custom;
};

// auth.*
struct AuthConfig {
  // PEM public key that verifies tokens (ros-syncd, ros-authd). Mandatory.
  std::filesystem::path public_key_path;
  // PEM private key that signs tokens (ros-authd, ros-token). Mandatory.
  std::filesystem::path private_key_path;
  AuthProviders providers;
};

// A TCP listener: an IP address and a port.
struct Listener {
  std::string listen_address;
  std::uint16_t listen_port = 0;
};

// network.*: the two back-end services, normally reached through ros-proxy.
struct NetworkConfig {
  Listener sync{"127.0.0.1", 27800};  // ros-syncd: Realm sync over WebSocket
  Listener http{"127.0.0.1", 27080};  // ros-authd: /auth, /health, /metrics
};

// proxy.http.*
struct ProxyHttpConfig {
  bool enable = true;
  Listener listener{"::", 9080};
};

// proxy.https.*
struct ProxyHttpsConfig {
  bool enable = false;
  Listener listener{"::", 9443};
  std::filesystem::path certificate_path;  // PEM chain; required when enabled
  std::filesystem::path private_key_path;  // PEM key of the certificate; required when enabled
  bool allow_self_signed = false;          // accept a self-signed certificate (development)
};

struct ProxyConfig {
  ProxyHttpConfig http;
  ProxyHttpsConfig https;
  // Limits of ros-proxy's client connections (new in ros).
  std::int64_t max_header_bytes = 16384;         // request line and headers; larger: 431
  std::int64_t idle_timeout = 60;                // seconds waiting for a request or a body byte
  std::int64_t websocket_idle_timeout = 1800;    // seconds without a byte either way in a tunnel
  std::int64_t max_connections = 10000;          // open client connections; extras closed at once
  std::int64_t drain_time = 10;                  // seconds open connections get after SIGTERM
};

// logging.*
struct LoggingConfig {
  std::optional<std::filesystem::path> path;  // log file; unset: standard error
  log::Level level = log::Level::info;        // threshold, one of the nine levels
};

// control.* (new in ros): the Unix control sockets of the daemons.
struct ControlConfig {
  // Directory of <daemon>.sock; unset: <storage.root_path>/run.
  std::optional<std::filesystem::path> socket_dir;
};

// tokens.* (new in ros): lifetimes of the tokens ros-authd issues.
struct TokensConfig {
  std::int64_t refresh_lifetime = 315360000;  // seconds; 10 years, as the original server
  std::int64_t access_lifetime = 600;         // seconds; 10 minutes
  // seconds; 1 day. The admin token (admin_token.base64) is replaced when
  // half of it has passed; the file always holds a valid one.
  std::int64_t admin_lifetime = 86400;
};

// http.* (new in ros): limits of ros-authd's HTTP service.
struct HttpConfig {
  std::int64_t max_body_bytes = 1048576;       // larger request bodies get 413
  std::int64_t login_failures_per_minute = 5;  // per (address, user) pair, then 429
};

// sync: limits of ros-syncd (new in ros).
struct SyncConfig {
  std::int64_t max_message_bytes = 67108864;     // largest client message; above: ERROR 103
  std::int64_t max_sessions_per_connection = 1000;  // more BINDs on one connection: ERROR 103
  std::int64_t max_connections = 10000;          // further connections are refused (503)
  std::int64_t max_download_bytes = 16777216;    // changeset bytes per DOWNLOAD message
  std::int64_t idle_timeout = 1800;              // seconds without any message: connection closed
  // Resource bounds (issue 14). Each refusal names its key.
  std::int64_t max_upload_bytes = 33554432;      // changeset bytes of one UPLOAD, inflated; above: ERROR 103
  std::int64_t max_changeset_instructions = 500000;  // per changeset and per UPLOAD (~250 B each in memory); above: ERROR 212
  std::int64_t max_merge_work = 200000000;       // history x upload instructions one upload may merge; above: ERROR 212
  std::int64_t max_connection_buffer_bytes = 33554432;  // bytes queued for one client; further DOWNLOADs wait
  std::int64_t max_realms_per_user = 100;        // Realms one identity may have bound at once; more: ERROR 201
  std::int64_t realm_idle_timeout = 60;          // seconds a Realm without sessions keeps its file open
  std::int64_t bind_timeout = 20;                // seconds an upgraded connection has to send its first BIND
  std::int64_t unauthenticated_message_bytes = 65536;  // largest message before a valid token; above: ERROR 103
  std::int64_t max_connections_per_address = 500;  // open connections from one client address; more: 503
};

// apps.<app id>.providers.local-userpass (App Services, issue 13).
struct LocalUserpassProvider {
  bool enabled = false;
  // Register without confirmation; false needs confirmation_command.
  bool auto_confirm = true;
  // Executable run with {"app_id","email","token","tokenId"} as JSON on stdin
  // for each confirmation to send; exit 0 = sent.
  std::optional<std::filesystem::path> confirmation_command;
  // The same for password resets (reset/send); unset: resets are refused.
  std::optional<std::filesystem::path> reset_command;
  bool allow_registration = true;     // false: register answers BadRequest
  std::int64_t token_lifetime = 86400;  // seconds a confirmation or reset token is valid
};

// apps.<app id>.providers.custom-token: JWTs of the app's own identity system.
struct CustomTokenProvider {
  bool enabled = false;
  std::string algorithm = "RS256";        // RS256 (key_path: PEM public key) or HS256
  std::filesystem::path key_path;         // RS256: PEM public key; HS256: file with the secret
  std::optional<std::string> audience;    // required `aud` (string, or in an array), when set
  std::optional<std::string> issuer;      // required `iss`, when set
  std::string user_id_claim = "sub";      // the claim naming the user in that system
  // Profile `data` field -> claim name, copied into the user's metadata.
  std::map<std::string, std::string> metadata;
};

// apps.<app id>: one App Services app (the SDKs' app id) served under
// /api/client/v2.0/app/<app id>.
struct AppConfig {
  std::string id;
  // Origin returned by the location route (scheme://host[:port], no path);
  // unset: the scheme and Host the client used.
  std::optional<std::string> public_url;
  std::int64_t access_token_lifetime = 1800;     // seconds; 30 minutes
  std::int64_t refresh_token_lifetime = 5184000; // seconds; 60 days
  LocalUserpassProvider local_userpass;
  bool anon_user = false;  // providers.anon-user
  bool api_key = false;    // providers.api-key
  CustomTokenProvider custom_token;
};

// functions.* (new in ros): how ros-fnd runs Realm Functions (ros-fnd(8)).
struct FunctionsConfig {
  std::int64_t timeout = 60;          // seconds one run may take; then it is killed and retried
  std::int64_t max_attempts = 10;     // failed runs of one event in a row before the function is stopped
  std::int64_t retry_delay = 1;       // seconds before the first retry; doubles, up to max_retry_delay
  std::int64_t max_retry_delay = 300; // seconds; the longest wait between two runs of one event
  std::filesystem::path node_path = "/usr/bin/node";  // runs Node module functions
  std::filesystem::path npm_path = "/usr/bin/npm";    // npm install of a deployed package.json
  std::int64_t install_timeout = 300;  // seconds npm install may take at deploy
};

struct Config {
  std::filesystem::path file;  // the configuration file, absolute
  StorageConfig storage;
  AuthConfig auth;
  NetworkConfig network;
  ProxyConfig proxy;
  LoggingConfig logging;
  ControlConfig control;
  TokensConfig tokens;
  HttpConfig http;
  SyncConfig sync;
  FunctionsConfig functions;
  std::map<std::string, AppConfig> apps;  // by app id

  // control.socket_dir, or its default under the data directory.
  std::filesystem::path effective_socket_dir() const {
    return control.socket_dir ? *control.socket_dir : storage.root_path / "run";
  }
};

}  // namespace ros::config
