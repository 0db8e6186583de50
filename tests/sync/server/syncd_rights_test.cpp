// Rights at BIND and their revocation (issue 6, design.md "Tokens and
// rights"), with ros-authd and ros-syncd on one data directory, users and
// permissions made with ros-user and ros-perm as an operator would.
#include <chrono>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "control/client.hpp"
#include "control/protocol.hpp"
#include "support/run.hpp"
#include "sync/server/protocol_helpers.hpp"
#include "sync/server/server_fixture.hpp"

using namespace ros::test;
namespace p = ros::sync::protocol;

namespace {

std::string add_user(const ServerFixture& f, const std::string& name) {
  auto r = run_program("ros-user", f.with_config({"--json", "add", name, "--password-stdin"}),
                       "secret-" + name + "\n");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out).at("id").get<std::string>();
}

void perm(const ServerFixture& f, std::vector<std::string> args) {
  auto r = run_program("ros-perm", f.with_config(std::move(args)));
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
}

std::string user_token(const ServerFixture& f, const std::string& id,
                       std::optional<std::string> path = std::nullopt,
                       std::vector<std::string> access = {"download", "upload"}) {
  ServerFixture::TokenSpec spec;
  spec.identity = id;
  spec.path = std::move(path);
  spec.access = std::move(access);
  spec.admin = false;
  return f.token(spec);
}

RawSyncClient connect(const ServerFixture& f, const std::string& token) {
  RawSyncClient::Options o;
  o.target = "/api/client/v2.0/app/rights/realm-sync?baas_at=" + token;
  RawSyncClient c(f.sync_port, o);
  REQUIRE(c.status() == 101);
  return c;
}

// BIND need = 1: the server's first answer (IDENT when allowed, ERROR when not).
p::ServerMessage try_bind(RawSyncClient& c, std::uint64_t session, const std::string& path) {
  c.send(wire(p::Bind{session, path, "", true, false}));
  return next_message(c);
}

std::int64_t error_code(const p::ServerMessage& m) {
  auto* e = std::get_if<p::ServerError>(&m);
  return e == nullptr ? 0 : e->error_code;
}

}  // namespace

TEST_CASE("syncd: rights at BIND come from the token's path or from admin.db", "[syncd][rights]") {
  ServerFixture f(true);
  const std::string alice = add_user(f, "alice");
  const std::string bob = add_user(f, "bob");

  SECTION("a path-less token: one's own Realms, not another's without a grant") {
    auto c = connect(f, user_token(f, alice));
    CHECK(std::holds_alternative<p::ServerIdent>(try_bind(c, 1, "/~/notes")));
    auto b = connect(f, user_token(f, bob));
    auto refused = try_bind(b, 1, "/" + alice + "/notes");
    CHECK(error_code(refused) == 206);
    CHECK_FALSE(std::get<p::ServerError>(refused).try_again);
    // After a grant of read, the same BIND works; without write an upload
    // with changesets is refused with 206.
    perm(f, {"grant", "bob", "/" + alice + "/notes", "--read"});
    auto ident = try_bind(b, 2, "/" + alice + "/notes");
    REQUIRE(std::holds_alternative<p::ServerIdent>(ident));
    auto id = std::get<p::ServerIdent>(ident);
    b.send(wire(p::ClientIdent{2, id.client_file_ident, id.client_file_ident_salt, 0, 0, 0, 0}));
    next_as<p::Download>(b);
    b.send(wire(p::Upload{2, 2, 0, 0, {p::UploadChangeset{2, 0, 1, 0, ""}}}));
    CHECK(next_as<p::ServerError>(b).error_code == 206);
  }
  SECTION("a path-scoped token is valid for its Realm only") {
    auto c = connect(f, user_token(f, alice, "/~/scoped"));
    CHECK(std::holds_alternative<p::ServerIdent>(try_bind(c, 1, "/~/scoped")));
    CHECK(error_code(try_bind(c, 2, "/~/other")) == 206);
  }
  SECTION("a path-scoped capability without download cannot bind") {
    auto c = connect(f, user_token(f, alice, "/~/scoped", {"upload"}));
    CHECK(error_code(try_bind(c, 1, "/~/scoped")) == 206);
  }
  SECTION("a revoked permission ends the bound session with 206 at once") {
    perm(f, {"grant", "bob", "/shared", "--read", "--write"});
    auto b = connect(f, user_token(f, bob));
    auto ident = try_bind(b, 1, "/shared");
    REQUIRE(std::holds_alternative<p::ServerIdent>(ident));
    auto id = std::get<p::ServerIdent>(ident);
    b.send(wire(p::ClientIdent{1, id.client_file_ident, id.client_file_ident_salt, 0, 0, 0, 0}));
    next_as<p::Download>(b);
    perm(f, {"revoke", "bob", "/shared"});
    auto error = next_as<p::ServerError>(b);
    CHECK(error.error_code == 206);
    CHECK(error.session_ident == 1);
    // The session is over: its UNBIND is not answered (3.14).
    b.send(wire(p::Unbind{1}));
    b.send(wire(p::Ping{5, 0}));
    CHECK(next_as<p::Pong>(b).timestamp == 5);
  }
  SECTION("a removed user's sessions end too") {
    auto c = connect(f, user_token(f, alice));
    auto ident = try_bind(c, 1, "/~/mine");
    REQUIRE(std::holds_alternative<p::ServerIdent>(ident));
    auto id = std::get<p::ServerIdent>(ident);
    c.send(wire(p::ClientIdent{1, id.client_file_ident, id.client_file_ident_salt, 0, 0, 0, 0}));
    next_as<p::Download>(c);
    auto r = run_program("ros-user", f.with_config({"rm", "alice"}));
    REQUIRE(r.exit_code == 0);
    CHECK(next_as<p::ServerError>(c).error_code == 206);
  }
}

TEST_CASE("syncd: the control socket reports sessions, Realms and counters", "[syncd]") {
  ServerFixture f;
  RawSyncClient::Options o;
  o.target = "/realm-sync?baas_at=" + f.admin_token();
  RawSyncClient c(f.sync_port, o);
  REQUIRE(c.status() == 101);
  c.send(wire(p::Bind{1, "/counted", "", true, false}));
  auto id = next_as<p::ServerIdent>(c);
  c.send(wire(p::ClientIdent{1, id.client_file_ident, id.client_file_ident_salt, 0, 0, 0, 0}));
  next_as<p::Download>(c);

  auto client = ros::control::Client::connect(
      ros::control::socket_path(f.root / "run", "ros-syncd"), "ros-syncd");
  REQUIRE(client.ok());
  auto stat = client->call("stat");
  REQUIRE(stat.ok());
  CHECK((*stat)["connections"] == 1);
  CHECK((*stat)["sessions"] == 1);
  CHECK((*stat)["messages_in"].get<std::int64_t>() >= 2);
  auto sessions = client->call("session.list");
  REQUIRE(sessions.ok());
  REQUIRE((*sessions)["sessions"].size() == 1);
  CHECK((*sessions)["sessions"][0]["realm"] == "/counted");
  CHECK((*sessions)["sessions"][0]["client_file"] == id.client_file_ident);
  auto realms = client->call("realm.list");
  REQUIRE(realms.ok());
  REQUIRE((*realms)["realms"].size() == 1);
  CHECK((*realms)["realms"][0]["path"] == "/counted");
  CHECK((*realms)["realms"][0]["clients"] == 1);

  auto bad_limit = client->call("realm.show", {{"path", "/counted"}, {"limit", -1}});
  REQUIRE_FALSE(bad_limit.ok());
  CHECK(bad_limit.error().code == ros::Errc::invalid_argument);
  CHECK(bad_limit.error().message.find("'limit' must be a number of 0 or more") != std::string::npos);

  // realm.rm ends the session (ERROR 200, try again) and deletes the file.
  auto removed = client->call("realm.rm", {{"path", "/counted"}});
  REQUIRE(removed.ok());
  auto error = next_as<p::ServerError>(c);
  CHECK(error.error_code == 200);
  CHECK(error.try_again);
  CHECK_FALSE(std::filesystem::exists(f.root / "realms" / "counted.db"));
  CHECK(client->call("realm.show", {{"path", "/counted"}}).error().code == ros::Errc::not_found);
}
