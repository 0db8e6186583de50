#include "sync/changeset/decimal.hpp"

namespace ros::sync::changeset {

namespace {

constexpr int kBias = 6176;
constexpr uint64_t kCoefficientHighMask = (uint64_t{1} << 49) - 1;
constexpr uint64_t kSpecialMask = 0x7800000000000000ull;
constexpr uint64_t kNanMask = 0x7c00000000000000ull;

using u128 = unsigned __int128;

std::string u128_to_string(u128 v) {
  if (v == 0) return "0";
  std::string digits;
  while (v != 0) {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  return digits;
}

// The Intel library's form, which realm-core uses when the coefficient does
// not fit in 64 bits: sign, coefficient digits, 'E', signed exponent.
std::string intel_form(const Decimal128& d) {
  std::string out = (d.w1 >> 63) ? "-" : "+";
  if ((d.w1 & kNanMask) == kNanMask) return out + "NaN";
  if ((d.w1 & kSpecialMask) == kSpecialMask) return out + "Inf";
  u128 coefficient = 0;
  int exponent = 0;
  if ((d.w1 & 0x6000000000000000ull) == 0x6000000000000000ull) {
    // The large-coefficient form is never canonical: it reads as zero.
    exponent = static_cast<int>((d.w1 >> 47) & 0x3fff) - kBias;
  } else {
    coefficient = (static_cast<u128>(d.w1 & kCoefficientHighMask) << 64) | d.w0;
    exponent = static_cast<int>((d.w1 >> 49) & 0x3fff) - kBias;
    const u128 limit = static_cast<u128>(0x0001ed09bead87c0ull) << 64 | 0x378d8e6400000000ull;
    if (coefficient >= limit) coefficient = 0;  // >= 10^34: non-canonical, zero
  }
  out += u128_to_string(coefficient);
  out += 'E';
  out += exponent < 0 ? "-" : "+";
  out += std::to_string(exponent < 0 ? -exponent : exponent);
  return out;
}

}  // namespace

std::string decimal_to_string(const Decimal128& d) {
  const bool sign = (d.w1 >> 63) != 0;
  int exponent = static_cast<int>((d.w1 & 0x7fffffffffffffffull) >> 49) - kBias;
  if ((d.w1 & kCoefficientHighMask) != 0) return intel_form(d);

  std::string out = sign ? "-" : "";
  if ((d.w1 & kSpecialMask) == kSpecialMask) {
    return out + (((d.w1 & kNanMask) == kNanMask) ? "NaN" : "Inf");
  }
  const std::string digits = std::to_string(d.w0);
  std::size_t before = digits.size();
  while (before > 1 && exponent != 0) {
    --before;
    ++exponent;
  }
  out += digits.substr(0, before);
  if (before < digits.size()) {
    out += '.';
    out += digits.substr(before);
  }
  if (exponent != 0) {
    out += 'E';
    out += std::to_string(exponent);
  }
  return out;
}

std::optional<Decimal128> decimal_from_string(std::string_view text) {
  std::size_t i = 0;
  bool sign = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    sign = text[i] == '-';
    ++i;
  }
  const std::string_view rest = text.substr(i);
  const uint64_t sign_bit = sign ? (uint64_t{1} << 63) : 0;
  if (rest == "NaN") return Decimal128{0, kNanMask | sign_bit};
  if (rest == "Inf") return Decimal128{0, kSpecialMask | sign_bit};

  u128 coefficient = 0;
  int digits = 0;
  int fraction_digits = 0;
  bool in_fraction = false;
  for (; i < text.size() && text[i] != 'E'; ++i) {
    const char c = text[i];
    if (c == '.' && !in_fraction) {
      in_fraction = true;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    if (++digits > 35) return std::nullopt;
    coefficient = coefficient * 10 + static_cast<unsigned>(c - '0');
    if (in_fraction) ++fraction_digits;
  }
  if (digits == 0) return std::nullopt;
  long exponent = 0;
  if (i < text.size()) {  // 'E'
    ++i;
    bool negative = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
      negative = text[i] == '-';
      ++i;
    }
    if (i == text.size()) return std::nullopt;
    for (; i < text.size(); ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      exponent = exponent * 10 + (text[i] - '0');
      if (exponent > 100000) return std::nullopt;
    }
    if (negative) exponent = -exponent;
  }
  exponent -= fraction_digits;
  const long biased = exponent + kBias;
  if (biased < 0 || biased > 0x3fff) return std::nullopt;
  if ((coefficient >> 113) != 0) return std::nullopt;
  Decimal128 d;
  d.w0 = static_cast<uint64_t>(coefficient);
  d.w1 =
      static_cast<uint64_t>(coefficient >> 64) | (static_cast<uint64_t>(biased) << 49) | sign_bit;
  return d;
}

}  // namespace ros::sync::changeset
