// ros-authd end to end: a real daemon on an ephemeral port with a temporary
// root, driven over real HTTP and its real control socket.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>

#include <catch2/catch.hpp>

#include "auth/token.hpp"
#include "authd/authd_fixture.hpp"
#include "control/client.hpp"
#include "control/protocol.hpp"
#include "support/run.hpp"

using nlohmann::json;
using ros::test::AuthdFixture;
using ros::test::body_of;

namespace {

std::string problem_type(const ros::test::HttpReply& reply) {
  return body_of(reply)["type"].get<std::string>();
}

const std::string kProblems = "https://realm.io/docs/object-server/problems/";

ros::auth::TokenClaims verified(const AuthdFixture& fx, const std::string& token) {
  auto verifier = ros::auth::TokenVerifier::load(fx.keys.public_key);
  REQUIRE(verifier.ok());
  auto claims = verifier->verify(token, std::time(nullptr));
  INFO(token);
  REQUIRE(claims.ok());
  return *claims;
}

// Sends `bytes` on a fresh connection to a Unix socket and returns the first reply line.
std::string raw_exchange(const std::filesystem::path& socket_path, const std::string& bytes) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof address.sun_path, "%s", socket_path.c_str());
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  std::string line;
  char c = 0;
  while (::read(fd, &c, 1) == 1 && c != '\n') line += c;
  ::close(fd);
  return line;
}

}  // namespace

TEST_CASE("authd: register, duplicate, login and wrong password", "[authd]") {
  AuthdFixture fx;
  auto registered = fx.password_login("alice", "correct horse", true);
  REQUIRE(registered.status == 200);
  json body = body_of(registered);
  std::string id = body["user"]["id"].get<std::string>();
  CHECK(id.size() == 32);
  CHECK(body["user"]["is_admin"] == false);
  auto claims = verified(fx, body["refresh_token"]["token"].get<std::string>());
  CHECK(claims.identity == id);
  CHECK(claims.access == std::vector<std::string>{"refresh"});
  json data = body["refresh_token"]["token_data"];
  CHECK(data["token_id"].get<std::string>().size() == 32);
  CHECK(data == claims.to_json());  // token_id is a signed claim
  // Refresh tokens live 10 years by default.
  CHECK(*claims.expires - *claims.timestamp == 315360000);

  auto duplicate = fx.password_login("alice", "another", true);
  CHECK(duplicate.status == 409);
  CHECK(duplicate.headers["content-type"] == "application/problem+json");
  CHECK(problem_type(duplicate) == kProblems + "existing-account");

  auto login = fx.password_login("alice", "correct horse");
  REQUIRE(login.status == 200);
  CHECK(body_of(login)["user"]["id"] == id);

  auto wrong = fx.password_login("alice", "wrong");
  CHECK(wrong.status == 401);
  CHECK(body_of(wrong)["code"] == 611);
  auto unknown = fx.password_login("nobody", "wrong");
  CHECK(unknown.status == 401);
  CHECK(body_of(unknown) == body_of(wrong));
}

TEST_CASE("authd: failed logins are rate limited per address and user pair", "[authd]") {
  AuthdFixture fx("http:\n  login_failures_per_minute: 3\n");
  REQUIRE(fx.password_login("bob", "right", true).status == 200);
  for (int i = 0; i < 3; ++i) CHECK(fx.password_login("bob", "wrong").status == 401);
  auto limited = fx.password_login("bob", "right");
  CHECK(limited.status == 429);
  CHECK(limited.headers["retry-after"] == "60");
  CHECK(problem_type(limited) == kProblems + "too-many-requests");
  // Another name from the same address has its own count (the address's
  // is 20 times larger; hardening_test.cpp).
  CHECK(fx.password_login("carol", "whatever").status == 401);
  auto metrics = ros::test::http_request(fx.http_port, "GET", "/metrics");
  CHECK(metrics.body.find("ros_auth_failures_total{reason=\"rate_limited\"} 1") != std::string::npos);
  CHECK(metrics.body.find("ros_auth_failures_total{reason=\"invalid_credentials\"} 4") !=
        std::string::npos);
}

TEST_CASE("authd: a refresh token buys access tokens with the user's rights", "[authd]") {
  AuthdFixture fx;
  json login = body_of(fx.password_login("dora", "pw-dora", true));
  std::string id = login["user"]["id"];
  std::string refresh = login["refresh_token"]["token"];

  auto own = fx.post_json("/auth", {{"provider", "realm"}, {"data", refresh}, {"path", "/~/tasks"},
                                    {"app_id", "io.realm.Example"}});
  REQUIRE(own.status == 200);
  auto claims = verified(fx, body_of(own)["access_token"]["token"]);
  CHECK(claims.identity == id);
  CHECK(claims.path == "/" + id + "/tasks");
  CHECK(claims.access == std::vector<std::string>{"download", "upload", "manage"});
  CHECK(claims.app_id == "io.realm.Example");
  CHECK(*claims.expires - *claims.timestamp == 600);
  CHECK_FALSE(claims.is_admin());

  auto other = fx.post_json("/auth", {{"provider", "realm"}, {"data", refresh}, {"path", "/catalog"}});
  CHECK(other.status == 403);
  CHECK(body_of(other)["detail"] == "no read access to '/catalog'");

  auto pathless = fx.post_json("/auth", {{"provider", "realm"}, {"data", refresh}});
  REQUIRE(pathless.status == 200);
  auto identity_only = verified(fx, body_of(pathless)["access_token"]["token"]);
  CHECK(identity_only.identity == id);
  CHECK_FALSE(identity_only.path.has_value());
  CHECK(identity_only.access.empty());
  CHECK_FALSE(identity_only.is_admin());

  auto escape = fx.post_json("/auth", {{"provider", "realm"}, {"data", refresh}, {"path", "/~/../x"}});
  CHECK(escape.status == 400);

  // An access token is not a refresh token.
  auto wrong_kind = fx.post_json("/auth", {{"provider", "realm"},
                                           {"data", body_of(own)["access_token"]["token"]}});
  CHECK(wrong_kind.status == 401);
  CHECK(body_of(wrong_kind)["detail"] == "the token is not a refresh token");

  // A token with one altered byte is refused.
  std::string forged = refresh;
  forged[5] = forged[5] == 'A' ? 'B' : 'A';
  auto bad = fx.post_json("/auth", {{"provider", "realm"}, {"data", forged}});
  CHECK(bad.status == 401);
}

TEST_CASE("authd: an admin has every right on every Realm", "[authd]") {
  AuthdFixture fx;
  auto add = ros::test::run_program("ros-user", fx.with_config({"add", "root", "--admin",
                                                               "--password-stdin"}),
                                    "admin-pw\n");
  REQUIRE(add.exit_code == 0);
  json login = body_of(fx.password_login("root", "admin-pw"));
  CHECK(login["user"]["is_admin"] == true);
  auto any = fx.post_json("/auth", {{"provider", "realm"},
                                    {"data", login["refresh_token"]["token"]},
                                    {"path", "/catalog"}});
  REQUIRE(any.status == 200);
  auto claims = verified(fx, body_of(any)["access_token"]["token"]);
  CHECK(claims.access == std::vector<std::string>{"download", "upload", "manage"});
  CHECK(claims.is_admin());
}

TEST_CASE("authd: a revoked refresh token buys nothing", "[authd]") {
  AuthdFixture fx;
  std::string refresh = body_of(fx.password_login("erin", "pw-erin", true))["refresh_token"]["token"];
  auto revoked = fx.post_json("/auth/revoke", {{"token", refresh}});
  REQUIRE(revoked.status == 200);
  auto after = fx.post_json("/auth", {{"provider", "realm"}, {"data", refresh}});
  CHECK(after.status == 401);
  CHECK(body_of(after)["detail"] == "the refresh token was revoked");
  // A new login gives a new token that works.
  std::string fresh = body_of(fx.password_login("erin", "pw-erin"))["refresh_token"]["token"];
  CHECK(fx.post_json("/auth", {{"provider", "realm"}, {"data", fresh}}).status == 200);
}

TEST_CASE("authd: the admin token file is written at start, private and valid", "[authd]") {
  AuthdFixture fx;
  auto file = fx.root / "admin_token.base64";
  struct stat st {};
  REQUIRE(stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  std::string token = ros::test::read_file(file);
  REQUIRE(!token.empty());
  CHECK(token.back() == '\n');
  token.pop_back();
  auto claims = verified(fx, token);
  CHECK(claims.identity == "__admin");
  CHECK(claims.is_admin());
  CHECK_FALSE(claims.path.has_value());

  auto printed = ros::test::run_program("ros-token", fx.with_config({"--json", "admin"}));
  REQUIRE(printed.exit_code == 0);
  auto admin = json::parse(printed.out);
  CHECK(verified(fx, admin["token"]).is_admin());
}

TEST_CASE("authd: bad input gets a clear error and the daemon keeps serving", "[authd]") {
  AuthdFixture fx;
  struct Row {
    std::string method, target, body;
    int status;
    std::string detail;  // "" when the reply has none to compare
  };
  const std::vector<Row> rows = {
      {"POST", "/auth", "{not json", 400, "the body is not valid JSON"},
      {"POST", "/auth", "[1,2]", 400, "the body must be a JSON object"},
      {"POST", "/auth", "{}", 400, "missing 'provider'"},
      {"POST", "/auth", R"({"provider":7})", 400, "'provider' must be a string"},
      {"POST", "/auth", R"({"provider":"github","data":"x"})", 400, "provider 'github' is not enabled"},
      {"POST", "/auth", R"({"provider":"password","data":5})", 400, "'data' must be a string"},
      {"POST", "/auth", R"({"provider":"password","data":"u"})", 400, "missing 'user_info.password'"},
      {"POST", "/auth", R"({"provider":"password","data":"u","user_info":{"password":1}})", 400,
       "'user_info.password' must be a string"},
      {"POST", "/auth", R"({"provider":"password","data":"u","user_info":{"password":"p","register":"yes"}})",
       400, "'user_info.register' must be true or false"},
      {"POST", "/auth", R"({"provider":"password","data":"","user_info":{"password":"p","register":true}})",
       400, ""},
      {"POST", "/auth", R"({"provider":"realm","data":"garbage"})", 401, ""},
      {"POST", "/auth", R"({"provider":"realm","data":"x","path":5})", 400, "'path' must be a string"},
      {"POST", "/auth", R"({"provider":"realm","data":"x","app_id":[1]})", 400, "'app_id' must be a string"},
      {"POST", "/auth", R"({"provider":"password","data":"u","user_info":{"password":"p"},"app_id":1})",
       400, "'app_id' must be a string"},
      {"POST", "/auth/revoke", R"({"token":"nope"})", 400, ""},
      {"GET", "/auth", "", 405, "use POST"},
      {"GET", "/nowhere", "", 404, "no resource at this path"},
      {"POST", "/auth", std::string(10 * 1024 * 1024, 'x'), 413, "the body exceeds 1048576 bytes"},
  };
  for (const auto& row : rows) {
    INFO(row.method << " " << row.target << " " << row.body.substr(0, 80));
    auto reply = ros::test::http_request(fx.http_port, row.method, row.target, row.body);
    CHECK(reply.status == row.status);
    CHECK(reply.headers["content-type"] == "application/problem+json");
    json body = body_of(reply);
    CHECK(body["status"] == row.status);
    CHECK(body["type"].get<std::string>().rfind(kProblems, 0) == 0);
    if (!row.detail.empty()) CHECK(body["detail"] == row.detail);
    CHECK(ros::test::http_request(fx.http_port, "GET", "/health").status == 200);
  }
  CHECK(fx.daemon->running());
}

TEST_CASE("authd: control-socket garbage is answered and the daemon keeps serving", "[authd]") {
  AuthdFixture fx;
  auto socket = fx.root / "run" / "authd.sock";
  auto reply = json::parse(raw_exchange(socket, "\x01\x02 not json\n"));
  CHECK(reply["ok"] == false);
  CHECK(reply["error"]["code"] == "invalid_argument");

  auto client = ros::control::Client::connect(socket, "ros-authd");
  REQUIRE(client.ok());

  auto wrong_type = client->call("user.add", {{"username", 5}, {"password", "p"}});
  REQUIRE_FALSE(wrong_type.ok());
  CHECK(wrong_type.error().message == "argument 'username' must be a string");
  auto unknown = client->call("user.frobnicate");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == ros::Errc::unknown_op);

  auto users = client->call("user.list");
  REQUIRE(users.ok());
  CHECK((*users)["users"].empty());
  CHECK(fx.daemon->running());
}

TEST_CASE("authd: ros-user and ros-token drive the daemon", "[authd]") {
  AuthdFixture fx;
  auto run = [&](std::vector<std::string> args, const std::string& input = "") {
    return ros::test::run_program(args[0], fx.with_config({args.begin() + 1, args.end()}), input);
  };
  auto added = run({"ros-user", "add", "frank", "--password-stdin"}, "pw-frank\n");
  REQUIRE(added.exit_code == 0);
  CHECK(added.out.rfind("added user 'frank' (id ", 0) == 0);
  CHECK(run({"ros-user", "add", "frank", "--password-stdin"}, "x\n").err ==
        "ros-user: user 'frank' already exists\n");
  CHECK(fx.password_login("frank", "pw-frank").status == 200);

  CHECK(run({"ros-user", "passwd", "frank", "--password-stdin"}, "new-pw\n").exit_code == 0);
  CHECK(fx.password_login("frank", "pw-frank").status == 401);
  CHECK(fx.password_login("frank", "new-pw").status == 200);

  auto listed = run({"ros-user", "--json", "ls"});
  REQUIRE(listed.exit_code == 0);
  auto users = json::parse(listed.out)["users"];
  REQUIRE(users.size() == 1);
  std::string id = users[0]["id"];

  CHECK(run({"ros-user", "admin", "frank", "--grant"}).out == "'frank' is now an admin\n");
  CHECK(json::parse(run({"ros-user", "--json", "show", id}).out)["is_admin"] == true);
  CHECK(run({"ros-user", "admin", "frank"}).exit_code == 2);

  auto minted = run({"ros-token", "mint", "--user", "frank", "--path", "/~/notes", "--access",
                     "download,upload", "--expires", "60"});
  REQUIRE(minted.exit_code == 0);
  std::string token = minted.out.substr(0, minted.out.size() - 1);
  auto claims = verified(fx, token);
  CHECK(claims.identity == id);
  CHECK(claims.path == "/" + id + "/notes");
  CHECK(claims.access == std::vector<std::string>{"download", "upload"});
  CHECK(*claims.expires - *claims.timestamp == 60);
  auto inspected = run({"ros-token", "inspect", token});
  CHECK(inspected.out.find("valid:      yes") != std::string::npos);
  CHECK(run({"ros-token", "mint", "--user", "frank", "--access", "read"}).exit_code == 1);

  CHECK(run({"ros-user", "rm", "frank"}).exit_code == 0);
  CHECK(run({"ros-user", "show", "frank"}).err == "ros-user: no user 'frank'\n");
  CHECK(fx.password_login("frank", "new-pw").status == 401);
}

TEST_CASE("authd: commands say when the daemon is not running", "[authd]") {
  AuthdFixture fx;
  REQUIRE(fx.daemon->stop() == 0);
  auto r = ros::test::run_program("ros-user", fx.with_config({"ls"}));
  CHECK(r.exit_code == 1);
  CHECK(r.err == "ros-user: cannot connect to '" + (fx.root / "run" / "authd.sock").string() +
                     "': No such file or directory (is ros-authd running?)\n");
}

TEST_CASE("authd: it refuses to start on a configuration the checker refuses", "[authd]") {
  ros::test::TempDir dir;
  auto config = dir.write("configuration.yml", "storage:\n  root_path: /nonexistent\n");
  auto r = ros::test::run_program("ros-authd", {"--config", config.string()});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("error: storage.root_path: '/nonexistent' does not exist") != std::string::npos);
  CHECK(r.err.find("ros-authd: not starting: 3 configuration errors (check with: ros-check-config "
                   "--daemon ros-authd --config " + config.string() + ")") != std::string::npos);
}
