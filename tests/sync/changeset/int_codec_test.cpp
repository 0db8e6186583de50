#include "sync/changeset/int_codec.hpp"

#include <catch2/catch.hpp>
#include <optional>

#include "hex.hpp"

using namespace ros::sync::changeset;
using ros::test::tohex;
using ros::test::unhex;

namespace {

std::optional<uint64_t> decode(const std::string& hex, IntWidth width,
                               std::size_t* used = nullptr) {
  const std::string bytes = unhex(hex);
  std::size_t pos = 0;
  auto v = decode_int(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), pos, width);
  if (used) *used = pos;
  return v;
}

}  // namespace

TEST_CASE("int codec: encodes the shortest form of section 2.1", "[changeset]") {
  struct Case {
    int64_t value;
    const char* hex;
  };
  const Case cases[] = {
      {0, "00"},
      {1, "01"},
      {63, "3f"},
      {64, "c0 00"},
      {100, "e4 00"},
      {123, "fb 00"},
      {127, "ff 00"},
      {128, "80 01"},
      {300, "ac 02"},
      {1000, "e8 07"},
      {-1, "40"},
      {-3, "42"},
      {-5, "44"},
      {-64, "7f"},
      {-65, "c0 40"},
      {-100, "e3 40"},
      {INT64_MIN, "ff ff ff ff ff ff ff ff ff 40"},
      {INT64_MAX, "ff ff ff ff ff ff ff ff ff 00"},
  };
  for (const auto& c : cases) {
    std::string out;
    encode_int(out, c.value);
    CHECK(tohex(out) == c.hex);
    CHECK(decode(c.hex, kI64) == static_cast<uint64_t>(c.value));
  }
  std::string out;
  encode_uint(out, UINT64_MAX);
  CHECK(tohex(out) == "ff ff ff ff ff ff ff ff ff 01");
  CHECK(decode("ff ff ff ff ff ff ff ff ff 01", kU64) == UINT64_MAX);
}

TEST_CASE("int codec: accepts what realm-core accepts", "[changeset]") {
  std::size_t used = 0;
  CHECK(decode("80 00", kU32, &used) == 0u);  // overlong
  CHECK(used == 2);
  CHECK(decode("80 80 00", kU8) == std::nullopt);  // 3 bytes for uint8
  CHECK(decode("80 80 80 80 00", kU32) == 0u);
  CHECK(decode("41", kU32) == 4294967294u);  // sign flag in an unsigned field
  CHECK(decode("ff 01", kU8) == 255u);
  CHECK(decode("ff 03", kU8) == std::nullopt);  // 383 does not fit
  CHECK(decode("ff ff ff ff 07", kI32) == static_cast<uint64_t>(int64_t{INT32_MAX}));
  CHECK(decode("ff ff ff ff 47", kI32) == static_cast<uint64_t>(int64_t{INT32_MIN}));
  CHECK(decode("64", kI64) == static_cast<uint64_t>(int64_t{-37}));
}

TEST_CASE("int codec: rejects malformed integers", "[changeset]") {
  std::size_t used = 99;
  CHECK(decode("", kU64, &used) == std::nullopt);
  CHECK(used == 0);                                          // position unchanged
  CHECK(decode("80", kU64) == std::nullopt);                 // ends inside
  CHECK(decode("80 80 80 80 80 00", kU32) == std::nullopt);  // 6 bytes for uint32
  CHECK(decode("40", kU32) == std::nullopt);                 // sign-flagged zero, unsigned
  CHECK(decode("80 04", kU8) == std::nullopt);               // 256 does not fit
  CHECK(decode("80 80 80 80 08", kI32) == std::nullopt);     // 2^31 does not fit int32
  CHECK(decode("ff ff ff ff ff ff ff ff ff 01", kI64) == std::nullopt);  // 2^63
  CHECK(decode("ff ff ff ff ff ff ff ff ff 02", kU64) == std::nullopt);  // 2^65-1
  CHECK(decode("ff ff ff ff ff ff ff ff ff ff 00", kU64) == std::nullopt);
}

TEST_CASE("int codec: Decimal128 coefficients are plain LEB128 of at most 17 bytes",
          "[changeset]") {
  auto dec = [](const std::string& hex) {
    const std::string bytes = unhex(hex);
    std::size_t pos = 0;
    return decode_coefficient(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), pos);
  };
  CHECK(dec("64")->lo == 100);  // all 7 bits are value bits
  CHECK(dec("9a 08")->lo == 1050);
  std::string out;
  encode_coefficient(out, U128{100, 0});
  CHECK(tohex(out) == "e4 00");  // the encoder's loop differs from the decoder
  out.clear();
  encode_coefficient(out, U128{0, uint64_t{1} << 48});  // 2^112
  auto back = dec(tohex(out));
  REQUIRE(back);
  CHECK(back->hi == uint64_t{1} << 48);
  CHECK(back->lo == 0);
  CHECK_FALSE(dec("ff ff"));                                                  // cut off
  CHECK_FALSE(dec("ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff 01"));  // 18 bytes
}
