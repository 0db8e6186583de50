#include "auth/token.hpp"

#include <algorithm>
#include <atomic>
#include <random>
#include <thread>

#include <catch2/catch.hpp>

#include "auth/base64.hpp"
#include "keys.hpp"

using ros::Errc;
using ros::auth::base64_decode;
using ros::auth::base64_encode;
using ros::auth::base64url_encode;
using ros::auth::TokenClaims;
using ros::auth::TokenSigner;
using ros::auth::TokenVerifier;

namespace {

constexpr std::int64_t kNow = 1'800'000'000;

TokenClaims sample_claims() {
  TokenClaims c;
  c.identity = "0123456789abcdef0123456789abcdef";
  c.access = {"download", "upload"};
  c.path = "/catalog";
  c.timestamp = kNow - 10;
  c.expires = kNow + 600;
  c.app_id = "io.realm.Example";
  c.admin = false;
  return c;
}

std::string make_jwt(const std::string& header, const std::string& payload,
                     const std::filesystem::path& key) {
  std::string signing_input = base64url_encode(header) + "." + base64url_encode(payload);
  return signing_input + "." + base64url_encode(ros::test::openssl_sign(key, signing_input));
}

void check_error(const ros::Result<TokenClaims>& r, Errc code, const std::string& message) {
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == code);
  CHECK(r.error().message == message);
}

}  // namespace

TEST_CASE("token: a signed token verifies and gives back its claims", "[auth]") {
  auto token = ros::test::test_signer().sign(sample_claims());
  auto colon = token.find(':');
  REQUIRE(colon != std::string::npos);
  auto json = base64_decode(token.substr(0, colon));
  REQUIRE(json.ok());
  CHECK(*json == sample_claims().to_json().dump());

  auto claims = ros::test::test_verifier().verify(token, kNow);
  REQUIRE(claims.ok());
  CHECK(*claims == sample_claims());

  // One token, one byte form: whitespace around it is another spelling.
  check_error(ros::test::test_verifier().verify("  " + token + "\n", kNow),
              Errc::invalid_argument,
              "malformed token: claims part is not in canonical base64 (standard alphabet, '=' "
              "padding, no spaces)");
}

TEST_CASE("token: only the canonical spelling of a token verifies", "[auth]") {
  auto verifier = ros::test::test_verifier();
  // Claims whose base64 has padding; a signature of 256 bytes has '+' or '/'
  // for almost every key, and the test key's does (checked below).
  auto token = ros::test::test_signer().sign(sample_claims());
  REQUIRE(verifier.verify(token, kNow).ok());
  const auto colon = token.find(':');
  auto without = [](std::string t, char c) {
    t.erase(std::remove(t.begin(), t.end(), c), t.end());
    return t;
  };
  std::string url = token;
  std::replace(url.begin(), url.end(), '+', '-');
  std::replace(url.begin(), url.end(), '/', '_');
  REQUIRE(url != token);
  REQUIRE(without(token, '=') != token);
  const std::string claims_error =
      "malformed token: claims part is not in canonical base64 (standard alphabet, '=' padding, "
      "no spaces)";
  const std::string signature_error =
      "malformed token: signature part is not in canonical base64 (standard alphabet, '=' "
      "padding, no spaces)";
  struct Row {
    std::string what, token, message;
  };
  const std::string signature = token.substr(colon + 1);
  const bool padded_claims = token.substr(0, colon).back() == '=';
  const Row refused[] = {
      {"a trailing space", token + " ", signature_error},
      {"a trailing newline", token + "\n", signature_error},
      {"a leading newline", "\n" + token, claims_error},
      {"a space after the colon", token.substr(0, colon + 1) + " " + signature, signature_error},
      {"'=' stripped", without(token, '='), padded_claims ? claims_error : signature_error},
      {"the URL alphabet", url,
       url.substr(0, colon) != token.substr(0, colon) ? claims_error : signature_error},
      {"a line break inside", token.substr(0, 8) + "\n" + token.substr(8), claims_error},
  };
  for (const auto& row : refused) {
    CAPTURE(row.what);
    check_error(verifier.verify(row.token, kNow), Errc::invalid_argument, row.message);
    // inspect() (display only) still reads them.
    CHECK(ros::auth::inspect(row.token).ok());
  }
}

TEST_CASE("token: the verifier also accepts a private key and loads keys from files", "[auth]") {
  auto key = ros::crypto::load_rsa_private_key(ros::test::token_keys().private_key);
  REQUIRE(key.ok());
  TokenVerifier verifier(std::move(*key));
  CHECK(verifier.verify(ros::test::test_signer().sign(sample_claims()), kNow).ok());

  auto missing = TokenVerifier::load("/nonexistent/token.pub");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("/nonexistent/token.pub") != std::string::npos);
  auto wrong_kind = TokenVerifier::load(ros::test::token_keys().private_key);
  CHECK_FALSE(wrong_kind.ok());  // a public key path must not hold a secret
  CHECK_FALSE(TokenSigner::load("/nonexistent/token.key").ok());
}

TEST_CASE("token: one altered byte in the JSON or the signature is rejected", "[auth]") {
  auto signer = ros::test::test_signer();
  auto verifier = ros::test::test_verifier();
  auto token = signer.sign(sample_claims());
  auto colon = token.find(':');
  std::string json = *base64_decode(token.substr(0, colon));
  std::string signature = *base64_decode(token.substr(colon + 1));

  SECTION("each byte of the decoded JSON") {
    for (std::size_t i = 0; i < json.size(); ++i) {
      std::string altered = json;
      altered[i] = static_cast<char>(altered[i] ^ 0x01);
      CAPTURE(i, altered);
      check_error(verifier.verify(base64_encode(altered) + ":" + base64_encode(signature), kNow),
                  Errc::permission_denied, "token signature does not verify");
    }
  }
  SECTION("each byte of the decoded signature") {
    for (std::size_t i = 0; i < signature.size(); ++i) {
      std::string altered = signature;
      altered[i] = static_cast<char>(altered[i] ^ 0x80);
      CAPTURE(i);
      check_error(verifier.verify(base64_encode(json) + ":" + base64_encode(altered), kNow),
                  Errc::permission_denied, "token signature does not verify");
    }
  }
  SECTION("each character of the token text") {
    for (std::size_t i = 0; i < token.size(); ++i) {
      if (token[i] == ':' || token[i] == '=') continue;
      std::string altered = token;
      altered[i] = altered[i] == 'A' ? 'B' : 'A';
      CAPTURE(i);
      CHECK_FALSE(verifier.verify(altered, kNow).ok());
    }
  }
  SECTION("a truncated or empty signature") {
    check_error(verifier.verify(base64_encode(json) + ":" + base64_encode(signature.substr(1)), kNow),
                Errc::permission_denied, "token signature does not verify");
    check_error(verifier.verify(base64_encode(json) + ":", kNow), Errc::invalid_argument,
                "malformed token: empty signature");
  }
}

TEST_CASE("token: a token signed with another key is rejected", "[auth]") {
  auto other = TokenSigner::load(ros::test::other_keys().private_key);
  REQUIRE(other.ok());
  check_error(ros::test::test_verifier().verify(other->sign(sample_claims()), kNow),
              Errc::permission_denied, "token signature does not verify");
}

TEST_CASE("token: expiry is checked against the given time", "[auth]") {
  auto signer = ros::test::test_signer();
  auto verifier = ros::test::test_verifier();
  auto claims = sample_claims();
  claims.expires = 1455530614;
  auto token = signer.sign(claims);
  CHECK(verifier.verify(token, 1455530613).ok());
  CHECK(verifier.verify(token, 1455530614).ok());  // expired means now > expires
  check_error(verifier.verify(token, 1455530615), Errc::permission_denied,
              "token expired at 2016-02-15T10:03:34Z");

  claims.expires.reset();  // never expires
  CHECK(verifier.verify(signer.sign(claims), INT64_MAX).ok());
}

TEST_CASE("token: signed JSON is verified as issued, including a trailing newline", "[auth]") {
  auto signer = ros::test::test_signer();
  std::string json =
      "{\n    \"identity\": \"test\",\n    \"access\": [\"download\", \"upload\"],\n"
      "    \"timestamp\": 1455530614,\n    \"expires\": null,\n    \"app_id\": \"io.realm.Test\"\n}\n";
  auto claims = ros::test::test_verifier().verify(signer.sign_json(json), kNow);
  REQUIRE(claims.ok());
  CHECK(claims->identity == "test");
  CHECK(claims->app_id == "io.realm.Test");
  CHECK_FALSE(claims->expires.has_value());
}

TEST_CASE("token: JWT RS256 tokens verify", "[auth]") {
  auto verifier = ros::test::test_verifier();
  const auto& key = ros::test::token_keys().private_key;
  std::string header = R"({"alg":"RS256","typ":"JWT"})";
  std::string payload = R"({"sub":"alice","exp":1800000600,"iat":1800000000,"iss":"someone",)"
                        R"("access":["download"],"path":"/alice/tasks"})";

  auto claims = verifier.verify(make_jwt(header, payload, key), kNow);
  REQUIRE(claims.ok());
  CHECK(claims->identity == "alice");
  CHECK(claims->expires == 1800000600);
  CHECK(claims->timestamp == 1800000000);
  CHECK(claims->access == std::vector<std::string>{"download"});
  CHECK(claims->path == "/alice/tasks");

  check_error(verifier.verify(make_jwt(header, payload, key), 1800000601), Errc::permission_denied,
              "token expired at 2027-01-15T08:10:00Z");

  // "nbf" (not before) is honoured.
  std::string later = R"({"sub":"alice","nbf":1800000100})";
  check_error(verifier.verify(make_jwt(header, later, key), kNow), Errc::permission_denied,
              "token not valid before 2027-01-15T08:01:40Z");
  CHECK(verifier.verify(make_jwt(header, later, key), 1800000100).ok());
  check_error(verifier.verify(make_jwt(header, R"({"sub":"alice","nbf":"soon"})", key), kNow),
              Errc::invalid_argument, "malformed token: field 'nbf' must be a number or null");

  // The signature covers header.payload: a changed payload fails.
  auto jwt = make_jwt(header, payload, key);
  auto dot1 = jwt.find('.'), dot2 = jwt.rfind('.');
  std::string other_payload = base64url_encode(R"({"sub":"mallory","access":["download"]})");
  check_error(verifier.verify(jwt.substr(0, dot1 + 1) + other_payload + jwt.substr(dot2), kNow),
              Errc::permission_denied, "token signature does not verify");

  // Another key's JWT fails.
  check_error(verifier.verify(make_jwt(header, payload, ros::test::other_keys().private_key), kNow),
              Errc::permission_denied, "token signature does not verify");
}

TEST_CASE("token: JWTs with other algorithms or bad shapes are refused", "[auth]") {
  auto verifier = ros::test::test_verifier();
  const auto& key = ros::test::token_keys().private_key;
  std::string payload = R"({"sub":"alice"})";
  struct Case {
    std::string token, message;
  };
  auto b = [](const std::string& s) { return base64url_encode(s); };
  const Case cases[] = {
      {make_jwt(R"({"alg":"none"})", payload, key),
       "malformed token: JWT algorithm 'none' is not supported (only RS256)"},
      {make_jwt(R"({"alg":"HS256"})", payload, key),
       "malformed token: JWT algorithm 'HS256' is not supported (only RS256)"},
      {make_jwt(R"({"typ":"JWT"})", payload, key), "malformed token: JWT header has no 'alg'"},
      {make_jwt(R"({"alg":256})", payload, key), "malformed token: JWT header has no 'alg'"},
      {make_jwt(R"(["RS256"])", payload, key), "malformed token: JWT header is not a JSON object"},
      {b(R"({"alg":"none"})") + "." + b(payload) + ".", "malformed token: JWT algorithm 'none' is not supported (only RS256)"},
      {b(R"({"alg":"RS256"})") + "." + b(payload) + ".", "malformed token: empty JWT signature"},
      {b(R"({"alg":"RS256"})") + "." + b(payload), "malformed token: a JWT must have three parts separated by '.'"},
      {"a.b.c.d", "malformed token: a JWT must have three parts separated by '.'"},
      {"!!.e30.AAAA", "malformed token: JWT header: invalid base64 character '!' at offset 0"},
      {b(R"({"alg":"RS256"})") + ".e30!.AAAA", "malformed token: JWT payload: invalid base64 character '!' at offset 3"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.token);
    check_error(verifier.verify(c.token, kNow), Errc::invalid_argument, c.message);
  }
}

TEST_CASE("token: malformed tokens get a clear error", "[auth]") {
  auto verifier = ros::test::test_verifier();
  auto signer = ros::test::test_signer();
  struct Case {
    std::string token, message;
  };
  const Case cases[] = {
      {"", "malformed token: empty"},
      {" \n", "malformed token: empty"},
      {base64_encode(R"({"identity":"u"})"), "malformed token: no signature"},
      {"e30!:AAAA", "malformed token: claims part: invalid base64 character '!' at offset 3"},
      {"e30=:AA!A", "malformed token: signature part: invalid base64 character '!' at offset 2"},
      {"e30=:AAAA:AAAA", "malformed token: signature part: invalid base64 character ':' at offset 4"},
      {std::string(ros::auth::kMaxTokenSize + 1, 'A'), "malformed token: longer than 16384 bytes"},
      {signer.sign_json("not json"), "malformed token: the claims are not valid JSON"},
      {signer.sign_json("[1]"), "malformed token: the claims are not a JSON object"},
      {signer.sign_json(R"({"identity":5})"), "malformed token: field 'identity' must be a string"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.token.substr(0, 80));
    check_error(verifier.verify(c.token, kNow), Errc::invalid_argument, c.message);
  }
}

TEST_CASE("token: inspect decodes without verifying", "[auth]") {
  auto other = TokenSigner::load(ros::test::other_keys().private_key);
  REQUIRE(other.ok());
  auto claims = sample_claims();
  claims.expires = 1;  // long expired
  auto inspected = ros::auth::inspect(other->sign(claims));
  REQUIRE(inspected.ok());
  CHECK(*inspected == claims);

  auto bare = ros::auth::inspect(base64_encode(R"({"identity":"u","path":"/x"})"));
  REQUIRE(bare.ok());
  CHECK(bare->identity == "u");

  auto jwt = ros::auth::inspect(base64url_encode(R"({"alg":"HS256"})") + "." +
                                base64url_encode(R"({"sub":"j"})") + ".c2ln");
  REQUIRE(jwt.ok());
  CHECK(jwt->identity == "j");

  check_error(ros::auth::inspect("%%"), Errc::invalid_argument,
              "malformed token: invalid base64 character '%' at offset 0");
}

TEST_CASE("token: mutated input never crashes and never verifies other claims", "[auth]") {
  auto verifier = ros::test::test_verifier();
  auto token = ros::test::test_signer().sign(sample_claims());
  std::mt19937 rng(1234);
  const std::string alphabet = "ABCxyz019+/-_=:. \n{}\"\x00\xff";
  for (int i = 0; i < 3000; ++i) {
    std::string t = token;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      std::size_t at = rng() % t.size();
      switch (rng() % 3) {
        case 0: t[at] = alphabet[rng() % alphabet.size()]; break;
        case 1: t.erase(at, 1 + rng() % 8); break;
        default: t.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
      }
      if (t.empty()) t = "A";
    }
    // Only the token's one spelling verifies.
    auto claims = verifier.verify(t, kNow);
    if (claims) CHECK(t == token);
    (void)ros::auth::inspect(t);
  }
}

TEST_CASE("token: one signer and one verifier shared by several threads", "[auth]") {
  auto signer = ros::test::test_signer();
  auto verifier = ros::test::test_verifier();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        auto claims = sample_claims();
        claims.identity = "user-" + std::to_string(t) + "-" + std::to_string(i);
        auto verified = verifier.verify(signer.sign(claims), kNow);
        if (!verified || *verified != claims) ++failures;
        if (verifier.verify(signer.sign(claims) + "A", kNow).ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures == 0);
}
