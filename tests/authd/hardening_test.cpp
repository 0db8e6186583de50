// Issue 14 against a real ros-authd: refresh tokens are revoked by their
// identity and accepted in one byte form only, a password change or removal
// voids a user's earlier tokens, registration cannot burn CPU on taken names
// and can be switched off, failed logins lock out an (address, user) pair
// rather than the user, and the admin token is short-lived, recorded and
// replaceable.
#include <sys/stat.h>

#include <chrono>
#include <ctime>
#include <set>
#include <thread>

#include <catch2/catch.hpp>

#include "auth/token.hpp"
#include "authd/authd_fixture.hpp"
#include "support/run.hpp"

using nlohmann::json;
using ros::test::AuthdFixture;
using ros::test::body_of;

namespace {

std::string refresh_of(const ros::test::HttpReply& reply) {
  INFO(reply.body);
  REQUIRE(reply.status == 200);
  return body_of(reply)["refresh_token"]["token"].get<std::string>();
}

ros::test::HttpReply access_with(const AuthdFixture& fx, const std::string& refresh) {
  return fx.post_json("/auth", {{"provider", "realm"}, {"data", refresh}});
}

// Other spellings of the same classic token: what a lenient decoder takes
// for the same bytes.
std::set<std::string> respellings(const std::string& token) {
  std::set<std::string> out;
  out.insert(token + " ");
  out.insert("\n" + token);
  auto colon = token.find(':');
  out.insert(token.substr(0, colon + 1) + " " + token.substr(colon + 1));
  std::string unpadded;
  for (char c : token) {
    if (c != '=') unpadded += c;
  }
  out.insert(unpadded);
  std::string url = token;
  for (char& c : url) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  out.insert(url);
  out.erase(token);
  return out;
}

std::uint64_t metric(const AuthdFixture& fx, const std::string& line_start) {
  auto metrics = ros::test::http_request(fx.http_port, "GET", "/metrics");
  auto at = metrics.body.find("\n" + line_start + " ");
  INFO(metrics.body);
  REQUIRE(at != std::string::npos);
  return std::stoull(metrics.body.substr(at + line_start.size() + 2));
}

ros::test::HttpReply login_from(const AuthdFixture& fx, const std::string& address,
                                const std::string& user, const std::string& password) {
  json body = {{"provider", "password"}, {"data", user}, {"user_info", {{"password", password}}}};
  // From loopback, X-Forwarded-For names the client (as ros-proxy sends it).
  return ros::test::http_request(fx.http_port, "POST", "/auth", body.dump(),
                                 {{"X-Forwarded-For", address}});
}

}  // namespace

TEST_CASE("authd: a revoked refresh token stays revoked in every other spelling", "[authd][tokens]") {
  AuthdFixture fx;
  const std::string refresh = refresh_of(fx.password_login("mallory", "pw-mallory", true));
  const auto spellings = respellings(refresh);
  // The trailing space, the leading newline, the space after ':', '='
  // stripped, and (whenever the token has '+' or '/') the URL alphabet.
  CHECK(spellings.size() >= 4);
  REQUIRE(fx.post_json("/auth/revoke", {{"token", refresh}}).status == 200);
  CHECK(access_with(fx, refresh).status == 401);
  for (const auto& other : spellings) {
    CAPTURE(other);
    auto reply = access_with(fx, other);
    CHECK(reply.status == 401);
    CHECK(reply.status != 200);
  }

  // Revoking through another spelling is refused (it is not a token), and
  // the token's identity is its token_id: one revocation covers it.
  const std::string second = refresh_of(fx.password_login("mallory", "pw-mallory"));
  for (const auto& other : respellings(second)) {
    CAPTURE(other);
    CHECK(fx.post_json("/auth/revoke", {{"token", other}}).status == 400);
  }
  REQUIRE(access_with(fx, second).status == 200);
  REQUIRE(fx.post_json("/auth/revoke", {{"token", second}}).status == 200);
  CHECK(access_with(fx, second).status == 401);
}

TEST_CASE("authd: a password change voids the user's earlier refresh tokens", "[authd][tokens]") {
  AuthdFixture fx;
  const std::string before = refresh_of(fx.password_login("nina", "old-pw", true));
  REQUIRE(access_with(fx, before).status == 200);
  auto changed = ros::test::run_program(
      "ros-user", fx.with_config({"passwd", "nina", "--password-stdin"}), "new-pw\n");
  REQUIRE(changed.exit_code == 0);
  auto refused = access_with(fx, before);
  CHECK(refused.status == 401);
  CHECK(body_of(refused)["detail"] ==
        "the refresh token was issued before the password was last changed; log in again");
  // A login right after the change (the same second, usually) works at once.
  const std::string after = refresh_of(fx.password_login("nina", "new-pw"));
  auto access = access_with(fx, after);
  REQUIRE(access.status == 200);

  // ros-user rm: the user's tokens buy nothing, and a new user of the same
  // name is another user.
  REQUIRE(ros::test::run_program("ros-user", fx.with_config({"rm", "nina"})).exit_code == 0);
  CHECK(access_with(fx, after).status == 403);
  refresh_of(fx.password_login("nina", "new-pw", true));
  CHECK(access_with(fx, after).status == 403);
}

TEST_CASE("authd: registering a taken name runs no password hash", "[authd][login]") {
  AuthdFixture fx;
  REQUIRE(fx.password_login("olga", "pw-olga", true).status == 200);
  const auto before = metric(fx, "ros_auth_password_hashes_total");
  for (int i = 0; i < 5; ++i) CHECK(fx.password_login("olga", "other", true).status == 409);
  CHECK(metric(fx, "ros_auth_password_hashes_total") == before);
  // A login still costs one (the figure counts real work).
  CHECK(fx.password_login("olga", "pw-olga").status == 200);
  CHECK(metric(fx, "ros_auth_password_hashes_total") == before + 1);
}

TEST_CASE("authd: auth.providers.password.allow_registration false refuses registration",
          "[authd][login]") {
  AuthdFixture fx("auth.providers.password.allow_registration: false\n");
  auto refused = fx.password_login("pat", "pw-pat", true);
  CHECK(refused.status == 403);
  CHECK(body_of(refused)["detail"].get<std::string>().find("registration is switched off") == 0);
  CHECK(metric(fx, "ros_auth_password_hashes_total") == 0);
  // Operators still add users, who log in.
  auto added = ros::test::run_program(
      "ros-user", fx.with_config({"add", "pat", "--password-stdin"}), "pw-pat\n");
  REQUIRE(added.exit_code == 0);
  CHECK(fx.password_login("pat", "pw-pat").status == 200);
}

TEST_CASE("authd: failed logins from one address do not lock the owner out", "[authd][login]") {
  AuthdFixture fx("http:\n  login_failures_per_minute: 3\n");
  REQUIRE(fx.password_login("quinn", "right", true).status == 200);
  const std::string attacker = "203.0.113.9";
  const std::string owner = "198.51.100.7";
  for (int i = 0; i < 3; ++i) CHECK(login_from(fx, attacker, "quinn", "wrong").status == 401);
  auto limited = login_from(fx, attacker, "quinn", "right");
  CHECK(limited.status == 429);
  CHECK(limited.headers["retry-after"] == "60");
  // The owner, elsewhere, is not locked out.
  CHECK(login_from(fx, owner, "quinn", "right").status == 200);
  // The attacker's address trying other names is held back by the
  // address's own, larger budget (20 times the pair's).
  int refused = 0;
  for (int i = 0; i < 70 && refused == 0; ++i) {
    if (login_from(fx, attacker, "name-" + std::to_string(i), "x").status == 429) ++refused;
  }
  CHECK(refused == 1);
  CHECK(login_from(fx, owner, "quinn", "right").status == 200);
}

std::string admin_token_file(const AuthdFixture& fx) {
  std::string token = ros::test::read_file(fx.root / "admin_token.base64");
  REQUIRE(!token.empty());
  token.pop_back();  // the newline
  return token;
}

TEST_CASE("authd: the admin token is short-lived, recorded and revocable", "[authd][tokens]") {
  AuthdFixture fx("tokens:\n  admin_lifetime: 3600\n");
  auto verifier = ros::auth::TokenVerifier::load(fx.keys.public_key);
  REQUIRE(verifier.ok());
  const std::string first = admin_token_file(fx);
  auto claims = verifier->verify(first, std::time(nullptr));
  REQUIRE(claims.ok());
  CHECK(claims->identity == "__admin");
  CHECK(claims->is_admin());
  CHECK(*claims->expires - *claims->timestamp == 3600);
  REQUIRE(claims->token_id.has_value());

  // ros-token admin prints the file's token, not a new one each time.
  auto printed = ros::test::run_program("ros-token", fx.with_config({"admin"}));
  REQUIRE(printed.exit_code == 0);
  CHECK(printed.out == first + "\n");

  // ros-token admin --rotate: a new one at once, in the file too.
  auto rotated = ros::test::run_program("ros-token", fx.with_config({"admin", "--rotate"}));
  REQUIRE(rotated.exit_code == 0);
  CHECK(rotated.out != first + "\n");
  CHECK(rotated.out == admin_token_file(fx) + "\n");
  CHECK(ros::test::run_program("ros-token", fx.with_config({"admin"})).out == rotated.out);
}

TEST_CASE("authd: the admin token is replaced when half its life has passed", "[authd][tokens]") {
  AuthdFixture fx("tokens:\n  admin_lifetime: 2\n");
  const std::string first = admin_token_file(fx);
  // Every second here: wait (up to 20 s) for the file to change.
  std::string replaced = first;
  for (int i = 0; i < 200 && replaced == first; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    replaced = admin_token_file(fx);
  }
  CHECK(replaced != first);
  auto verifier = ros::auth::TokenVerifier::load(fx.keys.public_key);
  REQUIRE(verifier.ok());
  CHECK(verifier->verify(replaced, std::time(nullptr)).ok());
}
