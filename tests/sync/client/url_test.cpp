// The connection pieces before the first message: sync URLs, the request
// target with the raw token, the offered protocol list, the check of the
// server's protocol header (protocol.md 1.1-1.4).
#include <catch2/catch.hpp>

#include "sync/client/url.hpp"

using namespace ros::sync::client;

TEST_CASE("sync URLs: schemes, default ports and paths, refusals") {
  auto u = parse_sync_url("ws://127.0.0.1:27800");
  REQUIRE(u.ok());
  CHECK_FALSE(u->tls);
  CHECK(u->host == "127.0.0.1");
  CHECK(u->port == 27800);
  CHECK(u->path == "/realm-sync");
  CHECK(u->host_header() == "127.0.0.1:27800");

  u = parse_sync_url("wss://sync.example.com/api/client/v2.0/app/x/realm-sync");
  REQUIRE(u.ok());
  CHECK(u->tls);
  CHECK(u->port == 443);
  CHECK(u->host_header() == "sync.example.com");
  CHECK(u->path == "/api/client/v2.0/app/x/realm-sync");

  u = parse_sync_url("realms://[::1]:9443/realm-sync");
  REQUIRE(u.ok());
  CHECK(u->tls);
  CHECK(u->host == "::1");
  CHECK(u->host_header() == "[::1]:9443");
  CHECK(parse_sync_url("realm://h").value().port == 80);

  for (auto bad : {"http://h/", "h:80", "ws://", "ws://u@h/", "ws://h/realm-sync?x=1", "ws://h:0",
                   "ws://h:70000", "ws://h:8x", "ws://[::1"}) {
    INFO(bad);
    CHECK_FALSE(parse_sync_url(bad).ok());
  }
}

TEST_CASE("the token goes raw into baas_at") {
  std::string token = "eyJpZCI6MX0=:hbFG/yO+oQ==";
  CHECK(request_target("/realm-sync", token) == "/realm-sync?baas_at=" + token);
  CHECK(request_target("/realm-sync?x=1", token) == "/realm-sync?x=1&baas_at=" + token);
  CHECK(app_sync_path("my-app") == "/api/client/v2.0/app/my-app/realm-sync");
}

TEST_CASE("the offered protocols are the 14.x list, and only #2..#14 is accepted back") {
  CHECK(offered_protocols() ==
        "com.mongodb.realm-sync#14, com.mongodb.realm-sync#13, com.mongodb.realm-sync#12, "
        "com.mongodb.realm-sync#11, com.mongodb.realm-sync#10, com.mongodb.realm-sync#9, "
        "com.mongodb.realm-sync#8, com.mongodb.realm-sync#7, com.mongodb.realm-sync#6, "
        "com.mongodb.realm-sync#5, com.mongodb.realm-sync#4, com.mongodb.realm-sync#3, "
        "com.mongodb.realm-sync#2");
  CHECK(check_server_protocol("com.mongodb.realm-sync#14").value() == 14);
  CHECK(check_server_protocol("com.mongodb.realm-sync#2").value() == 2);
  CHECK_FALSE(check_server_protocol(std::nullopt).ok());
  for (auto bad : {"com.mongodb.realm-sync/14", "com.mongodb.realm-sync#15", "com.mongodb.realm-sync#14x",
                   "com.mongodb.realm-sync#1", "com.mongodb.realm-query-sync#14", ""}) {
    INFO(bad);
    CHECK_FALSE(check_server_protocol(std::string_view(bad)).ok());
  }
}
