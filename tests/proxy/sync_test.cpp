// Realm sync through ros-proxy, end to end: ros-authd issues the tokens (over
// the proxy), ros-syncd serves the sync, the sync client library talks
// through ws:// and wss:// as a realm-core client would.
#include <catch2/catch.hpp>

#include <thread>

#include <nlohmann/json.hpp>

#include "proxy/clients.hpp"
#include "proxy/proxy_fixture.hpp"
#include "support/http_client.hpp"
#include "sync/changeset/changeset_json.hpp"
#include "sync/client/client.hpp"
#include "sync/client/item_changesets.hpp"

using namespace ros::test;
using namespace ros::sync;

namespace {

void ok(const ros::Result<void>& r) {
  INFO((r.ok() ? std::string() : r.error().to_string()));
  REQUIRE(r.ok());
}

std::int64_t counter_of(const client::Session& s, std::int64_t key) {
  auto state = s.state_json();
  REQUIRE(state.ok());
  for (const auto& obj : state.value()["classes"]["Item"]["objects"]) {
    if (obj["_id"]["int"].get<std::int64_t>() == key) return obj["n"]["int"].get<std::int64_t>();
  }
  FAIL("no Item " << key << " in " << state.value().dump());
  return -1;
}

nlohmann::json post_json(std::uint16_t port, const nlohmann::json& body) {
  auto reply = http_request(port, "POST", "/auth", body.dump());
  INFO(reply.body);
  REQUIRE(reply.status == 200);
  return nlohmann::json::parse(reply.body);
}

client::Client make_client(client::ClientOptions o) {
  o.timeout = std::chrono::seconds(30);
  o.connect_timeout = std::chrono::seconds(10);
  o.reconnect_delay = std::chrono::milliseconds(100);
  o.max_reconnect_delay = std::chrono::milliseconds(1000);
  auto c = client::Client::make(std::move(o));
  REQUIRE(c.ok());
  return std::move(c.value());
}

}  // namespace

TEST_CASE("proxy: a sync client uploads over ws:// and another downloads over wss:// across a "
          "certificate reload",
          "[proxy][daemon][sync]") {
  ProxyFixture fx({.start_authd = true, .start_syncd = true});
  // Tokens from ros-authd, through the proxy.
  auto login = post_json(fx.http_port, {{"provider", "password"},
                                        {"data", "sam"},
                                        {"user_info", {{"password", "pw-sam"}, {"register", true}}}});
  const std::string id = login["user"]["id"];
  auto access = post_json(fx.http_port, {{"provider", "realm"},
                                         {"data", login["refresh_token"]["token"]}});
  const std::string token = access["access_token"]["token"];
  const std::string path = "/" + id + "/tasks";

  client::ClientOptions plain;
  plain.url = "ws://127.0.0.1:" + std::to_string(fx.http_port);
  plain.token = token;
  plain.app_id = "io.realm.Example";
  auto a = make_client(plain);
  auto sa = a.bind(path);
  REQUIRE(sa.write(item_schema()).ok());
  REQUIRE(sa.write(create_item(1)).ok());
  REQUIRE(sa.write(add_to_item(1, 41)).ok());
  ok(sa.wait_uploaded());

  client::ClientOptions secure;
  secure.url = "wss://127.0.0.1:" + std::to_string(fx.https_port);
  secure.token = token;
  secure.ca_file = fx.pki.ca.certificate;
  auto b = make_client(secure);
  auto sb = b.bind(path);
  ok(sb.wait_downloaded());
  CHECK(sb.state_json().value() == sa.state_json().value());
  CHECK(counter_of(sb, 1) == 41);

  // A new certificate (another CA) and SIGHUP while B's session is open.
  auto next = make_ca_and_leaf(fx.dir.path(), "next", "localhost");
  std::filesystem::rename(next.leaf.private_key, fx.pki.leaf.private_key);
  std::filesystem::rename(next.leaf.certificate, fx.pki.leaf.certificate);
  fx.reload();
  bool switched = false;
  for (int i = 0; i < 300 && !switched; ++i) {
    switched = tls_handshake(fx.https_port, 0, 0, next.ca.certificate).empty();
    if (!switched) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(switched);

  // B's session goes on over its connection of before the reload.
  const auto connects = b.stats().connects;
  REQUIRE(sb.write(add_to_item(1, 1)).ok());
  ok(sb.wait_uploaded());
  ok(sa.wait_downloaded());
  CHECK(counter_of(sa, 1) == 42);
  CHECK(b.stats().connects == connects);

  // A new wss:// client trusts only the new CA.
  secure.ca_file = next.ca.certificate;
  auto c = make_client(secure);
  auto sc = c.bind(path);
  ok(sc.wait_downloaded());
  CHECK(counter_of(sc, 1) == 42);
}
