// Ordering and defaults of state values (see state.hpp).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "sync/changeset/decimal.hpp"
#include "sync/changeset/state.hpp"

namespace ros::sync::changeset {

namespace {

using K = Value::Kind;

// realm-core sorts Mixed values by a rank first; numbers share one rank.
int rank(K kind) {
  switch (kind) {
    case K::Null:
      return 0;
    case K::Bool:
      return 1;
    case K::Int:
    case K::Float:
    case K::Double:
    case K::Decimal:
      return 2;
    case K::String:
      return 3;
    case K::Binary:
      return 4;
    case K::Timestamp:
      return 5;
    case K::ObjectId:
      return 6;
    case K::UUID:
      return 7;
    case K::Link:
      return 8;
    default:
      return 9;  // collections and embedded objects never sit in sets
  }
}

template <class T>
int three_way(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// Numbers compared numerically; long double holds every int64 exactly.
long double as_number(const Value& v) {
  switch (v.kind) {
    case K::Int:
      return static_cast<long double>(v.int_value);
    case K::Float:
      return v.float_value;
    case K::Double:
      return v.double_value;
    default: {
      // Decimal: through its text, adequate for ordering set elements.
      return std::strtold(decimal_to_string(v.decimal).c_str(), nullptr);
    }
  }
}

}  // namespace

int compare_values(const Value& a, const Value& b) {
  const int ra = rank(a.kind);
  const int rb = rank(b.kind);
  if (ra != rb) return ra < rb ? -1 : 1;
  switch (a.kind) {
    case K::Null:
      return 0;
    case K::Bool:
      return three_way(a.bool_value, b.bool_value);
    case K::Int:
    case K::Float:
    case K::Double:
    case K::Decimal: {
      if (a.kind == K::Int && b.kind == K::Int) return three_way(a.int_value, b.int_value);
      const long double x = as_number(a);
      const long double y = as_number(b);
      if (std::isnan(x) || std::isnan(y)) {
        if (std::isnan(x) && std::isnan(y)) return 0;
        return std::isnan(x) ? -1 : 1;  // NaN first
      }
      return three_way(x, y);
    }
    case K::String:
    case K::Binary: {
      // realm-core compares StringData/BinaryData with std::lexicographical_compare
      // over `char`, which is signed on x86-64 (where the reference server
      // runs): bytes >= 0x80 sort before ASCII.
      const bool less = std::lexicographical_compare(
          a.bytes.begin(), a.bytes.end(), b.bytes.begin(), b.bytes.end(),
          [](char x, char y) { return static_cast<signed char>(x) < static_cast<signed char>(y); });
      if (less) return -1;
      return a.bytes == b.bytes ? 0 : 1;
    }
    case K::Timestamp:
      return three_way(a.timestamp, b.timestamp);
    case K::ObjectId:
      return three_way(a.object_id, b.object_id);
    case K::UUID:
      return three_way(a.uuid, b.uuid);
    case K::Link: {
      if (int c = three_way(a.link_table, b.link_table)) return c;
      return three_way(a.link_key, b.link_key);
    }
    default:
      return 0;
  }
}

Value default_value(const ColumnSpec& column) {
  Value v;
  switch (column.collection) {
    case CollectionType::List:
      v.kind = K::List;
      return v;
    case CollectionType::Set:
      v.kind = K::Set;
      return v;
    case CollectionType::Dictionary:
      v.kind = K::Dictionary;
      return v;
    case CollectionType::Single:
      break;
  }
  if (column.nullable || column.type == Type::Null || column.type == Type::Link) return v;
  switch (column.type) {
    case Type::Int:
      v.kind = K::Int;
      break;
    case Type::Bool:
      v.kind = K::Bool;
      break;
    case Type::String:
      v.kind = K::String;
      break;
    case Type::Binary:
      v.kind = K::Binary;
      break;
    case Type::Timestamp:
      v.kind = K::Timestamp;
      break;
    case Type::Float:
      v.kind = K::Float;
      break;
    case Type::Double:
      v.kind = K::Double;
      break;
    case Type::Decimal:
      v.kind = K::Decimal;
      v.decimal = Decimal128{0, uint64_t{6176} << 49};  // 0
      break;
    case Type::ObjectId:
      v.kind = K::ObjectId;
      break;
    case Type::UUID:
      v.kind = K::UUID;
      break;
    default:
      break;
  }
  return v;
}

}  // namespace ros::sync::changeset
