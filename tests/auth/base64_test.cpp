#include "auth/base64.hpp"

#include <random>

#include <catch2/catch.hpp>

using ros::auth::base64_decode;
using ros::auth::base64_encode;
using ros::auth::base64url_encode;

TEST_CASE("base64: encodes the RFC 4648 test vectors", "[auth]") {
  struct Case {
    std::string bytes, standard, url;
  };
  const Case cases[] = {
      {"", "", ""},
      {"f", "Zg==", "Zg"},
      {"fo", "Zm8=", "Zm8"},
      {"foo", "Zm9v", "Zm9v"},
      {"foob", "Zm9vYg==", "Zm9vYg"},
      {"fooba", "Zm9vYmE=", "Zm9vYmE"},
      {"foobar", "Zm9vYmFy", "Zm9vYmFy"},
      {"\xfb\xff\xbf", "+/+/", "-_-_"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.bytes);
    CHECK(base64_encode(c.bytes) == c.standard);
    CHECK(base64url_encode(c.bytes) == c.url);
  }
}

TEST_CASE("base64: decodes what the reference decoder accepts", "[auth]") {
  struct Case {
    std::string text, bytes;
  };
  const Case cases[] = {
      {"", ""},
      {"Zg==", "f"},
      {"Zg", "f"},                    // missing padding
      {"Zm8=", "fo"},
      {"Zm8", "fo"},
      {"Zm9vYmFy", "foobar"},
      {"+/+/", "\xfb\xff\xbf"},       // standard alphabet
      {"-_-_", "\xfb\xff\xbf"},       // URL alphabet
      {"+_-/", "\xfb\xff\xbf"},       // mixed
      {" Zm9v\nYmFy\t", "foobar"},    // spaces, tabs, line feeds skipped
      {"Zm9v\r\nYg==\r\n", "foob"},   // CRLF
      {"Zm 8 =", "fo"},
      {"Zg= =", "f"},                 // whitespace inside the padding
      {"\n", ""},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto decoded = base64_decode(c.text);
    REQUIRE(decoded.ok());
    CHECK(*decoded == c.bytes);
  }
}

TEST_CASE("base64: refuses malformed input with a message", "[auth]") {
  struct Case {
    std::string text, message;
  };
  const Case cases[] = {
      {"Zm9v!", "invalid base64 character '!' at offset 4"},
      {"Zm9v:", "invalid base64 character ':' at offset 4"},
      {std::string("Zm\0v", 4), "invalid base64 character byte 0x00 at offset 2"},
      {"Zm\xc3\xa9v", "invalid base64 character byte 0xc3 at offset 2"},
      {"Z", "invalid base64: truncated (a lone final character)"},
      {"Zm9vY", "invalid base64: truncated (a lone final character)"},
      {"Zg===", "invalid base64: more than two '=' at offset 4"},
      {"Zg==Zg==", "invalid base64: data after '=' at offset 4"},
      {"=Zg", "invalid base64: data after '=' at offset 1"},
      {"Zm9v=", "invalid base64: wrong amount of '=' padding"},
      {"Zm8==", "invalid base64: wrong amount of '=' padding"},
      {"Zg=", "invalid base64: wrong amount of '=' padding"},  // padding, but not enough
      {"==", "invalid base64: wrong amount of '=' padding"},
      {"Zh==", "invalid base64: non-zero bits after the data"},
      {"Zm9=", "invalid base64: non-zero bits after the data"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto decoded = base64_decode(c.text);
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.error().code == ros::Errc::invalid_argument);
    CHECK(decoded.error().message == c.message);
  }
}

TEST_CASE("base64: round-trips random bytes in both alphabets", "[auth]") {
  std::mt19937 rng(42);
  for (std::size_t size = 0; size < 200; ++size) {
    std::string bytes(size, '\0');
    for (auto& b : bytes) b = static_cast<char>(rng());
    auto standard = base64_decode(base64_encode(bytes));
    auto url = base64_decode(base64url_encode(bytes));
    REQUIRE(standard.ok());
    REQUIRE(url.ok());
    CHECK(*standard == bytes);
    CHECK(*url == bytes);
  }
}

TEST_CASE("base64: random text never crashes the decoder", "[auth]") {
  std::mt19937 rng(7);
  const std::string alphabet = "ABCab019+/-_= \n\t!:.\x80";
  for (int i = 0; i < 20000; ++i) {
    std::string text(rng() % 40, '\0');
    for (auto& c : text) c = alphabet[rng() % alphabet.size()];
    auto decoded = base64_decode(text);
    if (decoded) CHECK(decoded->size() <= text.size() * 3 / 4 + 2);
  }
}
