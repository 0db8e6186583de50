// configuration.yml syntax, keys and value types: table-driven, each error
// with its exact position and message.
#include "config/loader.hpp"

#include <catch2/catch.hpp>

#include "config/fixture.hpp"
#include "config/schema.hpp"

using ros::config::parse_config;
using ros::test::located_messages;

namespace {

struct Rejected {
  const char* yaml;
  std::vector<std::string> errors;  // "LINE:COL: message" (no position when unknown)
};

}  // namespace

TEST_CASE("config: every key has the original server's default", "[config]") {
  auto loaded = parse_config("", "c.yml");
  REQUIRE(loaded.ok());
  // Written out here, apart from the schema, so that a wrong default in the
  // schema or in config.hpp fails this test.
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"storage.root_path", ""},
      {"auth.public_key_path", ""},
      {"auth.private_key_path", ""},
      {"auth.providers.google.clientId", ""},
      {"auth.providers.azuread.tenant_id", ""},
      {"auth.providers.cloudkit.key_id", ""},
      {"auth.providers.cloudkit.private_key_path", ""},
      {"auth.providers.cloudkit.container", ""},
      {"auth.providers.cloudkit.environment", "development"},
      {"network.sync.listen_address", "127.0.0.1"},
      {"network.sync.listen_port", "27800"},
      {"network.http.listen_address", "127.0.0.1"},
      {"network.http.listen_port", "27080"},
      {"proxy.http.enable", "true"},
      {"proxy.http.listen_address", "::"},
      {"proxy.http.listen_port", "9080"},
      {"proxy.https.enable", "false"},
      {"proxy.https.listen_address", "::"},
      {"proxy.https.listen_port", "9443"},
      {"proxy.https.certificate_path", ""},
      {"proxy.https.private_key_path", ""},
      {"proxy.https.allow_self_signed", "false"},
      {"proxy.max_header_bytes", "16384"},
      {"proxy.idle_timeout", "60"},
      {"proxy.websocket_idle_timeout", "1800"},
      {"proxy.max_connections", "10000"},
      {"proxy.drain_time", "10"},
      {"logging.path", ""},
      {"logging.level", "info"},
      {"control.socket_dir", ""},
      {"tokens.refresh_lifetime", "315360000"},
      {"tokens.access_lifetime", "600"},
      {"http.max_body_bytes", "1048576"},
      {"http.login_failures_per_minute", "5"},
      {"sync.max_message_bytes", "67108864"},
      {"sync.max_sessions_per_connection", "1000"},
      {"sync.max_connections", "10000"},
      {"sync.max_download_bytes", "16777216"},
      {"sync.idle_timeout", "1800"},
      {"sync.max_upload_bytes", "33554432"},
      {"sync.max_changeset_instructions", "500000"},
      {"sync.max_merge_work", "200000000"},
      {"sync.max_connection_buffer_bytes", "33554432"},
      {"sync.max_realms_per_user", "100"},
      {"sync.realm_idle_timeout", "60"},
      {"sync.bind_timeout", "20"},
      {"sync.unauthenticated_message_bytes", "65536"},
      {"sync.max_connections_per_address", "500"},
      {"auth.providers.password.allow_registration", "true"},
      {"tokens.admin_lifetime", "86400"},
      {"functions.timeout", "60"},
      {"functions.max_attempts", "10"},
      {"functions.retry_delay", "1"},
      {"functions.max_retry_delay", "300"},
      {"functions.node_path", "/usr/bin/node"},
      {"functions.npm_path", "/usr/bin/npm"},
      {"functions.install_timeout", "300"},
  };
  REQUIRE(ros::config::fields().size() == expected.size());
  for (const auto& [key, value] : expected) {
    const auto* field = ros::config::find_field(key);
    REQUIRE(field != nullptr);
    INFO(key);
    CHECK(ros::config::value_text(loaded.config, *field) == value);
    CHECK(field->default_text == value);
  }
  CHECK_FALSE(loaded.config.auth.providers.google.enabled);
  CHECK_FALSE(loaded.config.auth.providers.facebook.enabled);
  CHECK(loaded.config.auth.providers.custom.empty());
}

TEST_CASE("config: values of every kind are read", "[config]") {
  auto loaded = parse_config(
      "storage:\n"
      "  root_path: /srv/realm\n"
      "network:\n"
      "  sync: {listen_address: '::1', listen_port: 1}\n"
      "  http: {listen_address: 0.0.0.0, listen_port: 65535}\n"
      "proxy:\n"
      "  http:\n"
      "    enable: no\n"
      "  https:\n"
      "    enable: yes\n"
      "    allow_self_signed: true\n"
      "logging:\n"
      "  path: ~\n"
      "  level: detail\n"
      "control:\n"
      "  socket_dir: /run/ros\n"
      "tokens:\n"
      "  refresh_lifetime: 30d\n"
      "  access_lifetime: 90\n"
      "http:\n"
      "  max_body_bytes: 2048\n"
      "auth:\n"
      "  providers:\n"
      "    password: {}\n"
      "    facebook:\n"
      "    google:\n"
      "      clientId: 123.apps\n"
      "    custom:\n"
      "      sso:\n"
      "        implementation_path: /opt/sso\n"
      "        realm: corp\n",
      "c.yml");
  REQUIRE(located_messages(loaded) == std::vector<std::string>{});
  const auto& c = loaded.config;
  CHECK(c.storage.root_path == "/srv/realm");
  CHECK(c.network.sync.listen_address == "::1");
  CHECK(c.network.sync.listen_port == 1);
  CHECK(c.network.http.listen_address == "0.0.0.0");
  CHECK(c.network.http.listen_port == 65535);
  CHECK_FALSE(c.proxy.http.enable);
  CHECK(c.proxy.https.enable);
  CHECK(c.proxy.https.allow_self_signed);
  CHECK_FALSE(c.logging.path.has_value());
  CHECK(c.logging.level == ros::log::Level::detail);
  CHECK(c.effective_socket_dir() == "/run/ros");
  CHECK(c.tokens.refresh_lifetime == 30 * 86400);
  CHECK(c.tokens.access_lifetime == 90);
  CHECK(c.http.max_body_bytes == 2048);
  CHECK(c.http.login_failures_per_minute == 5);
  CHECK(c.auth.providers.facebook.enabled);
  CHECK(c.auth.providers.google.enabled);
  CHECK(c.auth.providers.google.client_id == "123.apps");
  CHECK_FALSE(c.auth.providers.azuread.enabled);
  CHECK(c.auth.providers.custom.at("sso").at("implementation_path") == "/opt/sso");
  CHECK(c.auth.providers.custom.at("sso").at("realm") == "corp");
}

TEST_CASE("config: relative paths resolve against the working directory", "[config]") {
  auto loaded = parse_config("storage:\n  root_path: data/../realm\nlogging:\n  path: ros.log\n",
                             "/etc/realm/configuration.yml");
  REQUIRE(loaded.ok());
  auto cwd = std::filesystem::current_path();
  CHECK(loaded.config.storage.root_path == cwd / "realm");
  CHECK(*loaded.config.logging.path == cwd / "ros.log");
  CHECK(loaded.config.effective_socket_dir() == cwd / "realm" / "run");
}

TEST_CASE("config: bad keys and values are reported at their line and column", "[config]") {
  const std::vector<Rejected> rows = {
      {"storage:\n  root_path: /x\n  colour: red\n",
       {"3:3: storage.colour: unknown key (see configuration.yml(5) for the known keys)"}},
      {"network:\n  sync:\n    listen_prot: 27800\n",
       {"3:5: network.sync.listen_prot: unknown key (did you mean network.sync.listen_port?)"}},
      {"network:\n  sync:\n    port: 27800\n",
       {"3:5: network.sync.port: unknown key (did you mean network.sync.listen_port?)"}},
      {"network:\n  sync:\n    Listen-Port: 27800\n",
       {"3:5: network.sync.Listen-Port: unknown key (did you mean network.sync.listen_port?)"}},
      {"sync:\n  listen_port: 27800\n",
       {"2:3: sync.listen_port: unknown key (did you mean network.sync.listen_port?)"}},
      {"sync:\n  max_sessions: 5\n",
       {"2:3: sync.max_sessions: unknown key (did you mean sync.max_sessions_per_connection?)"}},
      {"loging:\n  level: info\n", {"1:1: loging: unknown key (did you mean logging?)"}},
      {"proxy:\n  https:\n    certificate: /c.pem\n",
       {"3:5: proxy.https.certificate: unknown key (did you mean proxy.https.certificate_path?)"}},
      {"network:\n  sync:\n    listen_port: abc\n",
       {"3:18: network.sync.listen_port: expected a port number (1-65535), got 'abc'"}},
      {"network:\n  sync:\n    listen_port: 0\n",
       {"3:18: network.sync.listen_port: port 0 is out of range (use 1-65535)"}},
      {"network:\n  http:\n    listen_port: 65536\n",
       {"3:18: network.http.listen_port: port 65536 is out of range (use 1-65535)"}},
      {"network:\n  http:\n    listen_port: 80.5\n",
       {"3:18: network.http.listen_port: expected a port number (1-65535), got '80.5'"}},
      {"network:\n  sync:\n    listen_port:\n",
       {"3:5: network.sync.listen_port: has no value (expected a port number (1-65535))"}},
      {"proxy:\n  http:\n    enable: maybe\n",
       {"3:13: proxy.http.enable: expected true or false, got 'maybe'"}},
      {"logging:\n  level: verbose\n",
       {"2:10: logging.level: 'verbose' is not a log level (use one of: all, trace, debug, "
        "detail, info, warn, error, fatal, off)"}},
      {"logging:\n  level: INFO\n",
       {"2:10: logging.level: 'INFO' is not a log level (use one of: all, trace, debug, "
        "detail, info, warn, error, fatal, off)"}},
      {"network:\n  sync:\n    listen_address: localhost\n",
       {"3:21: network.sync.listen_address: 'localhost' is not an IP address (use e.g. "
        "127.0.0.1, ::1, 0.0.0.0 or ::)"}},
      {"network:\n  sync: 5\n",
       {"2:9: network.sync: expected a section (a mapping of keys), got a scalar"}},
      {"storage:\n  root_path: [a, b]\n",
       {"2:14: storage.root_path: expected a path, got a list"}},
      {"storage:\n  root_path:\n    nested: x\n",
       {"3:5: storage.root_path: expected a path, got a mapping"}},
      {"storage:\n  root_path: /a\n  root_path: /b\n",
       {"3:3: storage.root_path: duplicate key (keep one)"}},
      {"logging:\n  path: ''\n", {"2:9: logging.path: the path is empty"}},
      {"tokens:\n  access_lifetime: 10w\n",
       {"2:20: tokens.access_lifetime: expected a duration (e.g. 600, 10m, 12h, 30d, 10y), got "
        "'10w'"}},
      {"tokens:\n  access_lifetime: -5\n",
       {"2:20: tokens.access_lifetime: expected a duration (e.g. 600, 10m, 12h, 30d, 10y), got "
        "'-5'"}},
      {"tokens:\n  refresh_lifetime: 99999999999999999y\n",
       {"2:21: tokens.refresh_lifetime: expected a duration (e.g. 600, 10m, 12h, 30d, 10y), got "
        "'99999999999999999y'"}},
      {"http:\n  max_body_bytes: 1k\n",
       {"2:19: http.max_body_bytes: expected a positive integer, got '1k'"}},
      {"- storage\n- auth\n",
       {"1:1: the configuration must be a mapping of sections (storage:, auth:, network:, "
        "...), not a list"}},
      {"a: 1\n---\nb: 2\n", {"the file holds 2 YAML documents; keep only one"}},
      {"auth:\n  providers:\n    github: {}\n",
       {"3:5: auth.providers.github: unknown key (see configuration.yml(5) for the known keys)"}},
      {"auth:\n  providers:\n    google:\n      client_id: x\n",
       {"4:7: auth.providers.google.client_id: unknown key (did you mean "
        "auth.providers.google.clientId?)"}},
      {"auth:\n  providers:\n    custom:\n      sso:\n        list: [1, 2]\n",
       {"5:15: auth.providers.custom.sso.list: expected a scalar setting, got a list"}},
      // Several errors in one file are all reported, in file order.
      {"storage:\n  root_path: 5\nnetwork:\n  sync:\n    listen_port: x\n  htp: {}\n"
       "logging:\n  level: loud\n",
       {"5:18: network.sync.listen_port: expected a port number (1-65535), got 'x'",
        "6:3: network.htp: unknown key (did you mean network.http?)",
        "8:10: logging.level: 'loud' is not a log level (use one of: all, trace, debug, "
        "detail, info, warn, error, fatal, off)"}},
  };
  for (const auto& row : rows) {
    INFO(row.yaml);
    auto loaded = parse_config(row.yaml, "c.yml");
    CHECK(located_messages(loaded) == row.errors);
  }
}

TEST_CASE("config: invalid YAML is reported at the parser's position", "[config]") {
  auto loaded = parse_config("storage:\n  root_path: /x\n bad indent: [\n", "c.yml");
  REQUIRE(loaded.errors.size() == 1);
  const auto& e = loaded.errors.front();
  CHECK(e.source.location.line == 3);
  CHECK(e.message.rfind("invalid YAML: ", 0) == 0);
  CHECK_FALSE(loaded.parsed);
}

TEST_CASE("config: an error is printed with its source line and a caret", "[config]") {
  auto loaded = parse_config("network:\n  sync:\n    listen_port: 70000\n", "conf.yml");
  CHECK(loaded.format_errors() ==
        "conf.yml:3:18: error: network.sync.listen_port: port 70000 is out of range (use "
        "1-65535)\n"
        "        listen_port: 70000\n"
        "                     ^\n");
}

TEST_CASE("config: a file that cannot be read is one clear error", "[config]") {
  ros::config::Overrides overrides;
  overrides.config_file = "/nonexistent/configuration.yml";
  auto loaded = ros::config::load_config(overrides);
  CHECK(located_messages(loaded) ==
        std::vector<std::string>{"cannot read the configuration file: No such file or directory "
                                 "(pass --config FILE; see configuration.yml(5))"});
  CHECK(loaded.errors.front().source.origin == "/nonexistent/configuration.yml");
}

TEST_CASE("config: --config, --root, --public-key and --private-key override the file",
          "[config]") {
  ros::test::ConfigFixture fx;
  ros::config::Overrides overrides;
  overrides.config_file = fx.write();
  overrides.root = "relative-root";
  overrides.public_key = "/keys/other.pub";
  overrides.private_key = "keys/other.key";
  auto loaded = ros::config::load_config(overrides);
  REQUIRE(loaded.ok());
  auto cwd = std::filesystem::current_path();
  CHECK(loaded.config.file == std::filesystem::path(overrides.config_file));
  CHECK(loaded.config.storage.root_path == cwd / "relative-root");
  CHECK(loaded.config.auth.public_key_path == "/keys/other.pub");
  CHECK(loaded.config.auth.private_key_path == cwd / "keys/other.key");
  CHECK(loaded.sources.at("storage.root_path").origin == "--root");
  CHECK(loaded.sources.at("auth.public_key_path").origin == "--public-key");
  CHECK(loaded.sources.at("auth.private_key_path").origin == "--private-key");
  // Keys not overridden keep the file's values and positions.
  CHECK(loaded.config.network.sync.listen_port == fx.sync_port);
  CHECK(loaded.sources.at("network.sync.listen_port").location.line == 9);

  overrides.root = "";
  auto empty = ros::config::load_config(overrides);
  CHECK(located_messages(empty) ==
        std::vector<std::string>{"storage.root_path: the path given by --root is empty"});
}
