// ros-authd's App Services API (issue 13, app-services.md) end to end: a real
// daemon, requests as realm-core 14.x's App sends them (section 4), every
// field the SDK reads checked, every documented error path answered with the
// documented status and error_code, and the daemon serving throughout.
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>
#include <openssl/hmac.h>

#include "auth/base64.hpp"
#include "auth/jwt.hpp"
#include "authd/authd_fixture.hpp"
#include "crypto/pem_keys.hpp"
#include "support/pki.hpp"
#include "support/run.hpp"

using nlohmann::json;
using ros::test::AuthdFixture;
using ros::test::HttpReply;

namespace {

const std::string kC = "/api/client/v2.0";
const std::map<std::string, std::string> kCoreHeaders = {
    {"Content-Type", "application/json;charset=utf-8"}, {"Accept", "application/json"}};

const char* kDevice =
    R"({"device":{"appId":"ros-demo","platform":"Linux","platformVersion":"pv","sdk":"probe",)"
    R"("sdkVersion":"0","cpuArch":"x86_64","deviceName":"","deviceVersion":"","frameworkName":"",)"
    R"("frameworkVersion":"","coreVersion":"14.14.0","bundleId":""}})";

// The configuration of the test apps; `dir` holds the hook and the keys.
std::string apps_yaml(const std::filesystem::path& dir, const std::filesystem::path& idp_pub) {
  return "apps:\n"
         "  ros-demo:\n"
         "    providers:\n"
         "      local-userpass:\n"
         "      anon-user:\n"
         "      api-key:\n"
         "      custom-token:\n"
         "        algorithm: HS256\n"
         "        key_path: " + (dir / "hs256.secret").string() + "\n"
         "        audience: ros-demo\n"
         "        issuer: https://idp.test\n"
         "        metadata:\n"
         "          email: email\n"
         "          name: profile.name\n"
         "  rs-app:\n"
         "    providers:\n"
         "      custom-token:\n"
         "        key_path: " + idp_pub.string() + "\n"
         "  confirm-app:\n"
         "    public_url: https://ros.example.net\n"
         "    providers:\n"
         "      local-userpass:\n"
         "        auto_confirm: false\n"
         "        confirmation_command: " + (dir / "hook.sh").string() + "\n"
         "        reset_command: " + (dir / "hook.sh").string() + "\n"
         "  closed-app:\n"
         "    access_token_lifetime: 1\n"
         "    providers:\n"
         "      local-userpass:\n"
         "        allow_registration: false\n";
}

const std::string kSecret = "0123456789abcdef0123456789abcdef-test-secret";

// Writes what the apps need before the daemon starts.
std::filesystem::path prepare(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "hs256.secret") << kSecret << "\n";
  std::ofstream(dir / "hook.sh") << "#!/bin/sh\ncat >> " << (dir / "hook.jsonl").string() << "\n";
  std::filesystem::permissions(dir / "hook.sh", std::filesystem::perms::owner_all);
  ros::test::make_rsa_key_pair(dir, "idp");
  return dir / "idp.pub";
}

struct AppFixture {
  std::filesystem::path side = std::filesystem::temp_directory_path() /
                               ("ros-app-test-" + std::to_string(::getpid()) + "-" +
                                std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  std::filesystem::path idp_pub = prepare(side);
  AuthdFixture fx{apps_yaml(side, idp_pub)};

  ~AppFixture() {
    std::error_code ec;
    std::filesystem::remove_all(side, ec);
  }

  HttpReply call(const std::string& method, const std::string& route, const std::string& body = "",
                 const std::string& bearer = "") const {
    auto headers = kCoreHeaders;
    if (!bearer.empty()) headers["Authorization"] = "Bearer " + bearer;
    return ros::test::http_request(fx.http_port, method, kC + route, body, headers);
  }
  HttpReply login(const std::string& app, const std::string& provider, json credentials) const {
    credentials["options"] = json::parse(kDevice);
    return call("POST", "/app/" + app + "/auth/providers/" + provider + "/login", credentials.dump());
  }
  HttpReply userpass_login(const std::string& app, const std::string& user, const std::string& pw) const {
    return login(app, "local-userpass", {{"provider", "local-userpass"}, {"username", user}, {"password", pw}});
  }
  std::vector<json> hook_calls() const {
    std::vector<json> out;
    std::ifstream in(side / "hook.jsonl");
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) out.push_back(json::parse(line));
    }
    return out;
  }
};

json body(const HttpReply& r) {
  INFO(r.body);
  auto j = json::parse(r.body, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

// Every failure: the status, Content-Type exactly application/json (the SDK
// reads the body only then) and the error_code; returns the message.
std::string expect_error(const HttpReply& r, int status, const std::string& code) {
  INFO(r.status << " " << r.body);
  CHECK(r.status == status);
  CHECK(r.headers.at("content-type") == "application/json");
  auto j = body(r);
  CHECK(j["error_code"] == code);
  REQUIRE(j["error"].is_string());
  return j["error"].get<std::string>();
}

// A JWT as the SDK reads it (app-services.md 2.1): three parts, integer exp
// and iat, a user_data object when present; the payload.
json expect_jwt(const json& token) {
  REQUIRE(token.is_string());
  auto payload = ros::auth::jwt_payload(token.get<std::string>());
  REQUIRE(payload);
  CHECK((*payload)["exp"].is_number_integer());
  CHECK((*payload)["iat"].is_number_integer());
  if (payload->contains("user_data")) CHECK((*payload)["user_data"].is_object());
  return *payload;
}

struct Login {
  std::string access, refresh, user_id;
};

Login expect_login(const HttpReply& r) {
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto j = body(r);
  CHECK_FALSE(j.contains("error"));
  CHECK_FALSE(j.contains("error_code"));
  REQUIRE(j["user_id"].is_string());
  CHECK_FALSE(j["user_id"].get<std::string>().empty());
  CHECK(j["device_id"] == "000000000000000000000000");
  auto access = expect_jwt(j["access_token"]);
  auto refresh = expect_jwt(j["refresh_token"]);
  CHECK(access["sub"] == j["user_id"]);
  CHECK(access["typ"] == "access");
  CHECK(refresh["typ"] == "refresh");
  return {j["access_token"], j["refresh_token"], j["user_id"]};
}

std::string b64url(std::string_view s) { return ros::auth::base64url_encode(s); }

std::string hs256_token(const json& payload, const std::string& secret = kSecret,
                        const std::string& alg = "HS256") {
  std::string signing = b64url(json{{"alg", alg}, {"typ", "JWT"}}.dump()) + "." + b64url(payload.dump());
  unsigned char mac[64];
  unsigned int n = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signing.data()), signing.size(), mac, &n);
  return signing + "." + b64url(std::string(reinterpret_cast<char*>(mac), n));
}

std::int64_t now() { return std::time(nullptr); }

}  // namespace

TEST_CASE("app services: location answers the origin the client used, without headers", "[authd][app]") {
  AppFixture app;
  auto r = ros::test::http_request(app.fx.http_port, "GET", kC + "/app/ros-demo/location");
  REQUIRE(r.status == 200);
  auto j = body(r);
  CHECK(j["hostname"] == "http://127.0.0.1");
  CHECK(j["ws_hostname"] == "ws://127.0.0.1");
  CHECK(j["deployment_model"].is_string());
  CHECK(j["location"].is_string());
  CHECK_FALSE(j.contains("error"));

  auto tls = ros::test::http_request(app.fx.http_port, "GET", kC + "/app/ros-demo/location", "",
                                     {{"X-Forwarded-Proto", "https"}});
  CHECK(body(tls)["ws_hostname"] == "wss://127.0.0.1");
  auto configured = app.call("GET", "/app/confirm-app/location");
  CHECK(body(configured)["hostname"] == "https://ros.example.net");
  CHECK(body(configured)["ws_hostname"] == "wss://ros.example.net");

  auto msg = expect_error(app.call("GET", "/app/nope/location"), 404, "AppNotFound");
  CHECK(msg == "cannot find app using Client App ID 'nope'");
  expect_error(app.userpass_login("nope", "a@b.c", "pw"), 404, "AppNotFound");
  expect_error(app.call("GET", "/no/such/route"), 404, "BadRequest");
}

TEST_CASE("app services: local-userpass register, login, profile, refresh, logout", "[authd][app]") {
  AppFixture app;
  auto reg = app.call("POST", "/app/ros-demo/auth/providers/local-userpass/register",
                      R"({"email":"alice@example.com","password":"pw-alice"})");
  CHECK(reg.status == 201);
  CHECK(reg.body.empty());
  CHECK(expect_error(app.call("POST", "/app/ros-demo/auth/providers/local-userpass/register",
                              R"({"email":"alice@example.com","password":"other"})"),
                     409, "AccountNameInUse") == "name already in use");

  auto login = expect_login(app.userpass_login("ros-demo", "alice@example.com", "pw-alice"));
  auto again = expect_login(app.userpass_login("ros-demo", "alice@example.com", "pw-alice"));
  CHECK(again.user_id == login.user_id);  // stable: the same local user, files and connection

  auto profile = app.call("GET", "/auth/profile", "", login.access);
  REQUIRE(profile.status == 200);
  auto p = body(profile);
  REQUIRE(p["identities"].is_array());
  REQUIRE(p["identities"].size() == 1);
  CHECK(p["identities"][0]["provider_type"] == "local-userpass");
  CHECK(p["identities"][0]["id"].is_string());
  CHECK(p["data"]["email"] == "alice@example.com");

  // Refresh: a new access token for the same user; the refresh token is kept.
  auto refreshed = app.call("POST", "/auth/session", "", login.refresh);
  REQUIRE(refreshed.status == 200);
  auto fresh = expect_jwt(body(refreshed)["access_token"]);
  CHECK(fresh["sub"] == login.user_id);
  CHECK(app.call("GET", "/auth/profile", "", body(refreshed)["access_token"]).status == 200);

  // Wrong kinds of token: 401 InvalidSession, never a crash or a 500.
  expect_error(app.call("POST", "/auth/session", "", login.access), 401, "InvalidSession");
  expect_error(app.call("GET", "/auth/profile", "", login.refresh), 401, "InvalidSession");
  expect_error(app.call("GET", "/auth/profile", "", "garbage.garbage.garbage"), 401, "InvalidSession");
  expect_error(app.call("GET", "/auth/profile"), 401, "InvalidSession");
  // The classic /auth routes do not take App tokens (they would outlive a logout).
  auto classic = app.fx.post_json("/auth", {{"provider", "realm"}, {"data", login.refresh}});
  CHECK(classic.status == 401);

  // Logout ends the refresh token's session, nothing else.
  auto out = app.call("DELETE", "/auth/session", "", login.refresh);
  CHECK(out.status == 204);
  expect_error(app.call("POST", "/auth/session", "", login.refresh), 401, "InvalidSession");
  CHECK(app.call("POST", "/auth/session", "", again.refresh).status == 200);
  CHECK(app.call("DELETE", "/auth/session", "", login.refresh).status == 204);  // twice: fine
}

TEST_CASE("app services: login errors are the documented ones and the daemon keeps serving", "[authd][app]") {
  AppFixture app;
  app.call("POST", "/app/ros-demo/auth/providers/local-userpass/register",
           R"({"email":"bob@example.com","password":"right"})");
  CHECK(expect_error(app.userpass_login("ros-demo", "bob@example.com", "wrong"), 401, "InvalidPassword") ==
        "invalid username/password");
  CHECK(expect_error(app.userpass_login("ros-demo", "nobody@example.com", "x"), 401, "InvalidPassword") ==
        "invalid username/password");
  expect_error(app.login("ros-demo", "oauth2-google", {{"provider", "oauth2-google"}, {"authCode", "x"}}), 404,
               "AuthProviderNotFound");
  expect_error(app.login("ros-demo", "made-up", {{"provider", "made-up"}}), 404, "AuthProviderNotFound");
  expect_error(app.login("confirm-app", "anon-user", {{"provider", "anon-user"}}), 404, "AuthProviderNotFound");
  expect_error(app.call("POST", "/app/ros-demo/auth/providers/local-userpass/login", "{not json"), 400,
               "BadRequest");
  expect_error(app.call("POST", "/app/ros-demo/auth/providers/local-userpass/login", "[1,2]"), 400, "BadRequest");
  expect_error(app.login("ros-demo", "local-userpass", {{"provider", "local-userpass"}, {"password", "x"}}), 400,
               "MissingParameter");
  expect_error(app.login("ros-demo", "local-userpass",
                         {{"provider", "local-userpass"}, {"username", 7}, {"password", "x"}}),
               400, "InvalidParameter");
  expect_error(app.call("POST", "/app/closed-app/auth/providers/local-userpass/register",
                        R"({"email":"c@example.com","password":"pw"})"),
               400, "BadRequest");
  expect_error(app.call("POST", "/app/ros-demo/functions/call", R"({"name":"f","arguments":[]})"), 404,
               "FunctionNotFound");
  // Still serving, and the right password still works.
  expect_login(app.userpass_login("ros-demo", "bob@example.com", "right"));
  CHECK(ros::test::http_request(app.fx.http_port, "GET", "/health").status == 200);
}

TEST_CASE("app services: an expired access token gets 401, the refresh token a new one", "[authd][app]") {
  AppFixture app;
  auto added = ros::test::run_program("ros-user", app.fx.with_config({"add", "carol@example.com", "--password-stdin"}), "pw\n");
  REQUIRE(added.exit_code == 0);
  auto login = expect_login(app.userpass_login("closed-app", "carol@example.com", "pw"));  // ros-user's user
  auto access = expect_jwt(login.access);
  CHECK(access["exp"].get<std::int64_t>() - access["iat"].get<std::int64_t>() == 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  expect_error(app.call("GET", "/auth/profile", "", login.access), 401, "InvalidSession");
  auto refreshed = app.call("POST", "/auth/session", "", login.refresh);
  REQUIRE(refreshed.status == 200);
  CHECK(app.call("GET", "/auth/profile", "", body(refreshed)["access_token"]).status == 200);
}

TEST_CASE("app services: anonymous users, API keys, deletion", "[authd][app]") {
  AppFixture app;
  auto a = expect_login(app.login("ros-demo", "anon-user", {{"provider", "anon-user"}}));
  auto b = expect_login(app.login("ros-demo", "anon-user", {{"provider", "anon-user"}}));
  CHECK(a.user_id != b.user_id);  // each login a new user
  auto p = body(app.call("GET", "/auth/profile", "", a.access));
  REQUIRE(p["identities"].size() == 1);
  CHECK(p["identities"][0]["provider_type"] == "anon-user");
  CHECK(p["data"].is_object());

  // API keys take the refresh token.
  auto created = app.call("POST", "/auth/api_keys", R"({"name":"laptop"})", a.refresh);
  REQUIRE(created.status == 201);
  auto key = body(created);
  CHECK(key["_id"].get<std::string>().size() == 24);
  CHECK(key["name"] == "laptop");
  CHECK(key["disabled"] == false);
  REQUIRE(key["key"].is_string());
  expect_error(app.call("POST", "/auth/api_keys", R"({"name":"laptop"})", a.refresh), 409, "APIKeyAlreadyExists");
  expect_error(app.call("GET", "/auth/api_keys", "", a.access), 401, "InvalidSession");
  auto listed = body(app.call("GET", "/auth/api_keys", "", a.refresh));
  REQUIRE(listed.size() == 1);
  CHECK_FALSE(listed[0].contains("key"));
  const std::string id = key["_id"];
  CHECK(body(app.call("GET", "/auth/api_keys/" + id, "", a.refresh))["name"] == "laptop");
  expect_error(app.call("GET", "/auth/api_keys/000000000000000000000000", "", a.refresh), 404, "APIKeyNotFound");
  expect_error(app.call("GET", "/auth/api_keys/" + id, "", b.refresh), 404, "APIKeyNotFound");  // not b's

  auto by_key = expect_login(app.login("ros-demo", "api-key", {{"provider", "api-key"}, {"key", key["key"]}}));
  CHECK(by_key.user_id == a.user_id);
  CHECK(app.call("PUT", "/auth/api_keys/" + id + "/disable", "", a.refresh).status == 204);
  CHECK(expect_error(app.login("ros-demo", "api-key", {{"provider", "api-key"}, {"key", key["key"]}}), 401,
                     "AuthError")
            .rfind("invalid API key", 0) == 0);
  CHECK(app.call("PUT", "/auth/api_keys/" + id + "/enable", "", a.refresh).status == 204);
  expect_login(app.login("ros-demo", "api-key", {{"provider", "api-key"}, {"key", key["key"]}}));
  CHECK(app.call("DELETE", "/auth/api_keys/" + id, "", a.refresh).status == 204);
  expect_error(app.login("ros-demo", "api-key", {{"provider", "api-key"}, {"key", key["key"]}}), 401, "AuthError");

  // Deleting the user ends everything it had.
  CHECK(app.call("DELETE", "/auth/delete", "", a.access).status == 204);
  expect_error(app.call("POST", "/auth/session", "", a.refresh), 401, "InvalidSession");
  expect_error(app.call("GET", "/auth/profile", "", a.access), 401, "InvalidSession");
  CHECK(app.call("GET", "/auth/profile", "", b.access).status == 200);
}

TEST_CASE("app services: custom-token logins check signature, algorithm, audience, issuer, expiry",
          "[authd][app]") {
  AppFixture app;
  json claims = {{"sub", "ext-42"}, {"aud", "ros-demo"}, {"iss", "https://idp.test"}, {"iat", now()},
                 {"exp", now() + 600}, {"email", "ext@example.com"}, {"profile", {{"name", "Ext"}}}};
  auto login = [&](const std::string& token) {
    return app.login("ros-demo", "custom-token", {{"provider", "custom-token"}, {"token", token}});
  };
  auto first = expect_login(login(hs256_token(claims)));
  auto second = expect_login(login(hs256_token(claims)));
  CHECK(first.user_id == second.user_id);
  auto p = body(app.call("GET", "/auth/profile", "", first.access));
  CHECK(p["identities"][0]["provider_type"] == "custom-token");
  CHECK(p["identities"][0]["id"] == "ext-42");
  CHECK(p["data"]["email"] == "ext@example.com");
  CHECK(p["data"]["name"] == "Ext");

  auto refused = [&](const std::string& token) {
    auto message = expect_error(login(token), 401, "AuthError");
    CHECK(message.rfind("invalid custom auth token:", 0) == 0);
  };
  refused(hs256_token(claims, "another-secret-of-at-least-32-bytes!!"));
  refused(hs256_token(claims, kSecret, "none"));
  refused(hs256_token(claims, kSecret, "RS256"));
  json wrong = claims;
  wrong["aud"] = "other-app";
  refused(hs256_token(wrong));
  wrong = claims;
  wrong["iss"] = "https://evil.test";
  refused(hs256_token(wrong));
  wrong = claims;
  wrong["exp"] = now() - 3600;
  refused(hs256_token(wrong));
  wrong = claims;
  wrong.erase("sub");
  refused(hs256_token(wrong));
  refused("not-a-jwt");

  // RS256 with the identity system's public key.
  auto key = ros::crypto::load_rsa_private_key(app.side / "idp.key");
  REQUIRE(key.ok());
  json rs = {{"sub", "rs-user"}, {"iat", now()}, {"exp", now() + 600}};
  expect_login(app.login("rs-app", "custom-token",
                         {{"provider", "custom-token"}, {"token", ros::auth::encode_jwt_rs256(key->get(), rs)}}));
  // An HS256 token keyed with the public key text is not accepted for an RS256 app.
  std::ifstream pub(app.side / "idp.pub");
  std::string pub_text((std::istreambuf_iterator<char>(pub)), std::istreambuf_iterator<char>());
  expect_error(app.login("rs-app", "custom-token", {{"provider", "custom-token"}, {"token", hs256_token(rs, pub_text)}}),
               401, "AuthError");

  // Linking: an anonymous user gains the custom identity; one held by another user is refused.
  auto anon = expect_login(app.login("ros-demo", "anon-user", {{"provider", "anon-user"}}));
  json other = claims;
  other["sub"] = "ext-43";
  auto linked = app.call("POST", "/app/ros-demo/auth/providers/custom-token/login?link=true",
                         json{{"provider", "custom-token"}, {"token", hs256_token(other)}}.dump(), anon.access);
  REQUIRE(linked.status == 200);
  CHECK(expect_jwt(body(linked)["access_token"])["sub"] == anon.user_id);
  auto linked_profile = body(app.call("GET", "/auth/profile", "", anon.access));
  CHECK(linked_profile["identities"].size() == 2);
  CHECK(expect_error(app.call("POST", "/app/ros-demo/auth/providers/custom-token/login?link=true",
                              json{{"provider", "custom-token"}, {"token", hs256_token(claims)}}.dump(),
                              anon.access),
                     401, "InvalidSession") == "a user already exists with the specified provider");
}

TEST_CASE("app services: confirmation and password reset through the configured command", "[authd][app]") {
  AppFixture app;
  const std::string base = "/app/confirm-app/auth/providers/local-userpass/";
  REQUIRE(app.call("POST", base + "register", R"({"email":"dan@example.com","password":"first"})").status == 201);
  auto calls = app.hook_calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0]["purpose"] == "confirm");
  CHECK(calls[0]["email"] == "dan@example.com");
  CHECK(calls[0]["app_id"] == "confirm-app");
  expect_error(app.userpass_login("confirm-app", "dan@example.com", "first"), 401, "AuthError");

  // Resending replaces the token.
  CHECK(app.call("POST", base + "confirm/send", R"({"email":"dan@example.com"})").status == 204);
  calls = app.hook_calls();
  REQUIRE(calls.size() == 2);
  expect_error(app.call("POST", base + "confirm",
                        json{{"token", calls[0]["token"]}, {"tokenId", calls[0]["tokenId"]}}.dump()),
               400, "UserpassTokenInvalid");
  expect_error(app.call("POST", base + "confirm", json{{"token", "00"}, {"tokenId", calls[1]["tokenId"]}}.dump()),
               400, "UserpassTokenInvalid");
  CHECK(app.call("POST", base + "confirm", json{{"token", calls[1]["token"]}, {"tokenId", calls[1]["tokenId"]}}.dump())
            .status == 204);
  expect_error(app.call("POST", base + "confirm/send", R"({"email":"dan@example.com"})"), 409, "UserAlreadyConfirmed");
  expect_error(app.call("POST", base + "confirm/send", R"({"email":"eve@example.com"})"), 404, "UserNotFound");
  auto login = expect_login(app.userpass_login("confirm-app", "dan@example.com", "first"));

  // Reset.
  expect_error(app.call("POST", base + "reset/send", R"({"email":"eve@example.com"})"), 404, "UserNotFound");
  CHECK(app.call("POST", base + "reset/send", R"({"email":"dan@example.com"})").status == 204);
  calls = app.hook_calls();
  REQUIRE(calls.size() == 3);
  CHECK(calls[2]["purpose"] == "reset");
  expect_error(app.call("POST", base + "reset",
                        json{{"password", "second"}, {"token", "ff"}, {"tokenId", calls[2]["tokenId"]}}.dump()),
               400, "UserpassTokenInvalid");
  CHECK(app.call("POST", base + "reset",
                 json{{"password", "second"}, {"token", calls[2]["token"]}, {"tokenId", calls[2]["tokenId"]}}.dump())
            .status == 204);
  expect_error(app.userpass_login("confirm-app", "dan@example.com", "first"), 401, "InvalidPassword");
  auto after = expect_login(app.userpass_login("confirm-app", "dan@example.com", "second"));
  CHECK(after.user_id == login.user_id);
  expect_error(app.call("POST", base + "reset/call", R"({"email":"dan@example.com","password":"x","arguments":[]})"),
               400, "BadRequest");
}

TEST_CASE("app services: ros-user shows the identities of every provider", "[authd][app]") {
  AppFixture app;
  auto anon = expect_login(app.login("ros-demo", "anon-user", {{"provider", "anon-user"}}));
  auto key = body(app.call("POST", "/auth/api_keys", R"({"name":"ci"})", anon.refresh));
  auto shown = ros::test::run_program("ros-user", app.fx.with_config({"show", anon.user_id}));
  INFO(shown.out << shown.err);
  REQUIRE(shown.exit_code == 0);
  CHECK(shown.out.find("anon-user") != std::string::npos);
  CHECK(shown.out.find("api-key") != std::string::npos);
  CHECK(shown.out.find(key["_id"].get<std::string>()) != std::string::npos);
}
