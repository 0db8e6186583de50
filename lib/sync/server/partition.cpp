#include "sync/server/partition.hpp"

#include <charconv>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "auth/base64.hpp"
#include "storage/realm_path.hpp"

namespace ros::sync::server {
namespace {

using nlohmann::json;

Error unsupported(const std::string& why) {
  return make_error(Errc::invalid_argument, "bad partition value: " + why);
}

std::string hex_of(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

bool all_hex(std::string_view s) {
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A decimal integer that fits 64 bits (signed), canonical: no '+', no leading zeros.
std::optional<std::string> canonical_integer(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return std::to_string(value);
}

Result<std::string> uuid_path(std::string_view text) {
  // 8-4-4-4-12
  if (text.size() != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-') {
    return unsupported("a UUID is written 8-4-4-4-12 hex digits");
  }
  std::string digits;
  for (char c : text) {
    if (c != '-') digits += c;
  }
  if (!all_hex(digits)) return unsupported("a UUID is written 8-4-4-4-12 hex digits");
  return "/p/u/" + lower(std::string(text));
}

Result<std::string> binary_uuid_path(const json& binary) {
  if (!binary.is_object()) return unsupported("$binary must be an object");
  auto base64 = binary.find("base64");
  auto sub = binary.find("subType");
  if (base64 == binary.end() || !base64->is_string() || sub == binary.end() || !sub->is_string()) {
    return unsupported("$binary needs 'base64' and 'subType' strings");
  }
  if (*sub != "04" && *sub != "4") return unsupported("only binary subtype 04 (UUID) is a partition value");
  auto bytes = auth::base64_decode(base64->get<std::string>());
  if (!bytes || bytes->size() != 16) return unsupported("a UUID has 16 bytes");
  std::string h = hex_of(*bytes);
  return uuid_path(h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" +
                   h.substr(16, 4) + "-" + h.substr(20));
}

Result<std::string> string_path(const std::string& s, std::string_view identity) {
  std::string candidate = !s.empty() && s.front() == '/' ? s : "/" + s;
  if (candidate != "/p" && candidate.rfind("/p/", 0) != 0) {
    if (auto resolved = storage::resolve_realm_path(candidate, identity); resolved) {
      if (*resolved != "/p" && resolved->rfind("/p/", 0) != 0) return *resolved;
    }
  }
  if (s.empty()) return std::string("/p/s");
  return "/p/s/" + hex_of(s);
}

Result<std::string> object_path(const json& value) {
  if (value.size() != 1) return unsupported("an object is one of $numberInt, $numberLong, $oid, $uuid, $binary");
  const auto& [key, inner] = *value.items().begin();
  if (key == "$numberInt" || key == "$numberLong") {
    auto n = inner.is_string() ? canonical_integer(inner.get<std::string>()) : std::nullopt;
    if (!n) return unsupported(key + " must hold a decimal integer");
    return "/p/i/" + *n;
  }
  if (key == "$oid") {
    if (!inner.is_string() || inner.get<std::string>().size() != 24 || !all_hex(inner.get<std::string>())) {
      return unsupported("$oid must hold 24 hex digits");
    }
    return "/p/o/" + lower(inner.get<std::string>());
  }
  if (key == "$uuid") {
    if (!inner.is_string()) return unsupported("$uuid must hold a UUID string");
    return uuid_path(inner.get<std::string>());
  }
  if (key == "$binary") return binary_uuid_path(inner);
  return unsupported("'" + key.substr(0, 32) + "' is not a partition type");
}

}  // namespace

Result<std::optional<std::string>> partition_realm_path(std::string_view server_path,
                                                        std::string_view identity) {
  if (server_path.empty() || server_path.front() == '/') return std::optional<std::string>{};
  json value = json::parse(server_path, nullptr, false);
  if (value.is_discarded()) return std::optional<std::string>{};
  Result<std::string> path = make_error(Errc::invalid_argument, "");
  if (value.is_string()) {
    path = string_path(value.get<std::string>(), identity);
  } else if (value.is_number_integer()) {
    path = "/p/i/" + value.dump();
  } else if (value.is_null()) {
    path = std::string("/p/null");
  } else if (value.is_object()) {
    path = object_path(value);
  } else if (value.is_number_float()) {
    path = unsupported("a floating-point number is not a partition value");
  } else {
    path = unsupported(std::string("a ") + value.type_name() + " is not a partition value");
  }
  if (!path) return path.error();
  return std::optional<std::string>(std::move(*path));
}

}  // namespace ros::sync::server
