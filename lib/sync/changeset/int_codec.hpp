// The integer codec of Realm changesets (changeset.md section 2): a
// little-endian base-128 form whose final byte carries 6 value bits and a
// sign flag. It is not LEB128; never use a LEB128 library for it.
//
// Promises: encoders write the shortest form realm-core writes; decoders
// accept everything realm-core accepts (overlong forms up to the width's byte
// limit, the sign-flagged quirk for unsigned widths) and reject the rest by
// returning nullopt, never reading past `end`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace ros::sync::changeset {

// Appends the encoding of a signed or unsigned value.
void encode_int(std::string& out, int64_t value);
void encode_uint(std::string& out, uint64_t value);

// A decoder for one target width. `bits` is the width of the C++ type realm-core
// decodes into (8, 32 or 64) and `is_signed` its signedness (int is 32 bits
// signed). On success `pos` moves past the integer; on failure it is unchanged.
struct IntWidth {
  int bits;
  bool is_signed;
};
inline constexpr IntWidth kU8{8, false};
inline constexpr IntWidth kI32{32, true};
inline constexpr IntWidth kU32{32, false};
inline constexpr IntWidth kI64{64, true};
inline constexpr IntWidth kU64{64, false};

// The decoded value as the raw 64-bit pattern: for signed widths the
// sign-extended value, for unsigned ones the value itself.
std::optional<uint64_t> decode_int(const uint8_t* data, std::size_t size, std::size_t& pos,
                                   IntWidth width);

// The Decimal128 coefficient codec (section 2.3): unsigned, 128-bit, written
// with the same loop as encode_uint but read as plain LEB128 of at most 17
// bytes. A 128-bit value is held as {low, high}.
struct U128 {
  uint64_t lo = 0;
  uint64_t hi = 0;
};
void encode_coefficient(std::string& out, U128 value);
std::optional<U128> decode_coefficient(const uint8_t* data, std::size_t size, std::size_t& pos);

}  // namespace ros::sync::changeset
