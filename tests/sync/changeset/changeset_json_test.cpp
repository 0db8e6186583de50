#include "sync/changeset/changeset_json.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "hex.hpp"
#include "sync/changeset/decimal.hpp"
#include "sync/changeset/encoder.hpp"
#include "sync/changeset/parser.hpp"

using namespace ros::sync::changeset;
using ros::test::unhex;

namespace {

// A changeset with one Update T[Int 1].f = value, as JSON text for the value.
std::string render_value(const Payload& p) {
  Changeset cs;
  cs.strings = {"T", "f"};
  Update u;
  u.prefix = PathPrefix{InternRef{0}, int64_t{1}, InternRef{1}, {}};
  u.value = p;
  cs.instructions.push_back(u);
  return to_json(cs)["instructions"][0]["value"].dump();
}

Payload payload(Type t) {
  Payload p;
  p.type = t;
  return p;
}

}  // namespace

TEST_CASE("changeset json: renders every payload type as the vectors do", "[changeset]") {
  Payload p;
  CHECK(render_value(payload(Type::Null)) == "null");
  p = payload(Type::Int);
  p.int_value = INT64_MIN;
  CHECK(render_value(p) == "{\"int\":-9223372036854775808}");
  p = payload(Type::Bool);
  p.bool_value = true;
  CHECK(render_value(p) == "{\"bool\":true}");
  p = payload(Type::String);
  p.bytes = "Ærø ✓";
  CHECK(render_value(p) == "{\"string\":\"Ærø ✓\"}");
  p = payload(Type::Binary);
  p.bytes = unhex("00 01 02 ff");
  CHECK(render_value(p) == "{\"binary\":\"AAEC/w==\"}");
  p = payload(Type::Timestamp);
  p.timestamp = {1700000000, 123456789};
  CHECK(render_value(p) == "{\"timestamp\":{\"seconds\":1700000000,\"nanoseconds\":123456789}}");
  p = payload(Type::Float);
  p.float_value = 61.5f;
  CHECK(render_value(p) == "{\"float\":61.5}");
  p.float_value = 0.1f;  // widened exactly
  CHECK(render_value(p) == "{\"float\":0.10000000149011612}");
  p.float_value = std::numeric_limits<float>::infinity();
  CHECK(render_value(p) == "{\"float\":\"Infinity\"}");
  p = payload(Type::Double);
  p.double_value = 1.0;
  CHECK(render_value(p) == "{\"double\":1.0}");
  p.double_value = -std::numeric_limits<double>::infinity();
  CHECK(render_value(p) == "{\"double\":\"-Infinity\"}");
  p.double_value = std::nan("");
  CHECK(render_value(p) == "{\"double\":\"NaN\"}");
  p = payload(Type::Decimal);
  p.decimal = *decimal_from_string("10.50");
  CHECK(render_value(p) == "{\"decimal\":\"10.50\"}");
  p = payload(Type::ObjectId);
  p.object_id = ObjectId{{0x65, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07, 0x18, 0x29, 0x3a, 0x4b}};
  CHECK(render_value(p) == "{\"objectId\":\"65a1b2c3d4e5f60718293a4b\"}");
  p = payload(Type::UUID);
  p.uuid = Uuid{{0x3b, 0x24, 0x11, 0x01, 0xe2, 0xbb, 0x42, 0x55, 0x8c, 0xaf, 0x41, 0x36, 0xc5, 0x66,
                 0xa9, 0x62}};
  CHECK(render_value(p) == "{\"uuid\":\"3b241101-e2bb-4255-8caf-4136c566a962\"}");
  p = payload(Type::Link);
  p.link = Link{InternRef{0}, GlobalKey{6, 0}};
  CHECK(render_value(p) ==
        "{\"link\":{\"table\":\"T\",\"pk\":{\"globalKey\":{\"hi\":6,\"lo\":0}}}}");
  CHECK(render_value(payload(Type::ObjectValue)) == "{\"embeddedObject\":{}}");
  CHECK(render_value(payload(Type::List)) == "{\"list\":[]}");
  CHECK(render_value(payload(Type::Dictionary)) == "{\"dictionary\":{}}");
  CHECK(render_value(payload(Type::Set)) == "{\"set\":[]}");
  CHECK(render_value(payload(Type::Erased)) == "{\"erased\":{}}");
}

TEST_CASE("changeset json: renders every instruction type with keys in order", "[changeset]") {
  Changeset cs;
  cs.strings = {"T", "f", "", "U", "k"};
  const PathPrefix px{InternRef{0}, Null{}, InternRef{1}, {uint32_t{4}}};
  const PathPrefix pk{InternRef{0}, ObjectId{}, InternRef{1}, {InternRef{4}}};
  Payload i5;
  i5.type = Type::Int;
  i5.int_value = 5;
  cs.instructions = {
      AddTable{InternRef{0}, TableType::TopLevelAsymmetric, InternRef{2}, Type::GlobalKey, false},
      AddTable{InternRef{3}, TableType::Embedded, {}, Type::GlobalKey, false},
      EraseTable{InternRef{3}},
      CreateObject{InternRef{0}, GlobalKey{1, 2}},
      EraseObject{InternRef{0}, Uuid{}},
      Update{px, i5, 7, false},
      Update{pk, i5, 0, true},
      AddInteger{pk, -2},
      AddColumn{InternRef{0}, InternRef{1}, Type::Link, true, CollectionType::Dictionary,
                InternRef{3}, Type::String},
      EraseColumn{InternRef{0}, InternRef{1}},
      ArrayInsert{px, i5, 4},
      ArrayMove{px, 0, 5},
      ArrayErase{px, 5},
      Clear{pk, CollectionType::Single},
      SetInsert{pk, i5},
      SetErase{pk, i5},
  };
  const Json j = to_json(cs);
  const char* expected[] = {
      R"({"type":"AddTable","table":"T","embedded":false,"primaryKey":{"field":"","type":"GlobalKey","nullable":false},"asymmetric":true})",
      R"({"type":"AddTable","table":"U","embedded":true})",
      R"({"type":"EraseTable","table":"U"})",
      R"({"type":"CreateObject","table":"T","object":{"globalKey":{"hi":1,"lo":2}}})",
      R"({"type":"EraseObject","table":"T","object":{"uuid":"00000000-0000-0000-0000-000000000000"}})",
      R"({"type":"Update","table":"T","object":null,"field":"f","path":[4],"value":{"int":5},"priorSize":7})",
      R"({"type":"Update","table":"T","object":{"objectId":"000000000000000000000000"},"field":"f","path":["k"],"value":{"int":5},"isDefault":true})",
      R"({"type":"AddInteger","table":"T","object":{"objectId":"000000000000000000000000"},"field":"f","path":["k"],"value":-2})",
      R"({"type":"AddColumn","table":"T","field":"f","valueType":"Link","nullable":true,"collectionType":"Dictionary","keyType":"String","linkTarget":"U"})",
      R"({"type":"EraseColumn","table":"T","field":"f"})",
      R"({"type":"ArrayInsert","table":"T","object":null,"field":"f","path":[4],"value":{"int":5},"priorSize":4})",
      R"({"type":"ArrayMove","table":"T","object":null,"field":"f","path":[4],"newIndex":0,"priorSize":5})",
      R"({"type":"ArrayErase","table":"T","object":null,"field":"f","path":[4],"priorSize":5})",
      R"({"type":"Clear","table":"T","object":{"objectId":"000000000000000000000000"},"field":"f","path":["k"],"collectionType":"Single"})",
      R"({"type":"SetInsert","table":"T","object":{"objectId":"000000000000000000000000"},"field":"f","path":["k"],"value":{"int":5}})",
      R"({"type":"SetErase","table":"T","object":{"objectId":"000000000000000000000000"},"field":"f","path":["k"],"value":{"int":5}})",
  };
  REQUIRE(j["instructions"].size() == std::size(expected));
  for (std::size_t i = 0; i < std::size(expected); ++i) {
    CHECK(j["instructions"][i].dump() == expected[i]);
  }
  // The reader rebuilds the same changeset: same JSON, same bytes.
  auto back = from_json(j);
  REQUIRE(back.ok());
  CHECK(to_json(*back) == j);
  CHECK(encode(*back, Layout::hoisted).value() == encode(cs, Layout::hoisted).value());
}

TEST_CASE("changeset json: the reader accepts the vectors' number forms", "[changeset]") {
  auto cs = from_json(Json::parse(R"({"instructions":[
    {"type":"Update","table":"T","object":{"int":1},"field":"f","path":[],"value":{"double":1},"isDefault":false},
    {"type":"Update","table":"T","object":{"globalKey":{"hi":18446744073709551615,"lo":0}},"field":"f","path":[0],"value":{"float":"NaN"},"priorSize":4294967295}
  ],"internStrings":["T","f"]})"));
  REQUIRE(cs.ok());
  const auto& u0 = std::get<Update>(cs->instructions[0]);
  CHECK(u0.value.type == Type::Double);
  CHECK(u0.value.double_value == 1.0);
  const auto& u1 = std::get<Update>(cs->instructions[1]);
  CHECK(std::get<GlobalKey>(u1.prefix.object).hi == UINT64_MAX);
  CHECK(std::isnan(u1.value.float_value));
  CHECK(u1.prior_size == UINT32_MAX);
}

TEST_CASE("changeset json: the reader rejects malformed documents with the place", "[changeset]") {
  struct Case {
    const char* json;
    const char* message;
  };
  const Case cases[] = {
      {R"([])", "the document is not a JSON object"},
      {R"({"parseError":"x"})", "the document records a parse error"},
      {R"({"internStrings":[]})", "missing array \"instructions\""},
      {R"({"instructions":[]})", "missing array \"internStrings\""},
      {R"({"instructions":[],"internStrings":["a","a"]})", "\"internStrings\" holds \"a\" twice"},
      {R"({"instructions":[],"internStrings":[1]})", "\"internStrings\" holds a non-string"},
      {R"({"instructions":[{"type":"Nope"}],"internStrings":[]})",
       "instruction 0: unknown instruction type \"Nope\""},
      {R"({"instructions":[{"type":"EraseTable","table":"X"}],"internStrings":["T"]})",
       "instruction 0: \"X\" is not in \"internStrings\""},
      {R"({"instructions":[{"type":"EraseTable"}],"internStrings":[]})",
       "instruction 0: missing \"table\""},
      {R"({"instructions":[{"type":"CreateObject","table":"T","object":{"int":1.5}}],"internStrings":["T"]})",
       "instruction 0: \"int\" is not a 64-bit integer"},
      {R"({"instructions":[{"type":"CreateObject","table":"T","object":{"bool":true}}],"internStrings":["T"]})",
       "instruction 0: \"bool\" is not a primary key type"},
      {R"({"instructions":[{"type":"ArrayErase","table":"T","object":null,"field":"T","path":[],"priorSize":0}],"internStrings":["T"]})",
       "instruction 0: \"path\" does not end in an index"},
      {R"({"instructions":[{"type":"SetInsert","table":"T","object":null,"field":"T","path":[],"value":{"decimal":"1x"}}],"internStrings":["T"]})",
       "instruction 0: \"decimal\" is not a Decimal128 text"},
      {R"({"instructions":[{"type":"SetInsert","table":"T","object":null,"field":"T","path":[],"value":{"binary":"A"}}],"internStrings":["T"]})",
       "instruction 0: \"binary\" is not base64"},
      {R"({"instructions":[{"type":"SetInsert","table":"T","object":null,"field":"T","path":[],"value":{"globalKey":{"hi":1,"lo":1}}}],"internStrings":["T"]})",
       "instruction 0: \"globalKey\" is not a value type of a changeset"},
      {R"({"instructions":[{"type":"AddColumn","table":"T","field":"T","valueType":"Link","nullable":true,"collectionType":"Single"}],"internStrings":["T"]})",
       "instruction 0: \"linkTarget\" must be present exactly for Link columns"},
      {R"({"instructions":[{"type":"Update","table":"T","object":null,"field":"T","path":[4294967296],"value":null,"priorSize":0}],"internStrings":["T"]})",
       "instruction 0: a \"path\" element is not a string or an index"},
  };
  for (const auto& c : cases) {
    INFO(c.json);
    auto r = from_json(Json::parse(c.json));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == c.message);
  }
}

TEST_CASE("changeset json: Decimal128 text as realm-core writes it", "[changeset]") {
  auto bits = [](uint64_t coefficient, int exponent, bool negative) {
    return Decimal128{coefficient, (static_cast<uint64_t>(exponent + 6176) << 49) |
                                       (negative ? uint64_t{1} << 63 : 0)};
  };
  struct Case {
    Decimal128 value;
    const char* text;
  };
  const Case cases[] = {
      {bits(1050, -2, false), "10.50"},
      {bits(12345, 0, false), "12345"},
      {bits(123, 2, false), "1.23E4"},
      {bits(7, -3, false), "7E-3"},
      {bits(1, -3, true), "-1E-3"},
      {bits(0, 0, true), "-0"},
      {bits(0, 3, false), "0E3"},
      {bits(12345, -20, false), "1.2345E-16"},
      {Decimal128{0, 0x7800000000000000ull}, "Inf"},
      {Decimal128{0, 0xf800000000000000ull}, "-Inf"},
      {Decimal128{0, 0x7c00000000000000ull}, "NaN"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    CHECK(decimal_to_string(c.value) == c.text);
    auto back = decimal_from_string(c.text);
    REQUIRE(back);
    CHECK(*back == c.value);
  }
  // Coefficients beyond 64 bits take the Intel library's form.
  const Decimal128 big{0, (uint64_t{6176} << 49) | 1};  // 2^64
  CHECK(decimal_to_string(big) == "+18446744073709551616E+0");
  CHECK(decimal_from_string("+18446744073709551616E+0") == big);
  CHECK_FALSE(decimal_from_string(""));
  CHECK_FALSE(decimal_from_string("1E"));
  CHECK_FALSE(decimal_from_string("1.2.3"));
  CHECK_FALSE(decimal_from_string("1E99999"));
}
