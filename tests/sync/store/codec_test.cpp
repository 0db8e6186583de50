#include "sync/store/codec.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>

using namespace ros::sync::changeset;
using namespace ros::sync::store;

namespace {

Value scalar(Value::Kind kind) {
  Value v;
  v.kind = kind;
  return v;
}

}  // namespace

TEST_CASE("store: object keys round-trip and encode uniquely", "[store]") {
  ObjectId oid;
  oid.bytes[0] = 0xff;
  Uuid uuid;
  uuid.bytes[15] = 7;
  const std::vector<ObjectKey> keys = {
      Null{},          int64_t{0},  int64_t{-1},  int64_t{std::numeric_limits<int64_t>::min()},
      int64_t{std::numeric_limits<int64_t>::max()}, std::string(), std::string("a\0b", 3),
      oid,             uuid,        GlobalKey{1, 2}, GlobalKey{~0ULL, ~0ULL},
  };
  std::set<std::string> encodings;
  for (const auto& key : keys) {
    auto bytes = encode_object_key(key);
    CHECK(encodings.insert(bytes).second);
    auto back = decode_object_key(bytes);
    REQUIRE(back.has_value());
    CHECK(*back == key);
  }
}

TEST_CASE("store: objects with every value kind round-trip", "[store]") {
  Object o;
  o["null"] = scalar(Value::Kind::Null);
  Value i = scalar(Value::Kind::Int);
  i.int_value = -123456789012345;
  o["int"] = i;
  Value b = scalar(Value::Kind::Bool);
  b.bool_value = true;
  o["bool"] = b;
  Value s = scalar(Value::Kind::String);
  s.bytes = std::string("h\0\xffllo", 6);
  o["string"] = s;
  Value bin = scalar(Value::Kind::Binary);
  bin.bytes = "\x01\x02";
  o["binary"] = bin;
  Value ts = scalar(Value::Kind::Timestamp);
  ts.timestamp = {-5, -999999999};
  o["ts"] = ts;
  Value f = scalar(Value::Kind::Float);
  f.float_value = std::numeric_limits<float>::quiet_NaN();
  o["float"] = f;
  Value d = scalar(Value::Kind::Double);
  d.double_value = -0.0;
  o["double"] = d;
  Value dec = scalar(Value::Kind::Decimal);
  dec.decimal = {0x1234, 0x3040000000000000ULL};
  o["decimal"] = dec;
  Value oid = scalar(Value::Kind::ObjectId);
  oid.object_id.bytes[11] = 9;
  o["oid"] = oid;
  Value uuid = scalar(Value::Kind::UUID);
  uuid.uuid.bytes[0] = 1;
  o["uuid"] = uuid;
  Value link = scalar(Value::Kind::Link);
  link.link_table = "Dog";
  link.link_key = int64_t{5};
  o["link"] = link;
  Value emb = scalar(Value::Kind::Embedded);
  emb.fields["street"] = s;
  Value list = scalar(Value::Kind::List);
  list.items = {i, emb, link};
  o["list"] = list;
  Value set = scalar(Value::Kind::Set);
  set.items = {b, i};
  o["set"] = set;
  Value dict = scalar(Value::Kind::Dictionary);
  dict.fields["k"] = list;
  o["dict"] = dict;

  auto back = decode_object(encode_object(o));
  REQUIRE(back.has_value());
  // Value has no operator==; a second encoding must give the same bytes.
  CHECK(encode_object(*back) == encode_object(o));
  uint32_t nan_bits = 0;
  std::memcpy(&nan_bits, &(*back)["float"].float_value, 4);
  uint32_t want_bits = 0;
  std::memcpy(&want_bits, &f.float_value, 4);
  CHECK(nan_bits == want_bits);
  CHECK(std::signbit((*back)["double"].double_value));
  CHECK((*back)["string"].bytes == s.bytes);
  CHECK((*back)["list"].items.at(1).fields.at("street").bytes == s.bytes);
}

TEST_CASE("store: class specs round-trip", "[store]") {
  ClassSpec spec;
  spec.table_type = TableType::TopLevelAsymmetric;
  spec.primary_key = PrimaryKeySpec{"_id", Type::ObjectId, true};
  spec.orphaned_objects = 3;
  spec.columns["_id"] = ColumnSpec{Type::ObjectId, true, CollectionType::Single, ""};
  spec.columns["dogs"] = ColumnSpec{Type::Link, false, CollectionType::Dictionary, "Dog"};
  spec.columns["any"] = ColumnSpec{Type::Null, true, CollectionType::List, ""};
  auto back = decode_class_spec(encode_class_spec(spec));
  REQUIRE(back.has_value());
  CHECK(*back == spec);
  ClassSpec embedded;
  embedded.table_type = TableType::Embedded;
  CHECK(decode_class_spec(encode_class_spec(embedded)) == embedded);
}

TEST_CASE("store: malformed records are refused, never over-read", "[store]") {
  Object o;
  Value s = scalar(Value::Kind::String);
  s.bytes = "hello";
  o["name"] = s;
  const std::string good = encode_object(o);
  for (std::size_t n = 0; n < good.size(); ++n) {
    INFO("prefix of " << n << " bytes");
    CHECK_FALSE(decode_object(good.substr(0, n)).has_value());
  }
  CHECK_FALSE(decode_object(good + "x").has_value());     // trailing bytes
  CHECK_FALSE(decode_object_key("\x06").has_value());     // unknown key kind
  CHECK_FALSE(decode_object(std::string("\x01\x01x\x10", 4)).has_value());  // unknown value kind
  CHECK_FALSE(decode_object(std::string("\xff\xff\xff\xff\x0f", 5)).has_value());  // huge count
  // Nesting beyond the limit (lists in lists) is refused, not recursed.
  std::string deep = std::string("\x01\x01x", 3);
  for (int i = 0; i < 300; ++i) deep += std::string("\x0e\x01", 2);
  deep += '\x00';
  CHECK_FALSE(decode_object(deep).has_value());
}
