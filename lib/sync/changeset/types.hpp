// The value types of the changeset format (changeset.md sections 3, 5, 6):
// type tags, collection and table types, fixed-width values and primary keys.
//
// Promises: these are plain values with no invariants beyond their ranges;
// every enumerator equals its wire code, and the names returned by the
// *_name functions are the ones the vectors' JSON uses.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

namespace ros::sync::changeset {

// Payload, key and column type tag (section 5.1). In AddColumn, Null means Mixed.
enum class Type : int8_t {
  Set = -6,
  List = -5,
  Erased = -4,
  Dictionary = -3,
  ObjectValue = -2,
  GlobalKey = -1,
  Null = 0,
  Int = 1,
  Bool = 2,
  String = 3,
  Binary = 4,
  Timestamp = 5,
  Float = 6,
  Double = 7,
  Decimal = 8,
  Link = 9,
  ObjectId = 10,
  UUID = 11,
};
inline constexpr int kMinType = -6;
inline constexpr int kMaxType = 11;

enum class CollectionType : uint8_t { Single = 0, List = 1, Dictionary = 2, Set = 3 };
enum class TableType : uint8_t { TopLevel = 0, Embedded = 1, TopLevelAsymmetric = 2 };

// "Int", "ObjectValue", ...: the JSON name of a tag (Null is "Null").
std::string_view type_name(Type type);
// The JSON name of a property type: as type_name, but Null is "Mixed".
std::string_view column_type_name(Type type);
std::optional<Type> type_from_name(std::string_view name);
std::optional<Type> column_type_from_name(std::string_view name);
std::string_view collection_type_name(CollectionType type);
std::optional<CollectionType> collection_type_from_name(std::string_view name);

struct GlobalKey {
  uint64_t hi = 0;
  uint64_t lo = 0;
  auto operator<=>(const GlobalKey&) const = default;
};

struct ObjectId {
  std::array<uint8_t, 12> bytes{};
  auto operator<=>(const ObjectId&) const = default;
};

struct Uuid {
  std::array<uint8_t, 16> bytes{};
  auto operator<=>(const Uuid&) const = default;
};

struct Timestamp {
  int64_t seconds = 0;
  int32_t nanoseconds = 0;
  auto operator<=>(const Timestamp&) const = default;
};

// A Decimal128 as its two raw BID words (section 3.6); the raw bits travel,
// so NaN, infinities and corrupt values all survive a round trip.
struct Decimal128 {
  uint64_t w0 = 0;  // low word
  uint64_t w1 = 0;  // high word: sign, 14-bit biased exponent, coefficient high bits
  auto operator<=>(const Decimal128&) const = default;
};

// Realm null (a null primary key, a Null payload).
struct Null {
  auto operator<=>(const Null&) const = default;
};

// An index into the changeset's table of interned strings.
struct InternRef {
  uint32_t index = 0;
  auto operator<=>(const InternRef&) const = default;
};

// An object key as it travels (section 6): strings are interned references.
using PrimaryKey = std::variant<Null, int64_t, InternRef, ObjectId, Uuid, GlobalKey>;

}  // namespace ros::sync::changeset
