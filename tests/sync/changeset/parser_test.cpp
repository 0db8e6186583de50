#include "sync/changeset/parser.hpp"

#include <catch2/catch.hpp>

#include "hex.hpp"
#include "sync/changeset/changeset_json.hpp"
#include "sync/changeset/encoder.hpp"

using namespace ros::sync::changeset;
using ros::test::tohex;
using ros::test::unhex;

TEST_CASE("parser: rejects the vectors of section 17 with offset and reason", "[changeset]") {
  struct Case {
    const char* name;
    std::string hex;
    const char* message;
  };
  const std::string T = "3f 00 01 54 ";               // InternString #0 "T"
  const std::string Tf = "3f 00 01 54 3f 01 01 66 ";  // ... and #1 "f"
  const std::string Tk = "3f 00 01 54 3f 01 01 6b ";  // ... and #1 "k"
  const Case cases[] = {
      {"V1", "3e", "byte 0: Unknown instruction type: 62"},
      {"V2", "ff 01", "byte 0: Unknown instruction type: 255"},
      {"V3", "bf 02", "byte 0: Unknown instruction type: 319"},
      {"V4", "3f", "byte 1: bad changeset - integer decoding failure"},
      {"V5", "3f 01 01 61", "byte 1: Unexpected intern index: 1"},
      {"V6", "3f 00 01 61 3f 01 01 61", "byte 6: Unexpected intern string: a"},
      {"V7", "02 00 01 05", "byte 1: Invalid interned string"},
      {"V8", "3f 80 80 80 80 80 00", "byte 1: bad changeset - integer decoding failure"},
      {"V9", "3f 00 40", "byte 2: bad changeset - integer decoding failure"},
      {"V10", "3f 00 05 61 62", "byte 3: truncated input"},
      {"V11", "3f 00 f0 ff ff 07", "byte 2: string too long"},
      {"V12", T + "02 00 02 01", "byte 6: Unsupported object key type"},
      {"V13", Tf + "02 00 01 ff ff ff ff ff ff ff ff ff 01",
       "byte 11: bad changeset - integer decoding failure"},
      {"V14", Tk + "00 00 03", "byte 10: AddTable: unknown table type: 3"},
      {"V15", Tk + "00 00 00 01 00 00", "byte 12: Invalid primary key type in AddTable: 0"},
      {"V16", Tf + "06 00 01 01 00 04", "byte 13: Unsupported collection type"},
      {"V17", Tf + "04 00 01 01 01 00 40 01 02 00", "byte 14: Unsupported payload data type"},
      {"V18", Tf + "04 00 01 01 01 00 0c 00", "byte 14: Unsupported data type"},
      {"V19", Tf + "08 00 01 01 01 00 01 05 00", "byte 9: ArrayInsert without an index"},
      {"V20", Tf + "09 00 01 01 01 01 40 01 00 00", "byte 9: ArrayMove without an index"},
      {"V21", Tf + "04 00 01 01 01 00 05 00 80 80 80 80 08 00", "byte 16: timestamp out of range"},
      {"V22",
       Tf + "04 00 01 01 01 00 08 "
            "ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff 01 00 00 00",
       "byte 15: bad changeset - decimal decoding failure"},
      {"V23", T + "02 00 0a 65 a1 b2 c3", "byte 7: truncated input"},
      {"V24", Tf + "0b 00 01 01 01 00 04", "byte 14: Unsupported collection type"},
      {"V25", Tf + "0a 00 01 01 01 00 00", "byte 9: ArrayErase without an index"},
      {"V26", Tf + "04 00 01 01 01 00 08 ff ff",
       "byte 15: bad changeset - decimal decoding failure"},
      {"V27", Tf + "04 00 01 01 01 00 04 e8 07 01 02", "byte 17: truncated input"},
      {"V28", Tf + "04 00 01 01 01 00 03 f0 ff ff 07", "byte 15: string too long"},
      // Beyond section 17: each rule at another place.
      {"binary length near 2^62", Tf + "04 00 01 01 01 00 04 ff ff ff ff ff ff ff ff 3f",
       "byte 24: truncated input"},
      {"cut inside an instruction", Tf + "04 00 01 01 01",
       "byte 13: bad changeset - integer decoding failure"},
      {"path count beyond the input", Tf + "0b 00 01 01 01 ff ff ff ff 0f",
       "byte 18: bad changeset - integer decoding failure"},
      {"link target class not interned", Tf + "04 00 01 01 01 00 09 05 01 01 00",
       "byte 15: Invalid interned string"},
      {"float cut off", Tf + "04 00 01 01 01 00 06 00 00", "byte 15: truncated input"},
      {"uuid key cut off", T + "03 00 0b 00 01 02", "byte 7: truncated input"},
      {"AddTable pk_type Bool", Tk + "00 00 00 01 02 00",
       "byte 12: Invalid primary key type in AddTable: 2"},
      {"AddColumn type tag 12", Tf + "06 00 01 0c 00 00", "byte 11: Unsupported data type"},
      {"intern index after a gap", "3f 00 01 61 3f 02 01 62", "byte 5: Unexpected intern index: 2"},
      {"code 14", "0e", "byte 0: Unknown instruction type: 14"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    auto r = parse(unhex(c.hex));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == c.message);
    CHECK(r.error().code == ros::Errc::invalid_argument);
  }
}

TEST_CASE("parser: accepts the lenient vectors of section 17 and re-encodes canonically",
          "[changeset]") {
  struct Case {
    const char* name;
    const char* in;
    const char* out;
  };
  const Case cases[] = {
      {"L1", "3f 80 00 01 54", ""},
      {"L2", "3f 00 01 54 3f 01 01 6b 80 02 00 00 01 01 00",
       "3f 00 01 54 3f 01 01 6b 00 00 00 01 01 00"},
      {"L3", "3f 00 01 54 3f 01 01 66 04 00 01 01 01 00 81 02 05 00",
       "3f 00 01 54 3f 01 01 66 04 00 01 01 01 00 01 05 00"},
      {"L4", "3f 00 01 54 3f 01 01 66 04 00 01 01 01 00 02 05 00",
       "3f 00 01 54 3f 01 01 66 04 00 01 01 01 00 02 01 00"},
      {"L5", "3f 00 01 54 3f 01 01 66 04 00 01 01 01 01 46 01 00 00",
       "3f 00 01 54 3f 01 01 66 04 00 01 01 01 01 40 01 00 00"},
      {"L6", "3f 00 01 54 3f 01 01 66 04 00 01 01 01 01 83 80 80 80 10 00 00",
       "3f 00 01 54 3f 01 01 66 04 00 01 01 01 01 03 00 00"},
      {"L7", "3f 00 01 54 3f 01 01 66 04 00 01 01 01 01 00 00 41",
       "3f 00 01 54 3f 01 01 66 04 00 01 01 01 01 00 00 fe ff ff ff 0f"},
      {"L8", "3f 00 01 54 3f 01 01 66 04 00 01 01 01 00 05 00 80 80 80 80 48 00",
       "3f 00 01 54 3f 01 01 66 04 00 01 01 01 00 05 00 ff ff ff ff 07 00"},
      {"L9", "3f 00 01 54 3f 01 01 66 04 00 01 01 01 00 05 05 80 94 eb dc 03 00",
       "3f 00 01 54 3f 01 01 66 04 00 01 01 01 00 05 05 80 94 eb dc 03 00"},
      {"L10", "3f 00 01 54 3f 01 01 66 06 00 01 41 00 00",
       "3f 00 01 54 3f 01 01 66 06 00 01 41 00 00"},
      {"L11", "3f 00 01 54 3f 01 01 66 04 00 01 01 01 00 08 01 c0 84 3d 00 00",
       "3f 00 01 54 3f 01 01 66 04 00 01 01 01 00 08 01 c0 04 01 00"},
      {"L12", "3f 00 01 54 3f 01 01 66 04 00 01 01 01 00 08 01 00 05 00",
       "3f 00 01 54 3f 01 01 66 04 00 01 01 01 00 08 01 00 01 00"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    auto r = parse(unhex(c.in));
    REQUIRE(r.ok());
    CHECK(r->layout == Layout::hoisted);
    auto out = encode(r->changeset, Layout::hoisted);
    REQUIRE(out.ok());
    CHECK(tohex(*out) == c.out);
  }
  auto l10 = parse(unhex(cases[9].in));
  CHECK(to_json(l10->changeset)["instructions"][0]["valueType"] == "ObjectValue");
  auto l11 = parse(unhex(cases[10].in));
  CHECK(to_json(l11->changeset)["instructions"][0]["value"]["decimal"] == "-1E576");
}

TEST_CASE("parser: an empty input is an empty changeset", "[changeset]") {
  auto r = parse("");
  REQUIRE(r.ok());
  CHECK(r->changeset.instructions.empty());
  CHECK(r->changeset.strings.empty());
  CHECK(dump(to_json(r->changeset)) == "{\n  \"instructions\": [],\n  \"internStrings\": []\n}");
}

TEST_CASE("parser: a string of exactly the limit is accepted, one more is not", "[changeset]") {
  std::string at_limit = unhex("3f 00 ef ff ff 07") + std::string(0xFFFFEF, 'x');
  CHECK(parse(at_limit).ok());
  std::string over = unhex("3f 00 f0 ff ff 07") + std::string(0xFFFFF0, 'x');
  auto r = parse(over);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "byte 2: string too long");
}

TEST_CASE("parser: tells the layouts apart", "[changeset]") {
  // E1 (streaming) and E2 (hoisted) of section 16.
  const char* e1 =
      "3f0006506572736f6e3f01035f69640000000103003f02046e616d653f03000600020300003f0405616c69636502"
      "0003040400030402000305416c69636500";
  const char* e2 =
      "3f0006506572736f6e3f01035f69643f02046e616d653f03003f0405616c696365000000010300060002030000"
      "020003040400030402000305416c69636500";
  auto a = parse(unhex(e1));
  auto b = parse(unhex(e2));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->layout == Layout::streaming);
  CHECK(b->layout == Layout::hoisted);
  CHECK(to_json(a->changeset) == to_json(b->changeset));
}
