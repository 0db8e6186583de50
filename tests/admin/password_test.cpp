#include "admin/password.hpp"

#include <regex>

#include <catch2/catch.hpp>

using namespace ros::admin;

namespace {

struct FastHashes {
  FastHashes() { set_pbkdf2_iterations_for_testing(1000); }
  ~FastHashes() { set_pbkdf2_iterations_for_testing(kPbkdf2Iterations); }
};

}  // namespace

TEST_CASE("password: hashes have the documented format and a fresh salt", "[admin]") {
  FastHashes fast;
  auto a = hash_password("correct horse");
  auto b = hash_password("correct horse");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  std::regex format(R"(pbkdf2-sha256\$1000\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=)");
  CHECK(std::regex_match(*a, format));
  CHECK(*a != *b);  // different salts
  CHECK(verify_password("correct horse", *a));
  CHECK(verify_password("correct horse", *b));
  CHECK_FALSE(verify_password("correct horsE", *a));
  CHECK_FALSE(verify_password("", *a));
  CHECK_FALSE(verify_password("correct horse ", *a));
}

TEST_CASE("password: the iteration count is read from the stored hash", "[admin]") {
  set_pbkdf2_iterations_for_testing(1500);
  auto old = hash_password("pw");
  set_pbkdf2_iterations_for_testing(1000);
  REQUIRE(old.ok());
  CHECK(old->rfind("pbkdf2-sha256$1500$", 0) == 0);
  CHECK(verify_password("pw", *old));
  set_pbkdf2_iterations_for_testing(kPbkdf2Iterations);
  CHECK(pbkdf2_iterations() == kPbkdf2Iterations);
  CHECK(kPbkdf2Iterations >= 100000);
}

TEST_CASE("password: matches the PBKDF2-HMAC-SHA256 vector of RFC 7914 section 11", "[admin]") {
  // PBKDF2-HMAC-SHA256("passwd", "salt", 1, 64) starts 55ac046e56e3089f...; with
  // our 32-byte output and base64: the first 32 bytes of that vector.
  std::string stored = "pbkdf2-sha256$1$c2FsdA==$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=";
  CHECK(verify_password("passwd", stored));
  CHECK_FALSE(verify_password("passwe", stored));
}

TEST_CASE("password: malformed stored hashes never match", "[admin]") {
  const char* cases[] = {
      "",
      "plain",
      "pbkdf2-sha256",
      "pbkdf2-sha256$1$c2FsdA==",
      "pbkdf2-sha1$1$c2FsdA==$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",
      "pbkdf2-sha256$0$c2FsdA==$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",
      "pbkdf2-sha256$-1$c2FsdA==$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",
      "pbkdf2-sha256$99999999$c2FsdA==$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",
      "pbkdf2-sha256$1x$c2FsdA==$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",
      "pbkdf2-sha256$1$$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",
      "pbkdf2-sha256$1$c2FsdA==$VawEblbjCJ/sFpHCJUS2BflBhSF",
      "pbkdf2-sha256$1$c2FsdA==$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=$",
      "pbkdf2-sha256$1$c2Fsd!==$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=",
  };
  for (const char* stored : cases) {
    CAPTURE(stored);
    CHECK_FALSE(verify_password("passwd", stored));
  }
}
