// ros-syncd against raw protocol messages: the upgrade, the order rules and
// error codes of protocol.md section 3, facts the recordings established.
#include <fstream>
#include <iterator>
#include <random>

#include <catch2/catch.hpp>

#include "support/http_client.hpp"
#include "sync/server/protocol_helpers.hpp"
#include "sync/server/server_fixture.hpp"

using namespace ros::test;
namespace p = ros::sync::protocol;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

RawSyncClient connect(const ServerFixture& f, const std::string& token) {
  RawSyncClient::Options o;
  o.target = "/realm-sync?baas_at=" + token;
  return RawSyncClient(f.sync_port, o);
}

// BIND with need = 1, the server's IDENT, our IDENT, the first DOWNLOAD.
p::ServerIdent bind_new(RawSyncClient& c, std::uint64_t session, const std::string& path) {
  c.send(wire(p::Bind{session, path, "", true, false}));
  auto ident = next_as<p::ServerIdent>(c);
  c.send(wire(p::ClientIdent{session, ident.client_file_ident, ident.client_file_ident_salt, 0, 0,
                             0, 0}));
  auto first = next_as<p::Download>(c);
  CHECK(first.session_ident == session);
  return ident;
}

HttpReply upgrade(const ServerFixture& f, const std::string& target,
                  const std::string& protocols = kClientProtocolOffer) {
  return ros::test::upgrade_reply(f.sync_port, target, protocols);
}

}  // namespace

TEST_CASE("syncd: the upgrade answers #14 exactly and refuses what it must", "[syncd]") {
  ServerFixture f;
  const std::string token = f.admin_token();

  SECTION("a 14.x request is upgraded with exactly com.mongodb.realm-sync#14") {
    auto c = connect(f, token);
    CHECK(c.status() == 101);
    CHECK(c.protocol_header() == "com.mongodb.realm-sync#14");
    auto log = c.receive();  // the connection's LOG_MESSAGE comes first
    REQUIRE(log.has_value());
    CHECK(log->rfind("log_message 0 ", 0) == 0);
  }
  SECTION("the SDK path form and a Bearer header work too") {
    RawSyncClient::Options o;
    o.target = "/api/client/v2.0/app/my-app/realm-sync?baas_at=" + token;
    CHECK(RawSyncClient(f.sync_port, o).status() == 101);
    RawSyncClient::Options bearer;
    bearer.authorization = "Bearer " + token;
    CHECK(RawSyncClient(f.sync_port, bearer).status() == 101);
  }
  SECTION("a token with '+' in baas_at is taken raw, not as a space") {
    std::string with_plus;
    for (int i = 0; i < 500 && with_plus.find('+') == std::string::npos; ++i) {
      ServerFixture::TokenSpec spec;
      spec.identity = "plus-" + std::to_string(i);
      with_plus = f.token(spec);
    }
    REQUIRE(with_plus.find('+') != std::string::npos);
    CHECK(connect(f, with_plus).status() == 101);
  }
  SECTION("not a sync path: 404") {
    CHECK(upgrade(f, "/foo?baas_at=" + token).status == 404);
  }
  SECTION("a bad signature, an expired token, a refresh token: 401, never ERROR 202/203") {
    std::string bad = token;
    bad[bad.size() - 3] = bad[bad.size() - 3] == 'A' ? 'B' : 'A';
    auto reply = upgrade(f, "/realm-sync?baas_at=" + bad);
    CHECK(reply.status == 401);
    CHECK(reply.body.find("bad access token") != std::string::npos);

    ServerFixture::TokenSpec expired;
    expired.lifetime = -1;
    CHECK(upgrade(f, "/realm-sync?baas_at=" + f.token(expired)).status == 401);

    ServerFixture::TokenSpec refresh;
    refresh.access = {"refresh"};
    CHECK(upgrade(f, "/realm-sync?baas_at=" + f.token(refresh)).status == 401);
  }
  SECTION("no common protocol version, or none offered: 400") {
    CHECK(upgrade(f, "/realm-sync?baas_at=" + token, "com.mongodb.realm-sync#99").status == 400);
    CHECK(upgrade(f, "/realm-sync?baas_at=" + token, "").status == 400);
  }
  SECTION("not a WebSocket upgrade: 400") {
    CHECK(ros::test::http_request(f.sync_port, "GET", "/realm-sync?baas_at=" + token).status == 400);
  }
}

TEST_CASE("syncd: message order violations get the reference's connection errors", "[syncd]") {
  ServerFixture f;
  auto c = connect(f, f.admin_token());
  REQUIRE(c.status() == 101);

  SECTION("MARK for a session never bound: 106") {
    c.send(wire(p::ClientMark{1, 1}));
    expect_connection_error(c, 106);
  }
  SECTION("a second BIND with a live session ident: 107") {
    c.send(wire(p::Bind{1, "/order", "", true, false}));
    c.send(wire(p::Bind{1, "/order", "", true, false}));
    auto ident = next_message(c);
    if (std::holds_alternative<p::ServerIdent>(ident)) {
      expect_connection_error(c, 107);
    } else {
      REQUIRE(std::holds_alternative<p::ServerError>(ident));
      CHECK(std::get<p::ServerError>(ident).error_code == 107);
    }
  }
  SECTION("UPLOAD between a need = 0 BIND and the IDENT: 109") {
    c.send(wire(p::Bind{1, "/order", "", false, false}));
    c.send(wire(p::Upload{1, 0, 0, 0, {}}));
    expect_connection_error(c, 109);
  }
  SECTION("a second IDENT in a bound session: 109") {
    auto ident = bind_new(c, 1, "/order");
    c.send(wire(p::ClientIdent{1, ident.client_file_ident, ident.client_file_ident_salt, 0, 0, 0, 0}));
    expect_connection_error(c, 109);
  }
  SECTION("two sessions of one connection IDENTing the same file: 108") {
    auto ident = bind_new(c, 1, "/order");
    c.send(wire(p::Bind{2, "/order", "", false, false}));
    c.send(wire(p::ClientIdent{2, ident.client_file_ident, ident.client_file_ident_salt, 0, 0, 0, 0}));
    expect_connection_error(c, 108);
  }
  SECTION("an unknown message name or a head with a field too many: 103") {
    c.send("foo 1 2\n");
    expect_connection_error(c, 103);
  }
  SECTION("a head with one field too many: 103") {
    c.send("mark 1 1 1\n");
    expect_connection_error(c, 103);
  }
  SECTION("a compressed UPLOAD body that does not inflate: 101") {
    bind_new(c, 1, "/order");
    c.send(std::string("upload 1 1 100 5 0 0 0\n") + "junk!");
    expect_connection_error(c, 101);
  }
}

TEST_CASE("syncd: session errors, UNBIND and PING", "[syncd]") {
  ServerFixture f;
  auto c = connect(f, f.admin_token());
  REQUIRE(c.status() == 101);

  SECTION("UNBIND is answered with UNBOUND, PING with PONG") {
    bind_new(c, 1, "/plain");
    c.send(wire(p::Ping{1000, 0}));
    CHECK(next_as<p::Pong>(c).timestamp == 1000);
    c.send(wire(p::Unbind{1}));
    CHECK(next_as<p::Unbound>(c).session_ident == 1);
    // The ident is free again.
    bind_new(c, 1, "/plain");
  }
  SECTION("an illegal path gets 204; the UNBIND that follows is not answered") {
    c.send(wire(p::Bind{3, "/.hidden/x", "", true, false}));
    auto error = next_as<p::ServerError>(c);
    CHECK(error.error_code == 204);
    CHECK(error.session_ident == 3);
    CHECK_FALSE(error.try_again);
    c.send(wire(p::Unbind{3}));
    c.send(wire(p::Ping{7, 0}));
    // Nothing for the UNBIND: the next message is the PONG.
    CHECK(next_as<p::Pong>(c).timestamp == 7);
    // After ERROR + UNBIND the ident may be bound again.
    bind_new(c, 3, "/plain");
  }
  SECTION("an identifier never issued gets 208; later messages of the session are ignored") {
    c.send(wire(p::Bind{1, "/plain", "", false, false}));
    c.send(wire(p::ClientIdent{1, 999, 12345, 0, 0, 0, 0}));
    auto error = next_as<p::ServerError>(c);
    CHECK(error.error_code == 208);
    CHECK(error.session_ident == 1);
    c.send(wire(p::ClientMark{1, 1}));
    c.send(wire(p::Ping{8, 0}));
    CHECK(next_as<p::Pong>(c).timestamp == 8);
  }
  SECTION("a wrong salt gets 211") {
    auto ident = bind_new(c, 1, "/plain");
    c.send(wire(p::Unbind{1}));
    next_as<p::Unbound>(c);
    c.send(wire(p::Bind{2, "/plain", "", false, false}));
    c.send(wire(p::ClientIdent{2, ident.client_file_ident, ident.client_file_ident_salt + 1, 0, 0, 0, 0}));
    CHECK(next_as<p::ServerError>(c).error_code == 211);
  }
  SECTION("an UPLOAD whose progress goes backwards gets 210") {
    bind_new(c, 1, "/plain");
    c.send(wire(p::Upload{1, 5, 0, 0, {}}));
    c.send(wire(p::Upload{1, 4, 0, 0, {}}));
    auto error = next_as<p::ServerError>(c);
    CHECK(error.error_code == 210);
  }
  SECTION("a changeset that does not parse gets 212") {
    bind_new(c, 1, "/plain");
    p::Upload upload{1, 2, 0, 0, {p::UploadChangeset{2, 0, 1000, 0, std::string("\x0e\x01", 2)}}};
    c.send(wire(upload));
    auto error = next_as<p::ServerError>(c);
    CHECK(error.error_code == 212);
  }
}

TEST_CASE("syncd: MARK waits for the first DOWNLOAD; an upload is acknowledged by a DOWNLOAD",
          "[syncd]") {
  ServerFixture f;
  auto c = connect(f, f.admin_token());
  REQUIRE(c.status() == 101);
  c.send(wire(p::Bind{1, "/ack", "", true, false}));
  auto ident = next_as<p::ServerIdent>(c);
  CHECK(ident.client_file_ident == 2);  // 1 is the server's own
  CHECK(ident.client_file_ident_salt > 0);
  c.send(wire(p::ClientIdent{1, ident.client_file_ident, ident.client_file_ident_salt, 0, 0, 0, 0}));
  c.send(wire(p::ClientMark{1, 1}));
  // The DOWNLOAD first (empty Realm: everything 0), then the MARK reply.
  auto first = next_as<p::Download>(c);
  CHECK(p::format(first) == "download 1 0 0 0 0 0 0 0 0 0 0\n");
  CHECK(next_as<p::ServerMark>(c).request_ident == 1);

  const std::string add_table = read_file(std::string(ROS_SHARED_DIR) +
                                          "/testdata/realm-sync/changesets/001-add-tables.bin");
  c.send(wire(p::Upload{1, 3, 0, 0, {p::UploadChangeset{2, 0, 375625790525, 0, add_table}}}));
  auto ack = next_as<p::Download>(c);
  CHECK(ack.download_server_version == 1);
  CHECK(ack.download_client_version == 2);
  CHECK(ack.latest_server_version == 1);
  CHECK(ack.upload_client_version == 3);
  CHECK(ack.upload_server_version == 0);
  CHECK(ack.changesets.empty());  // its own changeset is not sent back

  // A progress-only UPLOAD is not answered with a DOWNLOAD.
  c.send(wire(p::Upload{1, 4, 1, 1, {}}));
  c.send(wire(p::Ping{9, 0}));
  CHECK(next_as<p::Pong>(c).timestamp == 9);

  // A second client gets the change with the uploader's identity.
  auto d = connect(f, f.admin_token());
  d.send(wire(p::Bind{5, "/ack", "", true, false}));
  auto ident2 = next_as<p::ServerIdent>(d);
  CHECK(ident2.client_file_ident == 3);
  d.send(wire(p::ClientIdent{5, ident2.client_file_ident, ident2.client_file_ident_salt, 0, 0, 0, 0}));
  auto down = next_as<p::Download>(d);
  REQUIRE(down.changesets.size() == 1);
  CHECK(down.changesets[0].server_version == 1);
  CHECK(down.changesets[0].origin_file_ident == 2);
  CHECK(down.changesets[0].origin_timestamp == 375625790525);
}

TEST_CASE("syncd: the same client file bound from a new connection closes the old one",
          "[syncd]") {
  ServerFixture f;
  auto old_connection = connect(f, f.admin_token());
  auto ident = bind_new(old_connection, 1, "/zombie");
  auto fresh = connect(f, f.admin_token());
  fresh.send(wire(p::Bind{1, "/zombie", "", false, false}));
  fresh.send(wire(p::ClientIdent{1, ident.client_file_ident, ident.client_file_ident_salt, 0, 0, 0, 0}));
  // The newcomer is accepted (protocol.md 3.7) ...
  CHECK(next_as<p::Download>(fresh).session_ident == 1);
  // ... and the leftover connection is closed without a message (a log
  // message of its own session may still have been on its way).
  for (;;) {
    auto bytes = old_connection.receive(std::chrono::seconds(5));
    if (!bytes) break;
    CHECK(bytes->rfind("log_message ", 0) == 0);
  }
  CHECK(old_connection.closed());
}

TEST_CASE("syncd: sync.* limits end the connection with 103, never 104", "[syncd]") {
  ServerFixture f(false,
                  "sync:\n  max_message_bytes: 4096\n  max_sessions_per_connection: 2\n"
                  "  max_connections: 1\n");
  auto c = connect(f, f.admin_token());
  REQUIRE(c.status() == 101);
  SECTION("a message above sync.max_message_bytes") {
    bind_new(c, 1, "/limits");
    p::Upload big{1, 2, 0, 0, {p::UploadChangeset{2, 0, 1, 0, std::string(8000, '\0')}}};
    c.send(wire(big));
    expect_connection_error(c, 103);
  }
  SECTION("a connection beyond sync.max_connections gets 503") {
    auto reply = upgrade(f, "/realm-sync?baas_at=" + f.admin_token());
    CHECK(reply.status == 503);
    CHECK(reply.body.find("too many connections") != std::string::npos);
  }
  SECTION("a BIND beyond sync.max_sessions_per_connection") {
    bind_new(c, 1, "/limits");
    bind_new(c, 2, "/limits");
    c.send(wire(p::Bind{3, "/limits", "", true, false}));
    expect_connection_error(c, 103);
  }
}

TEST_CASE("syncd: garbage from clients never takes the daemon down", "[syncd]") {
  ServerFixture f;
  std::mt19937_64 rng(42);
  const std::vector<std::string> heads = {"bind ", "ident ", "upload ", "mark ", "unbind ",
                                          "ping ", "json_error ", ""};
  for (int i = 0; i < 60; ++i) {
    auto c = connect(f, f.admin_token());
    REQUIRE(c.status() == 101);
    // A valid session first, so that later garbage reaches deeper states.
    if (i % 2 == 0) bind_new(c, 1, "/garbage");
    std::string bytes = heads[rng() % heads.size()];
    const auto n = rng() % 64;
    for (std::uint64_t k = 0; k < n; ++k) {
      bytes.push_back(static_cast<char>(k % 3 == 0 ? '0' + rng() % 10 : rng() % 256));
      if (rng() % 8 == 0) bytes.push_back(' ');
    }
    if (rng() % 2) bytes.push_back('\n');
    c.send(bytes);
    // Whatever the answer (an ERROR, or nothing for a valid message), the
    // server is still there for the next client.
    (void)c.receive(std::chrono::milliseconds(200));
  }
  CHECK(f.syncd->running());
  auto c = connect(f, f.admin_token());
  REQUIRE(c.status() == 101);
  bind_new(c, 1, "/garbage");
}
