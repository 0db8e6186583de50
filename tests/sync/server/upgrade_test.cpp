#include "sync/server/upgrade.hpp"

#include <ctime>

#include <catch2/catch.hpp>

#include "auth/mint.hpp"
#include "support/pki.hpp"
#include "support/temp_dir.hpp"

using ros::sync::server::authorize_upgrade;
using ros::sync::server::parse_sync_target;
using ros::sync::server::percent_decode;
using ros::sync::server::request_token;

namespace {
// A classic token's shape: base64 with '+', '/', '=' and ':' unescaped.
const std::string kToken = "eyJhIjoxfQ+/x==:hbFGZsjG/yO+oQQx==";
}

TEST_CASE("sync upgrade: the request paths of every client generation", "[sync][server]") {
  struct Row {
    std::string target;
    std::optional<std::string> token, legacy_path, app_id;
  };
  const std::vector<Row> accepted = {
      {"/realm-sync", std::nullopt, std::nullopt, std::nullopt},
      {"/realm-sync?baas_at=" + kToken, kToken, std::nullopt, std::nullopt},
      {"/realm-sync?x=1&baas_at=" + kToken + "&y=2", kToken, std::nullopt, std::nullopt},
      {"/realm-sync?baas_at=a%3Ab+c", "a:b+c", std::nullopt, std::nullopt},
      {"/realm-sync?baas_at=", "", std::nullopt, std::nullopt},
      {"/realm-sync/%2Fabc", std::nullopt, "/abc", std::nullopt},
      {"/realm-sync/%2f~%2Ftasks?baas_at=t", "t", "/~/tasks", std::nullopt},
      {"/api/client/v2.0/app/my-app-abcde/realm-sync?baas_at=" + kToken, kToken, std::nullopt,
       "my-app-abcde"},
  };
  for (const auto& row : accepted) {
    INFO(row.target);
    auto t = parse_sync_target(row.target);
    REQUIRE(t.has_value());
    CHECK(t->query_token == row.token);
    CHECK(t->legacy_path == row.legacy_path);
    CHECK(t->app_id == row.app_id);
  }
  for (const char* refused : {"/", "/foo", "/realm-syncx", "/realm-sync/abc", "/auth",
                              "/api/client/v2.0/app//realm-sync", "/api/client/v2.0/app/a/b/realm-sync",
                              "/realm-sync/%2F%zz", "realm-sync"}) {
    INFO(refused);
    CHECK_FALSE(parse_sync_target(refused).has_value());
  }
}

TEST_CASE("sync upgrade: the token comes from baas_at, then the Authorization header",
          "[sync][server]") {
  auto with_query = *parse_sync_target("/realm-sync?baas_at=q");
  auto without = *parse_sync_target("/realm-sync");
  CHECK(request_token(with_query, "Bearer h") == "q");
  CHECK(request_token(without, "Bearer " + kToken) == kToken);
  CHECK(request_token(without, "Realm-Access-Token version=1 token=\"" + kToken + "\"") == kToken);
  CHECK_FALSE(request_token(without, "").has_value());
  CHECK_FALSE(request_token(without, "Basic abc").has_value());
  CHECK_FALSE(request_token(without, "Realm-Access-Token version=1").has_value());
}

TEST_CASE("sync upgrade: percent escapes decode, '+' stays", "[sync][server]") {
  CHECK(percent_decode("a%2Fb%3d+c") == "a/b=+c");
  CHECK_FALSE(percent_decode("%").has_value());
  CHECK_FALSE(percent_decode("%4").has_value());
  CHECK_FALSE(percent_decode("%g1").has_value());
}

TEST_CASE("sync upgrade: only a valid, unexpired access token opens a connection",
          "[sync][server]") {
  ros::test::TempDir dir;
  auto keys = ros::test::make_rsa_key_pair(dir.path(), "k");
  auto signer = ros::auth::TokenSigner::load(keys.private_key);
  auto verifier = ros::auth::TokenVerifier::load(keys.public_key);
  REQUIRE(signer.ok());
  REQUIRE(verifier.ok());
  const std::int64_t now = std::time(nullptr);

  auto access = signer->sign(ros::auth::access_claims("user-1", std::nullopt, {}, now, 600));
  auto claims = authorize_upgrade(*verifier, access, now);
  REQUIRE(claims.ok());
  CHECK(claims->identity == "user-1");

  struct Refused {
    std::optional<std::string> token;
    std::int64_t at;
    std::string message;
  };
  auto refresh = signer->sign(ros::auth::refresh_claims("user-1", false, std::nullopt, now, 3600));
  std::string forged = access;
  forged[3] = forged[3] == 'A' ? 'B' : 'A';
  const std::vector<Refused> refused = {
      {std::nullopt, now, "no access token in the request"},
      {"", now, "no access token in the request"},
      {refresh, now, "a refresh token cannot open a sync connection; use an access token"},
      {access, now + 601, "token expired at " + ros::auth::iso_time(now + 600)},
      {forged, now, ""},
      {"not-a-token", now, ""},
  };
  for (const auto& row : refused) {
    INFO(row.token.value_or("<none>"));
    auto r = authorize_upgrade(*verifier, row.token, row.at);
    REQUIRE_FALSE(r.ok());
    if (!row.message.empty()) CHECK(r.error().message == row.message);
  }
}
