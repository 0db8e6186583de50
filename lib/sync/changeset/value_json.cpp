#include "sync/changeset/value_json.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

namespace ros::sync::changeset {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string hex(const uint8_t* p, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(kHex[p[i] >> 4]);
    out.push_back(kHex[p[i] & 15]);
  }
  return out;
}

bool unhex(std::string_view text, uint8_t* out, std::size_t n) {
  if (text.size() != 2 * n) return false;
  for (std::size_t i = 0; i < n; ++i) {
    const int hi = hex_value(text[2 * i]);
    const int lo = hex_value(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return true;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto at = [&](std::size_t k) { return static_cast<uint8_t>(bytes[k]); };
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(v >> s) & 63]);
  }
  const std::size_t left = bytes.size() - i;
  if (left == 1) {
    const uint32_t v = at(i) << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out += "==";
  } else if (left == 2) {
    const uint32_t v = (at(i) << 16) | (at(i + 1) << 8);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out += "=";
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text[i + k];
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        v[k] = 0;
        ++pad;
        continue;
      }
      if (pad > 0) return std::nullopt;
      v[k] = base64_value(c);
      if (v[k] < 0) return std::nullopt;
    }
    const uint32_t n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out.push_back(static_cast<char>((n >> 16) & 0xff));
    if (pad < 2) out.push_back(static_cast<char>((n >> 8) & 0xff));
    if (pad < 1) out.push_back(static_cast<char>(n & 0xff));
  }
  return out;
}

std::string object_id_to_string(const ObjectId& oid) { return hex(oid.bytes.data(), 12); }

std::optional<ObjectId> object_id_from_string(std::string_view text) {
  ObjectId oid;
  if (!unhex(text, oid.bytes.data(), 12)) return std::nullopt;
  return oid;
}

std::string uuid_to_string(const Uuid& uuid) {
  const std::string h = hex(uuid.bytes.data(), 16);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

std::optional<Uuid> uuid_from_string(std::string_view text) {
  if (text.size() != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' ||
      text[23] != '-') {
    return std::nullopt;
  }
  std::string digits;
  for (char c : text) {
    if (c != '-') digits.push_back(c);
  }
  Uuid uuid;
  if (!unhex(digits, uuid.bytes.data(), 16)) return std::nullopt;
  return uuid;
}

Json double_to_json(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  return value;
}

std::optional<double> double_from_json(const Json& j) {
  if (j.is_number_float()) return j.get<double>();
  if (j.is_number_integer()) {
    // Only when exact: an integer text stands for a whole double.
    if (j.is_number_unsigned()) return static_cast<double>(j.get<uint64_t>());
    return static_cast<double>(j.get<int64_t>());
  }
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  }
  return std::nullopt;
}

Json timestamp_to_json(const Timestamp& ts) {
  Json j = Json::object();
  j["seconds"] = ts.seconds;
  j["nanoseconds"] = ts.nanoseconds;
  return j;
}

std::optional<Timestamp> timestamp_from_json(const Json& j) {
  if (!j.is_object() || j.size() != 2 || !j.contains("seconds") || !j.contains("nanoseconds")) {
    return std::nullopt;
  }
  auto s = int_from_json(j["seconds"]);
  auto ns = int_from_json(j["nanoseconds"]);
  if (!s || !ns || *ns < INT32_MIN || *ns > INT32_MAX) return std::nullopt;
  return Timestamp{*s, static_cast<int32_t>(*ns)};
}

Json global_key_to_json(const GlobalKey& key) {
  Json j = Json::object();
  j["hi"] = key.hi;
  j["lo"] = key.lo;
  return j;
}

std::optional<GlobalKey> global_key_from_json(const Json& j) {
  if (!j.is_object() || j.size() != 2 || !j.contains("hi") || !j.contains("lo")) {
    return std::nullopt;
  }
  auto hi = uint_from_json(j["hi"]);
  auto lo = uint_from_json(j["lo"]);
  if (!hi || !lo) return std::nullopt;
  return GlobalKey{*hi, *lo};
}

std::optional<int64_t> int_from_json(const Json& j) {
  if (j.is_number_unsigned()) {
    const auto v = j.get<uint64_t>();
    if (v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(v);
  }
  if (j.is_number_integer()) return j.get<int64_t>();
  return std::nullopt;
}

std::optional<uint64_t> uint_from_json(const Json& j) {
  if (j.is_number_unsigned()) return j.get<uint64_t>();
  if (j.is_number_integer() && j.get<int64_t>() >= 0)
    return static_cast<uint64_t>(j.get<int64_t>());
  return std::nullopt;
}

std::optional<std::string> single_key(const Json& j) {
  if (!j.is_object() || j.size() != 1) return std::nullopt;
  return j.begin().key();
}

}  // namespace ros::sync::changeset
