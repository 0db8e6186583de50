// Issue 14 against ros-syncd with ros-authd: a token grants nothing once
// admin.db voids it (a removed user, a password change, a replaced admin
// token), a path-less token of an unknown identity grants nothing, and a
// connection whose token expires is closed with 4001.
#include <chrono>
#include <ctime>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/run.hpp"
#include "sync/server/protocol_helpers.hpp"
#include "sync/server/server_fixture.hpp"

using namespace ros::test;
namespace p = ros::sync::protocol;

namespace {

std::string add_user(const ServerFixture& f, const std::string& name, bool admin) {
  std::vector<std::string> args = {"--json", "add", name, "--password-stdin"};
  if (admin) args.push_back("--admin");
  auto r = run_program("ros-user", f.with_config(args), "secret-" + name + "\n");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out).at("id").get<std::string>();
}

// A path-less access token as ros-authd issues it to `id`.
std::string token_for(const ServerFixture& f, const std::string& id, bool admin,
                      std::int64_t lifetime = 3600) {
  ServerFixture::TokenSpec spec;
  spec.identity = id;
  spec.admin = admin;
  spec.known = false;  // the identity as given
  spec.lifetime = lifetime;
  return f.token(spec);
}

// The answer to an upgrade with `token` that ros-syncd should refuse.
ros::test::HttpReply upgrade_with(const ServerFixture& f, const std::string& token) {
  return ros::test::upgrade_reply(f.sync_port, "/realm-sync?baas_at=" + token);
}

RawSyncClient::Options target(const std::string& token) {
  RawSyncClient::Options o;
  o.target = "/realm-sync?baas_at=" + token;
  return o;
}

p::ServerMessage try_bind(RawSyncClient& c, std::uint64_t session, const std::string& path) {
  c.send(wire(p::Bind{session, path, "", true, false}));
  return next_message(c);
}

std::int64_t error_code(const p::ServerMessage& m) {
  auto* e = std::get_if<p::ServerError>(&m);
  return e == nullptr ? 0 : e->error_code;
}

// BIND, IDENT and the first DOWNLOAD: a session in its Realm.
void bind_session(RawSyncClient& c, std::uint64_t session, const std::string& path) {
  auto ident = try_bind(c, session, path);
  INFO("BIND " << path << ": " << p::format(ident));
  REQUIRE(std::holds_alternative<p::ServerIdent>(ident));
  auto id = std::get<p::ServerIdent>(ident);
  c.send(wire(p::ClientIdent{session, id.client_file_ident, id.client_file_ident_salt, 0, 0, 0, 0}));
  next_as<p::Download>(c);
}

std::string admin_token_file(const ServerFixture& f) {
  std::string token = read_file(f.root / "admin_token.base64");
  REQUIRE(!token.empty());
  token.pop_back();
  return token;
}

}  // namespace

TEST_CASE("syncd: a removed admin's token grants nothing from that moment", "[syncd][tokens]") {
  ServerFixture f(true);
  const std::string root = add_user(f, "root", true);
  const std::string token = token_for(f, root, true);
  RawSyncClient c(f.sync_port, target(token));
  REQUIRE(c.status() == 101);
  bind_session(c, 1, "/shared");

  REQUIRE(run_program("ros-user", f.with_config({"rm", "root"})).exit_code == 0);
  // The bound session ends at once...
  auto ended = next_as<p::ServerError>(c);
  CHECK(ended.error_code == 206);
  CHECK(ended.session_ident == 1);
  // ...a new BIND on the open connection is refused...
  auto refused = try_bind(c, 2, "/other");
  CHECK(error_code(refused) == 206);
  CHECK(std::get<p::ServerError>(refused).message == "user '" + root + "' was removed");
  // ...and the token opens no new connection.
  auto again = upgrade_with(f, token);
  CHECK(again.status == 401);
  CHECK(again.body.find("was removed") != std::string::npos);
}

TEST_CASE("syncd: a password change voids the user's earlier access tokens", "[syncd][tokens]") {
  ServerFixture f(true);
  const std::string id = add_user(f, "sam", false);
  const std::string token = token_for(f, id, false);
  RawSyncClient c(f.sync_port, target(token));
  REQUIRE(c.status() == 101);
  bind_session(c, 1, "/~/notes");
  auto changed = run_program("ros-user", f.with_config({"passwd", "sam", "--password-stdin"}),
                             "another-secret\n");
  REQUIRE(changed.exit_code == 0);
  CHECK(next_as<p::ServerError>(c).error_code == 206);
  CHECK(upgrade_with(f, token).status == 401);
}

TEST_CASE("syncd: a path-less token of an unknown identity grants nothing, a path-scoped one "
          "what it says",
          "[syncd][tokens]") {
  ServerFixture f;
  // Signed with the right key, `admin: true`, but no such user in admin.db.
  RawSyncClient stranger(f.sync_port, target(token_for(f, "stranger", true)));
  REQUIRE(stranger.status() == 101);
  auto refused = try_bind(stranger, 1, "/anything");
  CHECK(error_code(refused) == 206);
  CHECK(std::get<p::ServerError>(refused).message.find("not a user of this server") !=
        std::string::npos);

  ServerFixture::TokenSpec scoped;
  scoped.identity = "script";
  scoped.path = "/reports";
  scoped.access = {"download", "upload"};
  scoped.admin = false;
  RawSyncClient c(f.sync_port, target(f.token(scoped)));
  REQUIRE(c.status() == 101);
  bind_session(c, 1, "/reports");
  CHECK(error_code(try_bind(c, 2, "/other")) == 206);
}

TEST_CASE("syncd: the admin token works while admin.db lists it; a replaced one ends",
          "[syncd][tokens]") {
  ServerFixture f(true);
  const std::string old_token = admin_token_file(f);
  RawSyncClient c(f.sync_port, target(old_token));
  REQUIRE(c.status() == 101);
  bind_session(c, 1, "/catalog");

  // A path-less "__admin" token signed with the key but never issued as
  // the admin token grants nothing.
  ServerFixture::TokenSpec forged;
  forged.identity = "__admin";
  forged.known = false;
  CHECK(upgrade_with(f, f.token(forged)).status == 401);

  auto rotated = run_program("ros-token", f.with_config({"admin", "--rotate"}));
  REQUIRE(rotated.exit_code == 0);
  auto ended = next_as<p::ServerError>(c);
  CHECK(ended.error_code == 206);
  auto again = upgrade_with(f, old_token);
  CHECK(again.status == 401);
  CHECK(again.body.find("admin token was replaced or revoked") != std::string::npos);

  const std::string new_token = admin_token_file(f);
  CHECK(rotated.out == new_token + "\n");
  RawSyncClient fresh(f.sync_port, target(new_token));
  REQUIRE(fresh.status() == 101);
  bind_session(fresh, 1, "/catalog");
}

TEST_CASE("syncd: a connection whose access token expires is closed with 4001", "[syncd][tokens]") {
  ServerFixture f;
  ServerFixture::TokenSpec spec;
  spec.lifetime = 2;
  RawSyncClient c(f.sync_port, target(f.token(spec)));
  REQUIRE(c.status() == 101);
  bind_session(c, 1, "/expiring");
  // Nothing else is sent; within a few seconds the server closes.
  for (int i = 0; i < 3 && !c.closed(); ++i) c.receive(std::chrono::seconds(5));
  REQUIRE(c.closed());
  CHECK(c.close_code() == 4001);
}
