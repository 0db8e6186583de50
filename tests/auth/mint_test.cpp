#include "auth/mint.hpp"

#include <catch2/catch.hpp>

#include "keys.hpp"

using namespace ros::auth;

TEST_CASE("mint: refresh tokens carry identity, admin flag and a long life only", "[auth]") {
  auto c = refresh_claims("0123456789abcdef0123456789abcdef", true, "io.realm.App", 1000);
  CHECK(c.identity == "0123456789abcdef0123456789abcdef");
  CHECK(c.access == std::vector<std::string>{"refresh"});
  CHECK(c.admin == true);
  CHECK(c.app_id == "io.realm.App");
  CHECK(c.timestamp == 1000);
  CHECK(c.expires == 1000 + kDefaultRefreshLifetime);
  CHECK_FALSE(c.path.has_value());
  CHECK(is_refresh_token(c));
  CHECK_FALSE(c.has("download"));
  CHECK(kDefaultRefreshLifetime == 315360000);

  auto plain = refresh_claims("u", false, std::nullopt, 1000, 50);
  CHECK(plain.admin == false);
  CHECK_FALSE(plain.is_admin());  // explicit flag, not the "no path" rule
  CHECK(plain.expires == 1050);
  CHECK_FALSE(plain.app_id.has_value());
}

TEST_CASE("mint: access tokens are short-lived and never admin by accident", "[auth]") {
  auto scoped = access_claims("u", "/u/tasks", {"download", "upload"}, 1000);
  CHECK(scoped.path == "/u/tasks");
  CHECK(scoped.access == std::vector<std::string>{"download", "upload"});
  CHECK(scoped.expires == 1000 + kDefaultAccessLifetime);
  CHECK(kDefaultAccessLifetime == 600);
  CHECK(scoped.admin == false);
  CHECK_FALSE(is_refresh_token(scoped));

  auto pathless = access_claims("u", std::nullopt, {}, 1000, 60);
  CHECK_FALSE(pathless.path.has_value());
  CHECK_FALSE(pathless.is_admin());
  CHECK(pathless.expires == 1060);

  auto far = access_claims("u", std::nullopt, {}, INT64_MAX - 5, 600);
  CHECK(far.expires == INT64_MAX);  // saturates
}

TEST_CASE("mint: minted tokens survive signing and verification", "[auth]") {
  auto signer = ros::test::test_signer();
  auto verifier = ros::test::test_verifier();
  auto refresh = refresh_claims("u", false, std::nullopt, 1000);
  auto back = verifier.verify(signer.sign(refresh), 2000);
  REQUIRE(back.ok());
  CHECK(*back == refresh);
  CHECK(is_refresh_token(*back));

  auto access = access_claims("u", "/u/x", {"download"}, 1000);
  auto verified = verifier.verify(signer.sign(access), 1600);
  REQUIRE(verified.ok());
  CHECK(*verified == access);
  CHECK_FALSE(verifier.verify(signer.sign(access), 1601).ok());
}
