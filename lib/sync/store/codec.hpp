// The compact binary encoding of the materialized state's records, as the
// SQLite store keeps them (one BLOB per class spec, per object key and per
// top-level object). Format "ros state codec 1":
//
//   uint    unsigned LEB128 (7 bits per byte, low group first)
//   sint    zigzag, then uint
//   bytes   uint length, then the bytes
//   Value   one byte Value::Kind, then by kind: Null nothing; Int sint;
//           Bool one byte 0/1; String, Binary bytes; Timestamp sint seconds,
//           sint nanoseconds; Float 4 bytes, Double 8 bytes (IEEE bits,
//           little-endian, so NaN payloads survive); Decimal w0 then w1, 8
//           bytes each, little-endian; ObjectId 12 bytes; UUID 16 bytes; Link
//           bytes class, then ObjectKey; Embedded, Dictionary a field map;
//           List, Set uint count, then the Values
//   field map  uint count, then per field: bytes name, Value (sorted by name)
//   ObjectKey  one byte variant index (0 Null, 1 Int, 2 String, 3 ObjectId,
//           4 UUID, 5 GlobalKey), then: nothing; sint; bytes; 12 bytes; 16
//           bytes; uint hi, uint lo
//   Object  a field map
//   ClassSpec  byte table type; byte 0/1 has primary key, and if 1: bytes
//           field, byte type (int8), byte nullable; uint orphaned objects;
//           uint column count, then per column: bytes name, byte type (int8),
//           byte nullable, byte collection, bytes link target
//
// Promises: decode(encode(x)) == x for every value; an object key's encoding
// is unique to it (used as the row key). Decoders never read past the input
// and return nullopt on anything malformed or with trailing bytes (the store
// reports that as a corrupt file). Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sync/changeset/state.hpp"

namespace ros::sync::store {

std::string encode_object_key(const changeset::ObjectKey& key);
std::optional<changeset::ObjectKey> decode_object_key(std::string_view bytes);

std::string encode_object(const changeset::Object& object);
std::optional<changeset::Object> decode_object(std::string_view bytes);

std::string encode_class_spec(const changeset::ClassSpec& spec);
std::optional<changeset::ClassSpec> decode_class_spec(std::string_view bytes);

}  // namespace ros::sync::store
