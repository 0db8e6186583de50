#include "sync/changeset/encoder.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "hex.hpp"
#include "sync/changeset/changeset_json.hpp"
#include "sync/changeset/parser.hpp"
#include "worked_examples.hpp"

using namespace ros::sync::changeset;
using ros::test::kWorkedExamples;
using ros::test::tohex;
using ros::test::unhex;

TEST_CASE("encoder: every worked example comes back byte for byte in its layout", "[changeset]") {
  for (const auto& [name, hex] : kWorkedExamples) {
    INFO(name);
    const std::string bytes = unhex(hex);
    auto parsed = parse(bytes);
    REQUIRE(parsed.ok());
    auto out = encode(parsed->changeset, parsed->layout);
    REQUIRE(out.ok());
    CHECK(tohex(*out) == tohex(bytes));
    // Through the JSON form as well: the JSON keeps what the encoder needs.
    auto back = from_json(to_json(parsed->changeset));
    REQUIRE(back.ok());
    auto again = encode(*back, parsed->layout);
    REQUIRE(again.ok());
    CHECK(tohex(*again) == tohex(bytes));
  }
}

TEST_CASE("encoder: the hoisted layout of E1 is E2", "[changeset]") {
  auto e1 = parse(unhex(kWorkedExamples[0].second));
  REQUIRE(e1.ok());
  auto out = encode(e1->changeset, Layout::hoisted);
  REQUIRE(out.ok());
  CHECK(tohex(*out) == tohex(unhex(kWorkedExamples[1].second)));
  // And the streaming layout of E2 is E1: the JSON form loses nothing.
  auto e2 = parse(unhex(kWorkedExamples[1].second));
  auto streaming = encode(e2->changeset, Layout::streaming);
  REQUIRE(streaming.ok());
  CHECK(tohex(*streaming) == tohex(unhex(kWorkedExamples[0].second)));
}

TEST_CASE("encoder: a changeset without instructions is zero bytes", "[changeset]") {
  Changeset cs;
  cs.strings = {"unused"};
  CHECK(encode(cs, Layout::hoisted).value().empty());
  CHECK(encode(cs, Layout::streaming).value().empty());
}

TEST_CASE("encoder: refuses what cannot be written", "[changeset]") {
  Changeset cs;
  cs.strings = {"T"};
  cs.instructions.push_back(EraseTable{InternRef{3}});
  auto r = encode(cs, Layout::hoisted);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "cannot encode changeset: interned string 3 is not in the table of 1");

  Changeset gk;
  gk.strings = {"T", "f"};
  Update u;
  u.prefix = PathPrefix{InternRef{0}, int64_t{1}, InternRef{1}, {}};
  u.value.type = Type::GlobalKey;
  gk.instructions.push_back(u);
  auto g = encode(gk, Layout::streaming);
  REQUIRE_FALSE(g.ok());
  CHECK(g.error().message == "cannot encode changeset: a GlobalKey cannot be a payload");
}

TEST_CASE("encoder: streaming places quirk strings as a client does", "[changeset]") {
  // Quirk (b): an unreferenced class name interned before an instruction that
  // needs nothing new goes with the first instruction reaching through a string.
  Changeset cs;
  cs.strings = {"Person", "alice", "address", "city", "Address"};
  Update first;
  first.prefix = PathPrefix{InternRef{0}, InternRef{1}, InternRef{2}, {InternRef{3}}};
  first.value.type = Type::Null;
  Update second = first;  // the same path again: nothing new to declare
  cs.instructions = {first, second};
  auto out = encode(cs, Layout::streaming);
  REQUIRE(out.ok());
  auto parsed = parse(*out);
  REQUIRE(parsed.ok());
  CHECK(parsed->layout == Layout::streaming);
  // "Address" (#4) is declared right before the second Update.
  const std::string bytes = *out;
  const std::string address_decl = unhex("3f 04 07") + "Address";
  const auto at = bytes.find(address_decl);
  REQUIRE(at != std::string::npos);
  CHECK(bytes.substr(at + address_decl.size(), 1) == unhex("04"));
}
