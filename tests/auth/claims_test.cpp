#include "auth/token.hpp"

#include <catch2/catch.hpp>

using ros::auth::parse_claims;
using ros::auth::TokenClaims;

TEST_CASE("claims: parses names, aliases, nulls and unknown keys", "[auth]") {
  struct Case {
    std::string json;
    TokenClaims claims;
  };
  TokenClaims full;
  full.identity = "test";
  full.access = {"download", "upload"};
  full.path = "/catalog";
  full.expires = 1900000000;
  full.timestamp = 1455530614;
  full.app_id = "io.realm.Test";
  full.admin = false;
  full.sync_label = "default";

  const Case cases[] = {
      // The reference's test/test_token.json.
      {R"({"identity":"test","access":["download","upload"],"timestamp":1455530614,)"
       R"("expires":null,"app_id":"io.realm.Test"})",
       {"test", {"download", "upload"}, std::nullopt, std::nullopt, 1455530614,
        "io.realm.Test", std::nullopt, std::nullopt, std::nullopt}},
      {R"({"identity":"test","access":["download","upload"],"path":"/catalog",)"
       R"("expires":1900000000,"timestamp":1455530614,"app_id":"io.realm.Test",)"
       R"("admin":false,"sync_label":"default"})",
       full},
      {R"({"sub":"test","access":["download","upload"],"path":"/catalog","exp":1900000000,)"
       R"("iat":1455530614,"appId":"io.realm.Test","isAdmin":false,"syncLabel":"default"})",
       full},
      {R"({"identity":"u"})", {"u", {}, {}, {}, {}, {}, {}, {}, {}}},
      {R"({"identity":"u","access":[]})", {"u", {}, {}, {}, {}, {}, {}, {}, {}}},
      {R"({"identity":"u","access":["download","nonsense"]})",
       {"u", {"download", "nonsense"}, {}, {}, {}, {}, {}, {}, {}}},
      {R"({"identity":"u","timestamp":null,"expires":null})", {"u", {}, {}, {}, {}, {}, {}, {}, {}}},
      {R"({"identity":"u","exp":1700000000.9})", {"u", {}, {}, 1700000000, {}, {}, {}, {}, {}}},
      {R"({"identity":"u","exp":-5})", {"u", {}, {}, -5, {}, {}, {}, {}, {}}},
      {R"({"identity":"u","admin":true})", {"u", {}, {}, {}, {}, {}, true, {}, {}}},
      {R"({"identity":"u","iss":"x","aud":["a",{"deep":[1,2,{"x":null}]}],"nbf":3})",
       {"u", {}, {}, {}, {}, {}, {}, {}, {}}},
      {"\n  {\"identity\" : \"u\"}\n", {"u", {}, {}, {}, {}, {}, {}, {}, {}}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.json);
    auto claims = parse_claims(std::string_view(c.json));
    REQUIRE(claims.ok());
    CHECK(*claims == c.claims);
  }
}

TEST_CASE("claims: refuses wrong shapes and types, naming the field", "[auth]") {
  struct Case {
    std::string json, message;
  };
  const Case cases[] = {
      {"", "malformed token: the claims are not valid JSON"},
      {"{", "malformed token: the claims are not valid JSON"},
      {"{\"identity\":\"u\"} x", "malformed token: the claims are not valid JSON"},
      {"[]", "malformed token: the claims are not a JSON object"},
      {"\"identity\"", "malformed token: the claims are not a JSON object"},
      {"null", "malformed token: the claims are not a JSON object"},
      {"{}", "malformed token: field 'identity' is missing"},
      {R"({"identity":""})", "malformed token: field 'identity' is empty"},
      {R"({"identity":7})", "malformed token: field 'identity' must be a string"},
      {R"({"sub":null})", "malformed token: field 'identity' must be a string"},
      {R"({"identity":"u","sub":"v"})",
       "malformed token: field 'identity' is given twice (as 'identity' and as 'sub')"},
      {R"({"identity":"u","access":"download"})",
       "malformed token: field 'access' must be an array of strings"},
      {R"({"identity":"u","access":["download",1]})",
       "malformed token: field 'access' must be an array of strings"},
      {R"({"identity":"u","access":null})",
       "malformed token: field 'access' must be an array of strings"},
      {R"({"identity":"u","path":1})", "malformed token: field 'path' must be a string"},
      {R"({"identity":"u","expires":"soon"})",
       "malformed token: field 'expires' must be a number or null"},
      {R"({"identity":"u","exp":true})",
       "malformed token: field 'expires' must be a number or null"},
      {R"({"identity":"u","expires":1e300})", "malformed token: field 'expires' is out of range"},
      {R"({"identity":"u","expires":18446744073709551615})",
       "malformed token: field 'expires' is out of range"},
      {R"({"identity":"u","iat":[1]})",
       "malformed token: field 'timestamp' must be a number or null"},
      {R"({"identity":"u","appId":false})", "malformed token: field 'app_id' must be a string"},
      {R"({"identity":"u","isAdmin":"yes"})", "malformed token: field 'admin' must be true or false"},
      {R"({"identity":"u","admin":1})", "malformed token: field 'admin' must be true or false"},
      {R"({"identity":"u","admin":true,"isAdmin":true})",
       "malformed token: field 'admin' is given twice (as 'admin' and as 'isAdmin')"},
      {R"({"identity":"u","syncLabel":{}})",
       "malformed token: field 'sync_label' must be a string"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.json);
    auto claims = parse_claims(std::string_view(c.json));
    REQUIRE_FALSE(claims.ok());
    CHECK(claims.error().code == ros::Errc::invalid_argument);
    CHECK(claims.error().message == c.message);
  }
}

TEST_CASE("claims: the admin rule of the reference", "[auth]") {
  struct Case {
    std::string json;
    bool is_admin;
  };
  const Case cases[] = {
      {R"({"identity":"u"})", true},  // no path: admin
      {R"({"identity":"u","path":"/a"})", false},
      {R"({"identity":"u","path":"/a","access":["download","upload"]})", false},
      {R"({"identity":"u","path":"/a","access":["manage"]})", true},
      {R"({"identity":"u","admin":false})", false},  // the flag wins
      {R"({"identity":"u","admin":false,"access":["manage"]})", false},
      {R"({"identity":"u","path":"/a","isAdmin":true})", true},
  };
  for (const auto& c : cases) {
    CAPTURE(c.json);
    auto claims = parse_claims(std::string_view(c.json));
    REQUIRE(claims.ok());
    CHECK(claims->is_admin() == c.is_admin);
  }
}

TEST_CASE("claims: to_json uses the canonical names and round-trips", "[auth]") {
  TokenClaims c{"u", {"download"}, "/p", 20, 10, "io.realm.X", true, "default", {}};
  auto j = c.to_json();
  CHECK(j == nlohmann::json::parse(
                 R"({"identity":"u","access":["download"],"path":"/p","expires":20,)"
                 R"("timestamp":10,"app_id":"io.realm.X","admin":true,"sync_label":"default"})"));
  auto back = parse_claims(j);
  REQUIRE(back.ok());
  CHECK(*back == c);

  TokenClaims minimal{"u", {}, {}, {}, {}, {}, {}, {}, {}};
  CHECK(minimal.to_json() == nlohmann::json::parse(R"({"identity":"u","access":[]})"));
  CHECK(minimal.has("download") == false);
  CHECK(c.has("download"));
}

TEST_CASE("claims: iso_time formats UTC seconds", "[auth]") {
  CHECK(ros::auth::iso_time(0) == "1970-01-01T00:00:00Z");
  CHECK(ros::auth::iso_time(1455530614) == "2016-02-15T10:03:34Z");
}
