// ros-proxy's TLS side and its life cycle: protocol versions, secure
// WebSocket, certificate reload on SIGHUP, and the drain on SIGTERM.
#include <catch2/catch.hpp>

#include <openssl/ssl.h>
#include <signal.h>

#include <thread>

#include "proxy/clients.hpp"
#include "proxy/echo_backend.hpp"
#include "proxy/proxy_fixture.hpp"
#include "support/http_client.hpp"

using namespace ros::test;

namespace {

// Waits (up to 15 s) until the proxy's log holds `text` `count` times.
bool wait_for_log(const ProxyFixture& fx, const std::string& text, int count) {
  for (int i = 0; i < 300; ++i) {
    const std::string log = fx.proxy->log();
    int seen = 0;
    for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++seen;
    if (seen >= count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace

TEST_CASE("proxy: TLS 1.2 and 1.3 are served and TLS 1.1 and below refused", "[proxy][daemon]") {
  EchoBackend backend;
  ProxyFixture fx({.http_backend = backend.port()});
  const auto ca = fx.pki.ca.certificate;
  CHECK(tls_handshake(fx.https_port, TLS1_3_VERSION, TLS1_3_VERSION, ca) == "");
  CHECK(tls_handshake(fx.https_port, TLS1_2_VERSION, TLS1_2_VERSION, ca) == "");
  CHECK(tls_handshake(fx.https_port, TLS1_1_VERSION, TLS1_1_VERSION, ca) ==
        "tlsv1 alert protocol version");
  CHECK(tls_handshake(fx.https_port, TLS1_VERSION, TLS1_VERSION, ca) ==
        "tlsv1 alert protocol version");
  // Plain HTTP on the TLS port is not served either, and harms nothing.
  CHECK_THROWS(http_request(fx.https_port, "GET", "/headers"));
  CHECK(http_request(fx.http_port, "GET", "/headers").status == 200);
}

TEST_CASE("proxy: secure WebSocket relays both ways and a certificate reload (SIGHUP) keeps it open",
          "[proxy][daemon]") {
  EchoBackend sync;
  ProxyFixture fx({.sync_backend = sync.port()});
  const auto first_ca = fx.pki.ca.certificate;
  WsClient ws(fx.https_port, "/api/client/v2.0/app/demo/realm-sync", first_ca);
  CHECK(ws.echo("before") == "before");

  // A certificate from another CA replaces the files, then SIGHUP.
  auto next = make_ca_and_leaf(fx.dir.path(), "next", "localhost");
  std::filesystem::rename(next.leaf.private_key, fx.pki.leaf.private_key);
  std::filesystem::rename(next.leaf.certificate, fx.pki.leaf.certificate);
  fx.reload();
  bool switched = false;
  for (int i = 0; i < 300 && !switched; ++i) {
    switched = tls_handshake(fx.https_port, TLS1_2_VERSION, TLS1_3_VERSION,
                             next.ca.certificate) == "";
    if (!switched) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  INFO(fx.proxy->log());
  REQUIRE(switched);
  CHECK(tls_handshake(fx.https_port, TLS1_2_VERSION, TLS1_3_VERSION, first_ca) ==
        "certificate verify failed");

  // The session opened before the reload goes on.
  CHECK(ws.echo("after") == "after");
  std::string big(200000, 'y');
  CHECK((ws.echo(big, true) == big));
  WsClient fresh(fx.https_port, "/realm-sync", next.ca.certificate);
  CHECK(fresh.echo("new") == "new");

  // A reload that fails keeps the certificate: a key that does not match,
  // then a self-signed certificate (refused as ros-check-config refuses it).
  auto stray = make_rsa_key_pair(fx.dir.path(), "stray");
  std::filesystem::rename(stray.private_key, fx.pki.leaf.private_key);
  fx.reload();
  REQUIRE(wait_for_log(fx, "keeping the current certificate", 1));
  CHECK(fx.proxy->log().find("is not the key of the certificate") != std::string::npos);
  auto self_signed = make_self_signed_cert(fx.dir.path(), "self", "localhost");
  std::filesystem::rename(self_signed.private_key, fx.pki.leaf.private_key);
  std::filesystem::rename(self_signed.certificate, fx.pki.leaf.certificate);
  fx.reload();
  REQUIRE(wait_for_log(fx, "keeping the current certificate", 2));
  CHECK(fx.proxy->log().find("is self-signed") != std::string::npos);
  CHECK(WsClient(fx.https_port, "/realm-sync", next.ca.certificate).echo("still") == "still");
  CHECK(ws.echo("and on") == "and on");
  CHECK(fx.proxy->running());
}

TEST_CASE("proxy: SIGTERM closes idle connections and the port and lets a tunnel finish before exiting",
          "[proxy][daemon]") {
  EchoBackend http;
  EchoBackend sync;
  ProxyFixture fx({.http_backend = http.port(),
                   .sync_backend = sync.port(),
                   .proxy_yaml = "  drain_time: 60\n"});
  auto ws = std::make_unique<WsClient>(fx.http_port, "/realm-sync");
  CHECK(ws->echo("one") == "one");
  RawConnection idle(fx.http_port);
  REQUIRE(http_request(fx.http_port, "GET", "/headers").status == 200);
  // A request in the middle of its body: "100 Continue" proves the proxy has
  // taken it to its back end.
  RawConnection busy(fx.http_port);
  busy.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n"
            "Expect: 100-continue\r\n\r\n");
  std::string interim;
  REQUIRE(busy.read_until("\r\n\r\n", &interim));
  CHECK(interim == "HTTP/1.1 100 Continue\r\n\r\n");

  ::kill(fx.proxy->pid(), SIGTERM);
  CHECK(idle.wait_closed());
  // The request in flight is answered, and its connection then closed.
  busy.send("0123456789");
  std::string answer;
  CHECK(busy.wait_closed(&answer));
  CHECK(answer.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(answer.find("Connection: close\r\n") != std::string::npos);
  CHECK(answer.ends_with("\r\n\r\n0123456789"));
  bool refused = false;
  for (int i = 0; i < 300 && !refused; ++i) {
    try {
      RawConnection probe(fx.http_port);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    } catch (const std::exception&) {
      refused = true;
    }
  }
  CHECK(refused);
  CHECK(ws->echo("two") == "two");
  CHECK(fx.proxy->running());
  ws.reset();
  CHECK(fx.proxy->wait_exit() == 0);
}

TEST_CASE("proxy: after proxy.drain_time an open tunnel is cut and the proxy exits",
          "[proxy][daemon]") {
  EchoBackend sync;
  ProxyFixture fx({.sync_backend = sync.port(), .proxy_yaml = "  drain_time: 1\n"});
  WsClient ws(fx.https_port, "/realm-sync", fx.pki.ca.certificate);
  CHECK(ws.echo("one") == "one");
  ::kill(fx.proxy->pid(), SIGTERM);
  CHECK(ws.wait_closed());
  CHECK(fx.proxy->wait_exit() == 0);
}
