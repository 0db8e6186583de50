#include "auth/base64.hpp"

#include <array>
#include <cstdint>

namespace ros::auth {
namespace {

constexpr char kStandard[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::int8_t kInvalid = -1;
constexpr std::int8_t kSkip = -2;
constexpr std::int8_t kPad = -3;

constexpr std::array<std::int8_t, 256> make_table() {
  std::array<std::int8_t, 256> table{};
  for (auto& v : table) v = kInvalid;
  for (int i = 0; i < 64; ++i) {
    table[static_cast<unsigned char>(kStandard[i])] = static_cast<std::int8_t>(i);
    table[static_cast<unsigned char>(kUrl[i])] = static_cast<std::int8_t>(i);
  }
  for (char c : {' ', '\t', '\n', '\r'}) table[static_cast<unsigned char>(c)] = kSkip;
  table[static_cast<unsigned char>('=')] = kPad;
  return table;
}

constexpr auto kTable = make_table();

std::string encode(std::string_view bytes, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    std::uint32_t n = (std::uint32_t(static_cast<unsigned char>(bytes[i])) << 16) |
                      (std::uint32_t(static_cast<unsigned char>(bytes[i + 1])) << 8) |
                      std::uint32_t(static_cast<unsigned char>(bytes[i + 2]));
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += alphabet[n & 63];
  }
  std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    std::uint32_t n = std::uint32_t(static_cast<unsigned char>(bytes[i])) << 16;
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    if (pad) out += "==";
  } else if (rest == 2) {
    std::uint32_t n = (std::uint32_t(static_cast<unsigned char>(bytes[i])) << 16) |
                      (std::uint32_t(static_cast<unsigned char>(bytes[i + 1])) << 8);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    if (pad) out += '=';
  }
  return out;
}

std::string describe(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u < 0x7f) return std::string("'") + c + "'";
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string("byte 0x") + kHex[u >> 4] + kHex[u & 15];
}

}  // namespace

std::string base64_encode(std::string_view bytes) { return encode(bytes, kStandard, true); }

std::string base64url_encode(std::string_view bytes) { return encode(bytes, kUrl, false); }

Result<std::string> base64_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3 + 3);
  std::uint32_t acc = 0;
  std::size_t chars = 0;    // data characters seen
  std::size_t padding = 0;  // '=' seen
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::int8_t v = kTable[static_cast<unsigned char>(text[i])];
    if (v == kSkip) continue;
    if (v == kPad) {
      ++padding;
      if (padding > 2) {
        return make_error(Errc::invalid_argument,
                          "invalid base64: more than two '=' at offset " + std::to_string(i));
      }
      continue;
    }
    if (v == kInvalid) {
      return make_error(Errc::invalid_argument, "invalid base64 character " + describe(text[i]) +
                                                    " at offset " + std::to_string(i));
    }
    if (padding > 0) {
      return make_error(Errc::invalid_argument,
                        "invalid base64: data after '=' at offset " + std::to_string(i));
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    ++chars;
    if (chars % 4 == 0) {
      out += static_cast<char>((acc >> 16) & 0xff);
      out += static_cast<char>((acc >> 8) & 0xff);
      out += static_cast<char>(acc & 0xff);
      acc = 0;
    }
  }
  std::size_t rest = chars % 4;
  if (rest == 1) {
    return make_error(Errc::invalid_argument, "invalid base64: truncated (a lone final character)");
  }
  if (padding > 0 && (rest == 0 || rest + padding != 4)) {
    return make_error(Errc::invalid_argument, "invalid base64: wrong amount of '=' padding");
  }
  if (rest == 2) {
    if ((acc & 0xf) != 0) {
      return make_error(Errc::invalid_argument, "invalid base64: non-zero bits after the data");
    }
    out += static_cast<char>((acc >> 4) & 0xff);
  } else if (rest == 3) {
    if ((acc & 0x3) != 0) {
      return make_error(Errc::invalid_argument, "invalid base64: non-zero bits after the data");
    }
    out += static_cast<char>((acc >> 10) & 0xff);
    out += static_cast<char>((acc >> 2) & 0xff);
  }
  return out;
}

}  // namespace ros::auth
