#include <catch2/catch.hpp>

#include "proxy/forwarding.hpp"
#include "proxy/route.hpp"

using ros::proxy::Route;
using ros::proxy::route_request;

TEST_CASE("proxy route: sync paths and upgrades go to ros-syncd and the rest to ros-authd",
          "[proxy]") {
  struct Case {
    const char* target;
    bool upgrade;
    Route route;
  };
  const Case cases[] = {
      {"/realm-sync", false, Route::sync},
      {"/realm-sync?baas_at=abc", false, Route::sync},
      {"/realm-sync/%2F~%2Fsettings", false, Route::sync},
      {"/api/client/v2.0/app/my-app/realm-sync", false, Route::sync},
      {"/api/client/v2.0/app/my-app/realm-sync?baas_at=x", false, Route::sync},
      {"/api/client/v2.0/app/my-app/realm-sync/extra", false, Route::sync},
      {"/anything", true, Route::sync},
      {"/", true, Route::sync},
      // Not sync.
      {"/auth", false, Route::http},
      {"/", false, Route::http},
      {"/health", false, Route::http},
      {"/realm-syncing", false, Route::http},
      {"/realm-sync-not", false, Route::http},
      {"/Realm-Sync", false, Route::http},
      {"/x/realm-sync", false, Route::http},
      {"/api/client/v2.0/app//realm-sync", false, Route::http},
      {"/api/client/v2.0/app/realm-sync", false, Route::http},
      {"/api/client/v2.0/app/my-app/location", false, Route::http},
      {"/api/client/v2.0/app/my-app/realm-syncx", false, Route::http},
      {"/auth?next=/realm-sync", false, Route::http},
  };
  for (const auto& c : cases) {
    INFO(c.target << " upgrade=" << c.upgrade);
    CHECK(route_request(c.target, c.upgrade) == c.route);
  }
}

namespace bhttp = boost::beast::http;

TEST_CASE("proxy forwarding: the client's address and scheme replace what it claimed", "[proxy]") {
  bhttp::request_header<> request;
  request.method(bhttp::verb::post);
  request.target("/auth");
  request.version(11);
  request.set(bhttp::field::host, "example.com");
  request.set("X-Forwarded-For", "203.0.113.7");
  request.set("X-Forwarded-Proto", "https");
  request.set(bhttp::field::connection, "keep-alive, X-Secret");
  request.set("X-Secret", "hop");
  request.set(bhttp::field::keep_alive, "timeout=5");
  request.set(bhttp::field::expect, "100-continue");
  request.set(bhttp::field::upgrade, "h2c");
  request.set(bhttp::field::content_length, "12");
  ros::proxy::prepare_request(request, "198.51.100.4", false, false);
  CHECK(request["X-Forwarded-For"] == "198.51.100.4");
  CHECK(request["X-Forwarded-Proto"] == "http");
  CHECK(request[bhttp::field::connection] == "close");
  CHECK(request.count("X-Secret") == 0);
  CHECK(request.count(bhttp::field::keep_alive) == 0);
  CHECK(request.count(bhttp::field::expect) == 0);
  CHECK(request.count(bhttp::field::upgrade) == 0);
  CHECK(request[bhttp::field::host] == "example.com");
  CHECK(request[bhttp::field::content_length] == "12");
}

TEST_CASE("proxy forwarding: a WebSocket upgrade keeps its Upgrade headers", "[proxy]") {
  bhttp::request_header<> request;
  request.method(bhttp::verb::get);
  request.target("/realm-sync");
  request.version(11);
  request.set(bhttp::field::connection, "keep-alive, Upgrade");
  request.set(bhttp::field::upgrade, "websocket");
  request.set(bhttp::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  request.set(bhttp::field::sec_websocket_protocol, "com.mongodb.realm-sync#9");
  ros::proxy::prepare_request(request, "2001:db8::1", true, true);
  CHECK(request[bhttp::field::connection] == "Upgrade");
  CHECK(request[bhttp::field::upgrade] == "websocket");
  CHECK(request[bhttp::field::sec_websocket_key] == "dGhlIHNhbXBsZSBub25jZQ==");
  CHECK(request[bhttp::field::sec_websocket_protocol] == "com.mongodb.realm-sync#9");
  CHECK(request["X-Forwarded-Proto"] == "https");
  CHECK(request["X-Forwarded-For"] == "2001:db8::1");
}

TEST_CASE("proxy forwarding: responses lose hop-by-hop headers and say how the connection goes",
          "[proxy]") {
  bhttp::response_header<> response;
  response.version(11);
  response.result(200);
  response.set(bhttp::field::connection, "close");
  response.set(bhttp::field::content_length, "2");
  ros::proxy::prepare_response(response, true);
  CHECK(response.count(bhttp::field::connection) == 0);
  CHECK(response[bhttp::field::content_length] == "2");
  ros::proxy::prepare_response(response, false);
  CHECK(response[bhttp::field::connection] == "close");
}

TEST_CASE("proxy forwarding: an IPv4 client seen through a dual-stack socket is logged as IPv4",
          "[proxy]") {
  using boost::asio::ip::make_address;
  CHECK(ros::proxy::client_address(make_address("::ffff:192.0.2.9")) == "192.0.2.9");
  CHECK(ros::proxy::client_address(make_address("192.0.2.9")) == "192.0.2.9");
  CHECK(ros::proxy::client_address(make_address("2001:db8::2")) == "2001:db8::2");
}
