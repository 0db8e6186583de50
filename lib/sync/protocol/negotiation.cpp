#include "sync/protocol/negotiation.hpp"

#include <algorithm>
#include <charconv>

namespace ros::sync::protocol {
namespace {

std::string_view trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// A decimal version number: digits only, at most 9 of them.
std::optional<int> version_number(std::string_view s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::string range_text(const VersionRange& r) {
  return r.from == r.to ? std::to_string(r.from)
                        : std::to_string(r.from) + "-" + std::to_string(r.to);
}

}  // namespace

ros::Result<std::vector<VersionRange>> parse_protocol_offer(std::string_view header_value) {
  std::vector<VersionRange> ranges;
  std::string_view rest = header_value;
  for (;;) {
    std::size_t comma = rest.find(',');
    std::string_view element = trim(rest.substr(0, comma));
    std::string_view spec;
    bool pbs = false;
    for (std::string_view prefix : {kProtocolPrefix, kLegacyProtocolPrefix}) {
      if (element.starts_with(prefix)) {
        spec = element.substr(prefix.size());
        pbs = true;
      }
    }
    if (pbs) {
      std::size_t dash = spec.find('-');
      auto from = version_number(spec.substr(0, dash));
      auto to = dash == std::string_view::npos ? from : version_number(spec.substr(dash + 1));
      if (!from || !to || *to < *from) {
        return make_error(Errc::invalid_argument, "malformed protocol version specification '" +
                                                      std::string(element) +
                                                      "' in Sec-WebSocket-Protocol");
      }
      ranges.push_back(VersionRange{*from, *to});
    }
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return ranges;
}

ros::Result<Negotiated> negotiate(std::optional<std::string_view> header_value,
                                  VersionRange server) {
  std::vector<VersionRange> ranges;
  if (header_value) {
    auto parsed = parse_protocol_offer(*header_value);
    if (!parsed) return parsed.error();
    ranges = std::move(parsed).value();
  }
  if (ranges.empty()) {
    return make_error(Errc::invalid_argument,
                      "no supported-versions specification found in Sec-WebSocket-Protocol "
                      "(expected com.mongodb.realm-sync#<version>)");
  }
  int best = 0;
  for (const VersionRange& r : ranges) {
    int hi = std::min(r.to, server.to);
    int lo = std::max(r.from, server.from);
    if (lo <= hi) best = std::max(best, hi);
  }
  if (best == 0) {
    std::string client;
    for (const VersionRange& r : ranges) {
      if (!client.empty()) client += ", ";
      client += range_text(r);
    }
    return make_error(Errc::conflict, "no protocol version in common: the server supports " +
                                          range_text(server) + ", the client " + client);
  }
  return Negotiated{best, format_protocol_header(best)};
}

std::string format_protocol_header(int version) {
  std::string_view prefix = version < 8 ? kLegacyProtocolPrefix : kProtocolPrefix;
  return std::string(prefix) + std::to_string(version);
}

}  // namespace ros::sync::protocol
