#include "sync/changeset/int_codec.hpp"

namespace ros::sync::changeset {

namespace {

void encode_magnitude(std::string& out, uint64_t magnitude, bool negative) {
  while (magnitude >= 64) {
    out.push_back(static_cast<char>(0x80 | (magnitude & 0x7f)));
    magnitude >>= 7;
  }
  out.push_back(static_cast<char>((negative ? 0x40 : 0x00) | magnitude));
}

}  // namespace

void encode_int(std::string& out, int64_t value) {
  // ~value is -(value+1) for negatives and cannot overflow, unlike -value.
  if (value < 0) {
    encode_magnitude(out, ~static_cast<uint64_t>(value), true);
  } else {
    encode_magnitude(out, static_cast<uint64_t>(value), false);
  }
}

void encode_uint(std::string& out, uint64_t value) { encode_magnitude(out, value, false); }

std::optional<uint64_t> decode_int(const uint8_t* data, std::size_t size, std::size_t& pos,
                                   IntWidth width) {
  const int value_bits = width.is_signed ? width.bits - 1 : width.bits;
  const int max_bytes = (1 + value_bits + 6) / 7;
  const uint64_t max_value = value_bits == 64 ? UINT64_MAX : ((uint64_t{1} << value_bits) - 1);
  std::size_t p = pos;
  uint64_t acc = 0;
  uint8_t b = 0;
  for (int k = 0;; ++k) {
    if (p >= size) return std::nullopt;
    b = data[p++];
    const int shift = 7 * k;
    if ((b & 0x80) == 0) {
      const uint64_t part = b & 0x3f;
      const uint64_t limit = shift >= 64 ? 0 : (max_value >> shift);
      if (part > limit) return std::nullopt;
      if (shift < 64) acc |= part << shift;
      break;
    }
    if (k == max_bytes - 1) return std::nullopt;
    acc |= static_cast<uint64_t>(b & 0x7f) << shift;
  }
  uint64_t result = acc;
  if (b & 0x40) {
    if (width.is_signed) {
      result = ~acc;  // -acc - 1, as a 64-bit pattern
    } else {
      // realm-core's quirk: a sign flag in an unsigned field gives the bit
      // pattern of the negative number, except for a lone zero.
      if (acc == 0) return std::nullopt;
      result = (max_value - acc);
    }
  }
  pos = p;
  return result;
}

void encode_coefficient(std::string& out, U128 value) {
  auto at_least_64 = [&] { return value.hi != 0 || value.lo >= 64; };
  while (at_least_64()) {
    out.push_back(static_cast<char>(0x80 | (value.lo & 0x7f)));
    value.lo = (value.lo >> 7) | (value.hi << 57);
    value.hi >>= 7;
  }
  out.push_back(static_cast<char>(value.lo));
}

std::optional<U128> decode_coefficient(const uint8_t* data, std::size_t size, std::size_t& pos) {
  std::size_t p = pos;
  U128 acc;
  for (int k = 0; k < 17; ++k) {
    if (p >= size) return std::nullopt;
    const uint8_t b = data[p++];
    const uint64_t part = b & 0x7f;
    const int shift = 7 * k;
    if (shift < 64) {
      acc.lo |= part << shift;
      if (shift > 57) acc.hi |= part >> (64 - shift);
    } else {
      acc.hi |= part << (shift - 64);
    }
    if ((b & 0x80) == 0) {
      pos = p;
      return acc;
    }
  }
  return std::nullopt;
}

}  // namespace ros::sync::changeset
