// The Client's connection and session behaviour against a scripted loopback
// peer (scripted_server.hpp): the upgrade request, TLS checks, refusals,
// message order (MARK before the first UPLOAD), keep-alive, session errors,
// reconnects with the same idents and cursors, and re-sending after a drop
// in the middle of an upload. End-to-end tests against ros-syncd are in
// e2e_test.cpp.
#include <catch2/catch.hpp>

#include <map>
#include <mutex>
#include <thread>

#include "support/pki.hpp"
#include "support/temp_dir.hpp"
#include "sync/changeset/changeset_json.hpp"
#include "sync/client/client.hpp"
#include "sync/client/scripted_server.hpp"
#include "sync/client/url.hpp"
#include "sync/protocol/codec.hpp"

using namespace ros::sync;
using namespace ros::sync::client;
using ros::test::ScriptedServer;
using namespace std::chrono_literals;

namespace {

// A minimal PBS peer for one Realm file: identifier 2 (salt 5), an empty
// DOWNLOAD after IDENT, MARKs answered at once, PONGs, and every UPLOAD that
// carries changesets acknowledged by a DOWNLOAD (one server version each).
struct MiniPeer {
  std::mutex m;
  std::uint64_t version = 0;

  std::vector<std::string> operator()(const std::string& bytes) {
    std::lock_guard lock(m);
    auto parsed = protocol::parse_client_message(bytes);
    if (!parsed) return {};
    auto& msg = parsed.value();
    std::vector<protocol::ServerMessage> out;
    if (auto* b = std::get_if<protocol::Bind>(&msg)) {
      if (b->need_client_file_ident) out.push_back(protocol::ServerIdent{b->session_ident, 2, 5});
    } else if (auto* i = std::get_if<protocol::ClientIdent>(&msg)) {
      protocol::Download d;
      d.session_ident = i->session_ident;
      d.download_server_version = version;
      d.download_client_version = i->scan_client_version;
      d.latest_server_version = version;
      d.latest_server_version_salt = version ? 9 : 0;
      d.upload_client_version = acked[i->session_ident].client;
      d.upload_server_version = acked[i->session_ident].server;
      out.push_back(d);
    } else if (auto* k = std::get_if<protocol::ClientMark>(&msg)) {
      out.push_back(protocol::ServerMark{k->session_ident, k->request_ident});
    } else if (auto* p = std::get_if<protocol::Ping>(&msg)) {
      out.push_back(protocol::Pong{p->timestamp});
    } else if (auto* u = std::get_if<protocol::Upload>(&msg)) {
      auto& ack = acked[u->session_ident];
      ack = {u->progress_client_version, u->progress_server_version};
      if (!u->changesets.empty()) {
        version += u->changesets.size();
        protocol::Download d;
        d.session_ident = u->session_ident;
        d.download_server_version = version;
        d.download_client_version = u->changesets.back().client_version;
        d.latest_server_version = version;
        d.latest_server_version_salt = 9;
        d.upload_client_version = ack.client;
        d.upload_server_version = ack.server;
        out.push_back(d);
      }
    } else if (auto* x = std::get_if<protocol::Unbind>(&msg)) {
      out.push_back(protocol::Unbound{x->session_ident});
    }
    std::vector<std::string> wire;
    for (auto& o : out) wire.push_back(protocol::format(o));
    return wire;
  }
  struct Ack {
    std::uint64_t client = 0, server = 0;
  };
  std::map<std::uint64_t, Ack> acked;  // per session
};

std::string head(const std::string& message) { return message.substr(0, message.find('\n')); }

std::vector<std::string> heads(const ScriptedServer& server) {
  std::vector<std::string> out;
  for (auto& m : server.received()) {
    if (m.rfind("ping ", 0) != 0) out.push_back(head(m));
  }
  return out;
}

changeset::Changeset create_object(int key) {
  auto j = changeset::Json::parse(R"({"instructions": [
    {"type": "AddTable", "table": "T", "embedded": false, "primaryKey": {"field": "_id", "type": "Int", "nullable": false}, "asymmetric": false},
    {"type": "CreateObject", "table": "T", "object": {"int": 0}}], "internStrings": ["T", "_id"]})");
  j["instructions"][1]["object"]["int"] = key;
  return changeset::from_json(j).value();
}

ClientOptions options_for(std::uint16_t port, const std::string& scheme = "ws", const std::string& host = "127.0.0.1") {
  ClientOptions o;
  o.url = scheme + "://" + host + ":" + std::to_string(port);
  o.token = "eyJpZGVudGl0eSI6ImEifQ==:hbFG/yO+oQQx==";
  o.timeout = 10s;
  o.connect_timeout = 5s;
  o.reconnect_delay = 50ms;
  o.max_reconnect_delay = 200ms;
  return o;
}

std::shared_ptr<MiniPeer> peer_options(ScriptedServer::Options& so) {
  auto peer = std::make_shared<MiniPeer>();
  so.reply = [peer](const std::string& m) { return (*peer)(m); };
  return peer;
}

}  // namespace

TEST_CASE("the upgrade request: App path, raw token, the 14.x protocol list, no Authorization") {
  ScriptedServer::Options so;
  peer_options(so);
  ScriptedServer server(so);
  auto o = options_for(server.port());
  o.app_id = "my-app";
  o.user_agent = "ros-test-agent";
  auto client = Client::make(o);
  REQUIRE(client.ok());
  REQUIRE(client->connect().ok());
  CHECK(server.last_target() == "/api/client/v2.0/app/my-app/realm-sync?baas_at=" + o.token);
  auto h = server.last_headers();
  CHECK(h["Sec-WebSocket-Protocol"] == offered_protocols());
  CHECK(h["User-Agent"] == "ros-test-agent");
  CHECK(h["Host"] == "127.0.0.1:" + std::to_string(server.port()));
  CHECK(h.count("Authorization") == 0);
  CHECK(h.count("Sec-WebSocket-Extensions") == 0);
  CHECK(client->stats().protocol_version == 14);

  // The legacy path, from the URL.
  auto o2 = options_for(server.port());
  o2.url += "/realm-sync";
  auto legacy = Client::make(o2);
  REQUIRE(legacy->connect().ok());
  CHECK(server.last_target() == "/realm-sync?baas_at=" + o.token);
}

TEST_CASE("a new file: BIND asks for an identifier, IDENT, MARK, and no UPLOAD before the MARK reply") {
  ScriptedServer::Options so;
  peer_options(so);
  ScriptedServer server(so);
  auto client = Client::make(options_for(server.port()));
  REQUIRE(client.ok());
  auto session = client->bind("/a");
  REQUIRE(session.write(create_object(1)).ok());  // made offline, before the connection
  REQUIRE(session.wait_uploaded().ok());
  auto h = heads(server);
  REQUIRE(h.size() >= 4);
  CHECK(h[0] == "bind 1 2 0 1 0");
  CHECK(h[1] == "ident 1 2 5 0 0 0 0");
  CHECK(h[2] == "mark 1 1");
  CHECK(h[3].rfind("upload 1 0 ", 0) == 0);
  CHECK(session.progress().client_file_ident == 2);
  CHECK(session.progress().upload_ack.client_version >= 2);

  // A second Realm on the same connection gets session ident 2.
  auto other = client->bind("/b");
  REQUIRE(other.wait_bound().ok());
  CHECK(other.ident() == 2);
  CHECK(client->stats().connects == 1);
  REQUIRE(other.wait_downloaded().ok());
  REQUIRE(other.unbind().ok());
  CHECK(heads(server).back() == "unbind 2");
}

TEST_CASE("HTTP 401 at the upgrade is a permission error with the status") {
  ScriptedServer::Options so;
  so.status = 401;
  so.refusal_body = "bad access token: invalid signature";
  ScriptedServer server(so);
  auto o = options_for(server.port());
  o.reconnect = false;
  auto client = Client::make(o);
  auto r = client->connect();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ros::Errc::permission_denied);
  auto e = client->last_error();
  REQUIRE(e);
  CHECK(e->kind == SyncError::Kind::http);
  CHECK(e->code == 401);
  CHECK_THAT(e->message, Catch::Contains("invalid signature"));
}

TEST_CASE("a 101 without a protocol a 14.x client accepts is refused") {
  for (std::optional<std::string> protocol : {std::optional<std::string>("com.mongodb.realm-sync/14"),
                                              std::optional<std::string>("com.mongodb.realm-sync#15"),
                                              std::optional<std::string>()}) {
    ScriptedServer::Options so;
    so.protocol = protocol;
    ScriptedServer server(so);
    auto client = Client::make(options_for(server.port()));
    auto r = client->connect();
    REQUIRE_FALSE(r.ok());
    REQUIRE(client->last_error());
    CHECK(client->last_error()->kind == SyncError::Kind::negotiation);
  }
}

TEST_CASE("wss: the test CA is trusted, another CA or another host name is not") {
  ros::test::TempDir dir;
  auto pki = ros::test::make_ca_and_leaf(dir.path(), "sync", "localhost");
  auto other = ros::test::make_ca_and_leaf(dir.path(), "other", "localhost");
  auto named = ros::test::make_ca_and_leaf(dir.path(), "named", "sync.example.test");
  {
    ScriptedServer::Options so;
    so.cert_file = pki.leaf.certificate;
    so.key_file = pki.leaf.private_key;
    peer_options(so);
    ScriptedServer server(so);
    auto o = options_for(server.port(), "wss", "localhost");
    o.ca_file = pki.ca.certificate;
    auto client = Client::make(o);
    REQUIRE(client.ok());
    auto session = client->bind("/tls");
    REQUIRE(session.wait_bound().ok());
    REQUIRE(session.write(create_object(7)).ok());
    REQUIRE(session.wait_uploaded().ok());

    o.ca_file = other.ca.certificate;
    o.reconnect = false;
    auto untrusted = Client::make(o);
    auto r = untrusted->connect();
    REQUIRE_FALSE(r.ok());
    CHECK(untrusted->last_error()->kind == SyncError::Kind::connect);
  }
  {
    ScriptedServer::Options so;
    so.cert_file = named.leaf.certificate;
    so.key_file = named.leaf.private_key;
    ScriptedServer server(so);
    auto o = options_for(server.port(), "wss", "localhost");  // certificate is for sync.example.test
    o.ca_file = named.ca.certificate;
    o.reconnect = false;
    auto client = Client::make(o);
    REQUIRE_FALSE(client->connect().ok());
    CHECK(client->last_error()->kind == SyncError::Kind::connect);
  }
  auto bad_ca = options_for(1, "wss");
  bad_ca.ca_file = dir.path() / "missing.crt";
  CHECK_FALSE(Client::make(bad_ca).ok());
}

TEST_CASE("keep-alive: PINGs are answered by PONGs") {
  ScriptedServer::Options so;
  peer_options(so);
  ScriptedServer server(so);
  auto o = options_for(server.port());
  o.ping_period = 30ms;
  auto client = Client::make(o);
  REQUIRE(client->connect().ok());
  for (int i = 0; i < 500 && client->stats().pongs_received < 3; ++i) std::this_thread::sleep_for(10ms);
  CHECK(client->stats().pongs_received >= 3);
  CHECK(client->connected());
}

TEST_CASE("a session ERROR is a value with its code, answered with UNBIND") {
  ScriptedServer::Options so;
  so.reply = [](const std::string& m) -> std::vector<std::string> {
    if (m.rfind("bind ", 0) == 0) return {"error 206 17 0 1\npermission denied"};
    return {};
  };
  ScriptedServer server(so);
  auto client = Client::make(options_for(server.port()));
  auto session = client->bind("/forbidden");
  auto r = session.wait_bound();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ros::Errc::permission_denied);
  auto e = session.last_error();
  REQUIRE(e);
  CHECK(e->kind == SyncError::Kind::server_error);
  CHECK(e->code == 206);
  CHECK(e->message == "permission denied");
  for (int i = 0; i < 200 && heads(server).size() < 2; ++i) std::this_thread::sleep_for(10ms);
  CHECK(heads(server) == std::vector<std::string>{"bind 1 10 0 1 0", "unbind 1"});
}

TEST_CASE("after a lost connection the session re-binds with its ident, identifier and cursors") {
  ScriptedServer::Options so;
  peer_options(so);
  ScriptedServer server(so);
  auto client = Client::make(options_for(server.port()));
  auto session = client->bind("/r");
  REQUIRE(session.write(create_object(1)).ok());
  REQUIRE(session.wait_uploaded().ok());
  auto before = session.progress();
  CHECK(before.download.server_version == 1);

  server.drop_connections();
  for (int i = 0; i < 500 && client->stats().connects < 2; ++i) std::this_thread::sleep_for(10ms);
  REQUIRE(session.wait_bound().ok());
  REQUIRE(session.write(create_object(2)).ok());
  REQUIRE(session.wait_uploaded().ok());

  auto h = heads(server);
  auto second_bind = std::find(h.begin() + 1, h.end(), "bind 1 2 0 0 0");
  REQUIRE(second_bind != h.end());
  REQUIRE(second_bind + 1 != h.end());
  CHECK(*(second_bind + 1) == "ident 1 2 5 1 " + std::to_string(before.download.client_version) + " 1 9");
  // A fast reconnect of a session whose uploads were active: no MARK first.
  REQUIRE(second_bind + 2 != h.end());
  CHECK((second_bind + 2)->rfind("upload 1 ", 0) == 0);
}

TEST_CASE("dropped right after an UPLOAD: the same changesets are sent again after the reconnect") {
  ScriptedServer::Options so;
  so.reply = [peer = std::make_shared<MiniPeer>()](const std::string& m) {
    // Never acknowledge: the connection drops before an answer could come.
    if (m.rfind("upload ", 0) == 0) return std::vector<std::string>{};
    return (*peer)(m);
  };
  ScriptedServer server(so);
  auto client = Client::make(options_for(server.port()));
  auto session = client->bind("/r");
  REQUIRE(session.wait_bound().ok());
  REQUIRE(session.wait_downloaded().ok());
  session.drop_connection_after_next_upload();
  REQUIRE(session.write(create_object(1)).ok());
  REQUIRE(session.write(create_object(2)).ok());
  for (int i = 0; i < 500 && client->stats().connects < 2; ++i) std::this_thread::sleep_for(10ms);
  std::vector<std::vector<std::uint64_t>> uploads;
  for (int i = 0; i < 500; ++i) {
    uploads.clear();
    for (auto& m : server.received()) {
      auto p = protocol::parse_client_message(m);
      if (!p.ok()) continue;
      if (auto* u = std::get_if<protocol::Upload>(&p.value()); u && !u->changesets.empty()) {
        std::vector<std::uint64_t> versions;
        for (auto& c : u->changesets) versions.push_back(c.client_version);
        uploads.push_back(versions);
      }
    }
    if (uploads.size() >= 2) break;
    std::this_thread::sleep_for(10ms);
  }
  REQUIRE(uploads.size() >= 2);
  // Whatever the first UPLOAD carried is in the re-sent ones again.
  std::vector<std::uint64_t> resent;
  for (std::size_t i = 1; i < uploads.size(); ++i) resent.insert(resent.end(), uploads[i].begin(), uploads[i].end());
  for (auto v : uploads[0]) CHECK(std::find(resent.begin(), resent.end(), v) != resent.end());
}

TEST_CASE("a JSON_ERROR is a value with its code, action and tryAgain") {
  ScriptedServer::Options so;
  so.reply = [](const std::string& m) -> std::vector<std::string> {
    if (m.rfind("bind ", 0) != 0) return {};
    std::string body = R"({"message":"reset needed","tryAgain":false,"isRecoveryModeDisabled":false,)"
                       R"("shouldClientReset":true,"logURL":"","action":"ClientReset"})";
    return {"json_error 211 " + std::to_string(body.size()) + " 1\n" + body};
  };
  ScriptedServer server(so);
  auto client = Client::make(options_for(server.port()));
  auto session = client->bind("/diverged");
  auto r = session.wait_bound();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ros::Errc::conflict);
  auto e = session.last_error();
  REQUIRE(e);
  CHECK(e->kind == SyncError::Kind::server_json_error);
  CHECK(e->code == 211);
  CHECK(e->action == "ClientReset");
  CHECK(e->message == "reset needed");
  CHECK_FALSE(e->try_again);
}

TEST_CASE("a server message for a session the client does not have is a protocol violation") {
  ScriptedServer::Options so;
  so.reply = [](const std::string& m) -> std::vector<std::string> {
    if (m.rfind("bind ", 0) == 0) return {"mark 9 1\n"};
    return {};
  };
  ScriptedServer server(so);
  auto o = options_for(server.port());
  auto client = Client::make(o);
  auto session = client->bind("/x");
  auto r = session.wait_bound(3s);
  REQUIRE_FALSE(r.ok());
  REQUIRE(client->last_error());
  CHECK(client->last_error()->kind == SyncError::Kind::protocol_violation);
  CHECK_FALSE(client->connected());
}

TEST_CASE("a DOWNLOAD that does not apply: JSON_ERROR 212, and the session stops") {
  ScriptedServer::Options so;
  auto peer = std::make_shared<MiniPeer>();
  so.reply = [peer](const std::string& m) -> std::vector<std::string> {
    if (m.rfind("mark ", 0) == 0) {
      // Before the MARK reply: a changeset with the unknown instruction 14.
      protocol::Download d{1, 1, 0, 1, 9, 0, 0, 0, {}};
      d.changesets.push_back({1, 0, 1000, 3, 1, std::string("\x0e", 1)});
      auto out = (*peer)(m);
      out.insert(out.begin(), protocol::format(d));
      return out;
    }
    return (*peer)(m);
  };
  ScriptedServer server(so);
  auto client = Client::make(options_for(server.port()));
  auto session = client->bind("/bad");
  auto r = session.wait_downloaded(5s);
  REQUIRE_FALSE(r.ok());
  auto e = session.last_error();
  REQUIRE(e);
  CHECK(e->kind == SyncError::Kind::integration);
  CHECK(e->code == 212);
  for (int i = 0; i < 200; ++i) {
    auto h = heads(server);
    if (!h.empty() && h.back().rfind("json_error", 0) == 0) break;
    std::this_thread::sleep_for(10ms);
  }
  auto h = heads(server);
  REQUIRE_FALSE(h.empty());
  CHECK(h.back().rfind("json_error 212 ", 0) == 0);
  CHECK(h.back().substr(h.back().size() - 2) == " 1");
  CHECK(client->connected());  // only the session stopped
  REQUIRE(session.write(create_object(1)).ok());
  CHECK_FALSE(session.wait_uploaded(300ms).ok());  // no more UPLOADs
}
