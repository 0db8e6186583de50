// Cross-checks with the openssl command line, independent of ros::auth:
// our signatures verify with `openssl dgst -verify`, and signatures made by
// `openssl dgst -sign` (as the reference's test/sign-token.sh does) verify
// with ours.
#include "auth/token.hpp"

#include <catch2/catch.hpp>

#include "auth/base64.hpp"
#include "keys.hpp"
#include "support/run.hpp"
#include "support/temp_dir.hpp"

using ros::auth::base64_decode;
using ros::auth::base64_encode;

namespace {

constexpr const char* kOpenssl = "/usr/bin/openssl";

}  // namespace

TEST_CASE("token: our signature verifies with the openssl command line", "[auth]") {
  ros::test::TempDir dir;
  ros::auth::TokenClaims claims;
  claims.identity = "alice";
  claims.access = {"download", "upload"};
  claims.path = "/alice/tasks";
  claims.expires = 1900000000;
  auto token = ros::test::test_signer().sign(claims);
  auto colon = token.find(':');
  auto json = base64_decode(token.substr(0, colon));
  auto signature = base64_decode(token.substr(colon + 1));
  REQUIRE(json.ok());
  REQUIRE(signature.ok());
  auto json_file = dir.write("token.json", *json);
  auto sig_file = dir.write("token.sig", *signature);

  auto verified = ros::test::run_program(
      kOpenssl, {"dgst", "-sha256", "-verify", ros::test::token_keys().public_key.string(),
                 "-signature", sig_file.string(), json_file.string()});
  INFO(verified.err);
  CHECK(verified.exit_code == 0);
  CHECK(verified.out == "Verified OK\n");

  // The same signature over JSON with one byte changed does not verify.
  std::string altered = *json;
  altered[2] = static_cast<char>(altered[2] ^ 0x20);
  auto altered_file = dir.write("altered.json", altered);
  auto refused = ros::test::run_program(
      kOpenssl, {"dgst", "-sha256", "-verify", ros::test::token_keys().public_key.string(),
                 "-signature", sig_file.string(), altered_file.string()});
  CHECK(refused.exit_code == 1);
  CHECK(refused.out == "Verification failure\n");

  // And ours refuses the same altered token.
  auto ours = ros::test::test_verifier().verify(
      base64_encode(altered) + ":" + token.substr(colon + 1), 1800000000);
  REQUIRE_FALSE(ours.ok());
  CHECK(ours.error().message == "token signature does not verify");
}

TEST_CASE("token: a token signed by the openssl command line verifies with ours", "[auth]") {
  ros::test::TempDir dir;
  // The reference's test/test_token.json, trailing newline included.
  std::string json =
      "{\n    \"identity\": \"test\",\n    \"access\": [\"download\", \"upload\"],\n"
      "    \"timestamp\": 1455530614,\n    \"expires\": null,\n"
      "    \"app_id\": \"io.realm.Test\"\n}\n";
  auto json_file = dir.write("test_token.json", json);
  auto sig_file = dir / "test_token.sig";
  auto signed_run = ros::test::run_program(
      kOpenssl, {"dgst", "-sha256", "-sign", ros::test::token_keys().private_key.string(), "-out",
                 sig_file.string(), json_file.string()});
  INFO(signed_run.err);
  REQUIRE(signed_run.exit_code == 0);
  std::string signature = ros::test::read_file(sig_file);
  REQUIRE(signature.size() == 256);

  // base64 with line breaks every 64 characters, as `| base64` or PEM tools
  // wrap it, is another spelling of the token: refused (one token, one byte
  // form). Unwrapped, it verifies.
  std::string wrapped;
  std::string b64 = base64_encode(signature);
  for (std::size_t i = 0; i < b64.size(); i += 64) wrapped += b64.substr(i, 64) + "\n";
  auto refused = ros::test::test_verifier().verify(base64_encode(json) + ":" + wrapped, 1800000000);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message ==
        "malformed token: signature part is not in canonical base64 (standard alphabet, '=' "
        "padding, no spaces)");
  std::string token = base64_encode(json) + ":" + b64;

  auto claims = ros::test::test_verifier().verify(token, 1800000000);
  REQUIRE(claims.ok());
  CHECK(claims->identity == "test");
  CHECK(claims->access == std::vector<std::string>{"download", "upload"});
  CHECK(claims->timestamp == 1455530614);
  CHECK_FALSE(claims->expires.has_value());
  CHECK(claims->app_id == "io.realm.Test");
  CHECK(claims->is_admin());  // no path, no admin flag: admin by the reference rule

  // Without the trailing newline the signed bytes differ: refused.
  auto trimmed = ros::test::test_verifier().verify(
      base64_encode(json.substr(0, json.size() - 1)) + ":" + b64, 1800000000);
  REQUIRE_FALSE(trimmed.ok());
  CHECK(trimmed.error().message == "token signature does not verify");
}
