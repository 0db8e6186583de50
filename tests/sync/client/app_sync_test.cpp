// SDK apps against ros (issue 13), end to end through ros-proxy: users log in
// with the App Services API as realm-core 14.x's App does (location, login,
// profile), sync partition-based Realms with the JWT access token over the
// App route, share a partition they were granted, reach one server Realm
// with every rendering of a partition value, and refresh an expired access
// token when the upgrade answers 401.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "sync/client/app_user.hpp"
#include "sync/client/client.hpp"
#include "sync/client/item_changesets.hpp"
#include "support/daemon.hpp"
#include "support/net.hpp"
#include "support/pki.hpp"
#include "support/run.hpp"
#include "support/server_config.hpp"
#include "support/temp_dir.hpp"

using namespace ros::sync::client;
using nlohmann::json;
using ros::test::add_to_item;
using ros::test::create_item;
using ros::test::item_schema;

namespace {

void ok(const ros::Result<void>& r) {
  INFO((r.ok() ? std::string() : r.error().to_string()));
  REQUIRE(r.ok());
}

// ros-authd, ros-syncd and ros-proxy on one temporary root, with one app.
struct Server {
  ros::test::TempDir dir;
  std::filesystem::path root = dir / "root";
  ros::test::KeyPairFiles keys = ros::test::make_rsa_key_pair(dir.path(), "token");
  std::uint16_t http_port = ros::test::free_tcp_port();
  std::uint16_t sync_port = ros::test::free_tcp_port();
  std::uint16_t proxy_port = ros::test::free_tcp_port();
  std::string config_file;
  std::unique_ptr<ros::test::DaemonProcess> authd, syncd, proxy;

  Server() {
    std::filesystem::create_directories(root);
    ros::test::ServerConfig config{root, keys, http_port, sync_port};
    config.proxy_yaml = "proxy:\n  http:\n    enable: true\n    listen_address: 127.0.0.1\n"
                        "    listen_port: " + std::to_string(proxy_port) + "\n";
    config.extra_yaml =
        "apps:\n"
        "  ros-demo:\n"
        "    providers:\n"
        "      local-userpass:\n"
        "      anon-user:\n"
        "  short-app:\n"
        "    access_token_lifetime: 2\n"
        "    providers:\n"
        "      anon-user:\n";
    config_file = dir.write("configuration.yml", ros::test::server_config_yaml(config)).string();
    auto start = [&](const char* name, std::uint16_t port) {
      auto d = std::make_unique<ros::test::DaemonProcess>(
          name, std::vector<std::string>{"--config", config_file}, dir / (std::string(name) + ".log"));
      if (!d->wait_for_port(port)) FAIL(name << " did not start:\n" << d->log());
      return d;
    };
    authd = start("ros-authd", http_port);
    syncd = start("ros-syncd", sync_port);
    proxy = start("ros-proxy", proxy_port);
  }

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(proxy_port); }

  AppUser register_and_log_in(const std::string& email) const {
    auto reply = app_http(base_url(), "POST", "/api/client/v2.0/app/ros-demo/auth/providers/local-userpass/register",
                          json{{"email", email}, {"password", "pw-" + email}}.dump());
    REQUIRE(reply.ok());
    REQUIRE(reply->status == 201);
    auto user = AppUser::log_in(base_url(), "ros-demo", "local-userpass",
                                {{"username", email}, {"password", "pw-" + email}});
    INFO((user.ok() ? "" : user.error().to_string()));
    REQUIRE(user.ok());
    return *user;
  }

  void grant(const std::string& user, const std::string& realm) const {
    auto r = ros::test::run_program("ros-perm", {"--config", config_file, "grant", user, realm, "--read", "--write"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
  }
};

Client client_for(const AppUser& user) {
  ClientOptions options;
  options.url = user.sync_url();
  options.app_id = user.app_id();
  options.token = user.access_token();
  options.reconnect_delay = std::chrono::milliseconds(100);
  auto c = Client::make(options);
  REQUIRE(c.ok());
  return std::move(*c);
}

std::int64_t counter_of(const Session& s, std::int64_t key) {
  auto state = s.state_json();
  REQUIRE(state.ok());
  const auto& classes = (*state)["classes"];
  if (!classes.contains("Item")) return -1;
  for (const auto& obj : classes["Item"]["objects"]) {
    if (obj["_id"]["int"].get<std::int64_t>() == key) return obj["n"]["int"].get<std::int64_t>();
  }
  return -1;
}

}  // namespace

TEST_CASE("app sync: SDK login through ros-proxy, partitions of every type, a shared partition",
          "[sync][app]") {
  Server server;
  auto alice = server.register_and_log_in("alice@example.com");
  auto bob = server.register_and_log_in("bob@example.com");
  CHECK(alice.sync_url() == server.base_url().replace(0, 4, "ws"));
  CHECK(alice.profile()["identities"][0]["provider_type"] == "local-userpass");

  auto a = client_for(alice);
  auto b = client_for(bob);

  // The user's own Realm by "~", and a partition nobody granted: ERROR 206.
  auto own = a.bind("\"~/tasks\"");
  ok(own.wait_bound());
  auto denied = a.bind("\"todo-list\"");
  CHECK_FALSE(denied.wait_bound(std::chrono::seconds(5)).ok());
  REQUIRE(denied.last_error());
  CHECK(denied.last_error()->code == 206);
  // Not a partition value at all: ERROR 204 (BadSyncPartitionValue), never a crash code.
  auto bad = a.bind("true");
  CHECK_FALSE(bad.wait_bound(std::chrono::seconds(5)).ok());
  REQUIRE(bad.last_error());
  CHECK(bad.last_error()->code == 204);

  // Alice and Bob share the partitions they were granted; renderings of one
  // value (core's, Kotlin's, JS's) reach one server Realm.
  const std::string oid = "5f9b0c1e2d3a4b5c6d7e8f90";
  for (const std::string& realm : std::vector<std::string>{"/todo-list", "/p/i/42", "/p/o/" + oid, "/p/null"}) {
    server.grant(alice.user_id(), realm);
    server.grant(bob.user_id(), realm);
  }
  struct Rendering {
    std::string alice_form, bob_form;
    bool new_realm;  // the first write to its server Realm: the schema too
  };
  const std::vector<Rendering> renderings = {
      {"\"todo-list\"", "\"todo-list\"", true},
      {"{\"$numberInt\":\"42\"}", "42", true},
      {"{\"$numberLong\":\"42\"}", "{ \"$numberInt\" : \"42\" }", false},
      {"{\"$oid\":\"" + oid + "\"}", "{\"$oid\":\"5F9B0C1E2D3A4B5C6D7E8F90\"}", true},
      {"null", "null", true}};
  std::int64_t key = 1;
  for (const auto& [alice_form, bob_form, new_realm] : renderings) {
    INFO(alice_form << " / " << bob_form);
    auto as = a.bind(alice_form);
    ok(as.wait_bound());
    if (new_realm) REQUIRE(as.write(item_schema()).ok());
    REQUIRE(as.write(create_item(key)).ok());
    REQUIRE(as.write(add_to_item(key, 7)).ok());
    ok(as.wait_uploaded());
    auto bs = b.bind(bob_form);
    ok(bs.wait_bound());
    ok(bs.wait_downloaded());
    CHECK(counter_of(bs, key) == 7);
    ok(as.unbind());
    ok(bs.unbind());
    ++key;
  }
  // One server Realm per value, named as ros-syncd(8) documents.
  auto listed = ros::test::run_program("ros-realm", {"--config", server.config_file, "ls"});
  INFO(listed.out << listed.err);
  CHECK(listed.out.find("/p/i/42") != std::string::npos);
  CHECK(listed.out.find("/p/o/" + oid) != std::string::npos);
  CHECK(listed.out.find("/p/null") != std::string::npos);
  CHECK(listed.out.find("/todo-list") != std::string::npos);
}

TEST_CASE("app sync: an expired access token is refreshed on the upgrade's 401, logout ends it",
          "[sync][app]") {
  Server server;
  auto user = AppUser::log_in(server.base_url(), "short-app", "anon-user", json::object());
  REQUIRE(user.ok());
  std::atomic<int> refreshes{0};
  ClientOptions options;
  options.url = user->sync_url();
  options.app_id = user->app_id();
  options.token = user->access_token();
  options.reconnect_delay = std::chrono::milliseconds(100);
  options.refresh_token = [&]() -> std::optional<std::string> {
    ++refreshes;
    auto fresh = user->refresh();
    if (!fresh) return std::nullopt;
    return *fresh;
  };
  auto made = Client::make(options);
  REQUIRE(made.ok());
  auto& client = *made;
  auto s = client.bind("\"~/notes\"");
  ok(s.wait_bound());
  REQUIRE(s.write(item_schema()).ok());
  REQUIRE(s.write(create_item(1)).ok());
  ok(s.wait_uploaded());

  // The token expires (2 s); the next connection is refused with 401, the
  // client refreshes and carries on.
  std::this_thread::sleep_for(std::chrono::milliseconds(3100));
  client.drop_connection();
  REQUIRE(s.write(add_to_item(1, 5)).ok());
  ok(s.wait_uploaded(std::chrono::seconds(20)));
  CHECK(refreshes.load() >= 1);

  // After logout no refresh succeeds: the client stops instead of looping.
  ok(user->log_out());
  std::this_thread::sleep_for(std::chrono::milliseconds(3100));
  client.drop_connection();
  auto stuck = s.write(add_to_item(1, 1));
  REQUIRE(stuck.ok());
  CHECK_FALSE(s.wait_uploaded(std::chrono::seconds(5)).ok());
  REQUIRE(client.last_error());
  CHECK(client.last_error()->code == 401);
}
