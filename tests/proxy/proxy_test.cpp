// ros-proxy over plain HTTP and WebSocket, with real daemons on ephemeral
// ports: ros-authd behind it, or an in-process echo back end where the test
// must see what arrives.
#include <catch2/catch.hpp>

#include <thread>

#include <nlohmann/json.hpp>

#include "proxy/clients.hpp"
#include "proxy/echo_backend.hpp"
#include "proxy/proxy_fixture.hpp"
#include "support/http_client.hpp"

using namespace ros::test;

namespace {

std::string url(std::uint16_t port, const std::string& path) {
  return "http://127.0.0.1:" + std::to_string(port) + path;
}

nlohmann::json json_of(const std::string& text) {
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded()) FAIL("not JSON: " << text);
  return json;
}

}  // namespace

TEST_CASE("proxy: /auth through the proxy with curl and 502 problem+json once ros-authd stops",
          "[proxy][daemon]") {
  ProxyFixture fx({.start_authd = true});
  auto registered = curl({"-X", "POST", url(fx.http_port, "/auth"), "-H",
                          "Content-Type: application/json", "-d",
                          R"({"provider":"password","data":"alice",)"
                          R"("user_info":{"password":"correct horse","register":true}})"});
  INFO(registered.err << fx.proxy->log());
  REQUIRE(registered.exit_code == 0);
  auto body = json_of(registered.out);
  CHECK(body.contains("refresh_token"));

  // ros-authd logs the client's address, not the proxy's: a client on
  // 127.0.0.2 (the proxy reaches ros-authd from 127.0.0.1).
  auto other = curl({"--interface", "127.0.0.2", "-X", "POST", url(fx.http_port, "/auth"), "-d",
                     R"({"provider":"password","data":"bob",)"
                     R"("user_info":{"password":"pw-bob","register":true}})"});
  REQUIRE(other.exit_code == 0);
  CHECK(fx.authd->log().find("('bob') from 127.0.0.2") != std::string::npos);

  // Over HTTPS, the certificate checked against the test CA.
  auto login = curl({"--cacert", fx.pki.ca.certificate.string(), "-X", "POST",
                     "https://127.0.0.1:" + std::to_string(fx.https_port) + "/auth", "-H",
                     "Content-Type: application/json", "-d",
                     R"({"provider":"password","data":"alice",)"
                     R"("user_info":{"password":"correct horse"}})"});
  INFO(login.err);
  REQUIRE(login.exit_code == 0);
  CHECK(json_of(login.out)["user"].contains("id"));
  // Without the CA, curl refuses the certificate: it is checked, not waved through.
  auto untrusted = curl({"https://127.0.0.1:" + std::to_string(fx.https_port) + "/health"});
  CHECK(untrusted.exit_code == 60);
  auto wrong = http_request(fx.http_port, "POST", "/auth",
                            R"({"provider":"password","data":"alice",)"
                            R"("user_info":{"password":"wrong"}})");
  CHECK(wrong.status == 401);
  CHECK(wrong.headers["content-type"] == "application/problem+json");

  REQUIRE(fx.authd->stop() == 0);
  auto down = http_request(fx.http_port, "POST", "/auth", R"({"provider":"password"})");
  CHECK(down.status == 502);
  CHECK(down.headers["content-type"] == "application/problem+json");
  auto problem = json_of(down.body);
  CHECK(problem["status"] == 502);
  CHECK(problem["type"] == "https://realm.io/docs/object-server/problems/bad-gateway");
  // The sync service is down too (it never ran): a WebSocket upgrade gets 502.
  auto sync = curl({"-i", url(fx.http_port, "/realm-sync"), "-H", "Connection: Upgrade", "-H",
                    "Upgrade: websocket", "-H", "Sec-WebSocket-Version: 13", "-H",
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="});
  CHECK(sync.out.find("HTTP/1.1 502") == 0);
  CHECK(fx.proxy->running());
}

TEST_CASE("proxy: X-Forwarded-For and X-Forwarded-Proto replace what the client sent",
          "[proxy][daemon]") {
  EchoBackend backend;
  ProxyFixture fx({.http_backend = backend.port()});
  auto reply = http_request(fx.http_port, "GET", "/headers", "",
                            {{"X-Forwarded-For", "203.0.113.7"}, {"X-Forwarded-Proto", "https"}});
  REQUIRE(reply.status == 200);
  auto seen = json_of(reply.body)["headers"];
  CHECK(seen["x-forwarded-for"] == "127.0.0.1");
  CHECK(seen["x-forwarded-proto"] == "http");

  auto secure = curl({"--cacert", fx.pki.ca.certificate.string(), "-H",
                      "X-Forwarded-For: 203.0.113.7",
                      "https://127.0.0.1:" + std::to_string(fx.https_port) + "/headers"});
  INFO(secure.err);
  REQUIRE(secure.exit_code == 0);
  seen = json_of(secure.out)["headers"];
  CHECK(seen["x-forwarded-for"] == "127.0.0.1");
  CHECK(seen["x-forwarded-proto"] == "https");
}

TEST_CASE("proxy: request and response bodies pass through whole (chunked or not) on a kept-alive connection",
          "[proxy][daemon]") {
  EchoBackend backend;
  ProxyFixture fx({.http_backend = backend.port()});
  std::string data(6 << 20, '\0');
  std::uint32_t x = 12345;
  for (auto& c : data) {
    x = x * 1103515245 + 12345;
    c = static_cast<char>(x >> 24);
  }
  auto in = fx.dir.write("in.bin", data);
  auto out = fx.dir / "out.bin";
  // Chunked upload, then a plain one and a small one on the same connection
  // (curl reuses it: keep-alive through the proxy).
  auto r = curl({"--data-binary", "@" + in.string(), "-H", "Transfer-Encoding: chunked", "-o",
                 out.string(), url(fx.http_port, "/echo"), "--next", "--data-binary",
                 "@" + in.string(), "-o", (fx.dir / "out2.bin").string(),
                 url(fx.http_port, "/echo"), "--next", "-d", "small", url(fx.http_port, "/echo"),
                 "-w", " %{num_connects}"});
  INFO(r.err << fx.proxy->log());
  REQUIRE(r.exit_code == 0);
  CHECK((read_file(out) == data));
  CHECK((read_file(fx.dir / "out2.bin") == data));
  CHECK(r.out == "small 0");  // the third request needed no new connection

  // A chunked answer, and an answer to HEAD (a length, no body).
  auto chunked = curl({"--data-binary", "@" + in.string(), "-o", out.string(), "-D", "-",
                       url(fx.http_port, "/chunked")});
  REQUIRE(chunked.exit_code == 0);
  CHECK(chunked.out.find("Transfer-Encoding: chunked") != std::string::npos);
  CHECK((read_file(out) == data));
  auto head = curl({"-I", url(fx.http_port, "/headers"), "--next", url(fx.http_port, "/headers"),
                    "-w", "%{num_connects}"});
  REQUIRE(head.exit_code == 0);
  CHECK(head.out.rfind("HTTP/1.1 200 OK", 0) == 0);
  CHECK(head.out.find("\"method\":\"GET\"") != std::string::npos);
  CHECK(head.out.ends_with("}0"));  // after HEAD the connection was reused
}

TEST_CASE("proxy: oversize request headers get 431 and the proxy serves on", "[proxy][daemon]") {
  EchoBackend backend;
  ProxyFixture fx({.http_backend = backend.port(), .proxy_yaml = "  max_header_bytes: 4096\n"});
  auto big = http_request(fx.http_port, "GET", "/headers", "", {{"X-Big", std::string(5000, 'a')}});
  CHECK(big.status == 431);
  CHECK(big.headers["content-type"] == "application/problem+json");
  CHECK(json_of(big.body)["status"] == 431);
  auto fine = http_request(fx.http_port, "GET", "/headers", "", {{"X-Big", std::string(3000, 'a')}});
  CHECK(fine.status == 200);
}

TEST_CASE("proxy: 500 idle connections do not hinder a working client and are dropped",
          "[proxy][daemon]") {
  EchoBackend backend;
  ProxyFixture fx({.http_backend = backend.port(), .proxy_yaml = "  idle_timeout: 3\n"});
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 500; ++i) {
    // Some never start their TLS handshake, some say nothing, some start a
    // request and stall (slowloris).
    idle.push_back(std::make_unique<RawConnection>(i % 5 == 0 ? fx.https_port : fx.http_port));
    if (i % 5 != 0 && i % 2) idle.back()->send("GET /headers HTTP/1.1\r\nHost: x\r\n");
  }
  for (int i = 0; i < 5; ++i) {
    auto reply = http_request(fx.http_port, "GET", "/headers");
    CHECK(reply.status == 200);
  }
  auto secure = curl({"--cacert", fx.pki.ca.certificate.string(),
                      "https://127.0.0.1:" + std::to_string(fx.https_port) + "/headers"});
  CHECK(secure.exit_code == 0);
  // proxy.idle_timeout later, every idle one has been closed by the proxy.
  int closed = 0;
  for (auto& c : idle) closed += c->wait_closed() ? 1 : 0;
  CHECK(closed == 500);
  CHECK(http_request(fx.http_port, "GET", "/headers").status == 200);
}

TEST_CASE("proxy: WebSocket bytes relay both ways over ws://", "[proxy][daemon]") {
  EchoBackend sync;
  ProxyFixture fx({.sync_backend = sync.port()});
  WsClient ws(fx.http_port, "/realm-sync?baas_at=token");
  CHECK(ws.echo("hello") == "hello");
  std::string big(300000, 'x');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7);
  CHECK((ws.echo(big, true) == big));
  for (int i = 0; i < 50; ++i) CHECK(ws.echo("message " + std::to_string(i)) == "message " + std::to_string(i));
  // An upgrade on any path goes to the sync service.
  WsClient other(fx.http_port, "/elsewhere");
  CHECK(other.echo("there") == "there");
}

TEST_CASE("proxy: connections beyond proxy.max_connections are closed at once", "[proxy][daemon]") {
  EchoBackend backend;
  ProxyFixture fx({.http_backend = backend.port(), .proxy_yaml = "  max_connections: 5\n"});
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < 5; ++i) held.push_back(std::make_unique<RawConnection>(fx.http_port));
  // Until the proxy has accepted all five, a sixth may still get in: wait
  // for the first refusal.
  bool refused = false;
  for (int i = 0; i < 100 && !refused; ++i) {
    RawConnection extra(fx.http_port);
    extra.send("GET /headers HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    std::string answer;
    refused = extra.wait_closed(&answer) && answer.empty();
  }
  CHECK(refused);
  held.clear();
  // Once they are gone, requests are served again.
  bool served = false;
  for (int i = 0; i < 100 && !served; ++i) {
    try {
      served = http_request(fx.http_port, "GET", "/headers").status == 200;
    } catch (const std::exception&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  CHECK(served);
}
