// Version negotiation over Sec-WebSocket-Protocol (protocol.md 1.3): accepted
// offers with the chosen version and header value, then refused ones.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "sync/protocol/negotiation.hpp"

using namespace ros::sync::protocol;

namespace {

const char* const kClient14 =
    "com.mongodb.realm-sync#14, com.mongodb.realm-sync#13, com.mongodb.realm-sync#12, "
    "com.mongodb.realm-sync#11, com.mongodb.realm-sync#10, com.mongodb.realm-sync#9, "
    "com.mongodb.realm-sync#8, com.mongodb.realm-sync#7, com.mongodb.realm-sync#6, "
    "com.mongodb.realm-sync#5, com.mongodb.realm-sync#4, com.mongodb.realm-sync#3, "
    "com.mongodb.realm-sync#2";

}  // namespace

TEST_CASE("protocol: version negotiation accepts the offers of 1.3", "[protocol]") {
  struct Case {
    std::string offer;
    int version;
    std::string header;
  };
  const std::vector<Case> table = {
      {kClient14, 14, "com.mongodb.realm-sync#14"},  // the recorded 14.x client
      {"com.mongodb.realm-sync#2-14", 14, "com.mongodb.realm-sync#14"},
      {"com.mongodb.realm-sync#9", 9, "com.mongodb.realm-sync#9"},
      {"com.mongodb.realm-sync/7", 7, "com.mongodb.realm-sync/7"},
      {"  com.mongodb.realm-sync/12 ,foo", 12, "com.mongodb.realm-sync#12"},
      {"com.mongodb.realm-sync#8", 8, "com.mongodb.realm-sync#8"},
      {"com.mongodb.realm-sync#2", 2, "com.mongodb.realm-sync/2"},
      {"com.mongodb.realm-sync#10-20", 14, "com.mongodb.realm-sync#14"},
      {"com.mongodb.realm-sync#1-3", 3, "com.mongodb.realm-sync/3"},
      {"com.mongodb.realm-sync#99, com.mongodb.realm-sync#11", 11, "com.mongodb.realm-sync#11"},
      {"com.mongodb.realm-query-sync#14,com.mongodb.realm-sync#13", 13,
       "com.mongodb.realm-sync#13"},
      {"\tcom.mongodb.realm-sync#14\t", 14, "com.mongodb.realm-sync#14"},
      {"com.mongodb.realm-sync#014", 14, "com.mongodb.realm-sync#14"},
      {"com.mongodb.realm-sync#3,,com.mongodb.realm-sync#4", 4, "com.mongodb.realm-sync/4"},
  };
  for (const Case& c : table) {
    INFO(c.offer);
    auto r = negotiate(c.offer);
    REQUIRE(r.ok());
    CHECK(r.value().version == c.version);
    CHECK(r.value().header_value == c.header);
  }
}

TEST_CASE("protocol: version negotiation refuses offers with no common version", "[protocol]") {
  struct Case {
    std::optional<std::string> offer;
    ros::Errc code;
    std::string message;
  };
  const std::string none =
      "no supported-versions specification found in Sec-WebSocket-Protocol (expected "
      "com.mongodb.realm-sync#<version>)";
  const std::vector<Case> table = {
      {std::nullopt, ros::Errc::invalid_argument, none},
      {"", ros::Errc::invalid_argument, none},
      {"com.mongodb.realm-query-sync#14", ros::Errc::invalid_argument, none},
      {"foo, bar", ros::Errc::invalid_argument, none},
      {"COM.MONGODB.REALM-SYNC#14", ros::Errc::invalid_argument, none},
      {"com.mongodb.realm-sync#99", ros::Errc::conflict,
       "no protocol version in common: the server supports 2-14, the client 99"},
      {"com.mongodb.realm-sync#15-20, com.mongodb.realm-sync#1", ros::Errc::conflict,
       "no protocol version in common: the server supports 2-14, the client 15-20, 1"},
      {"com.mongodb.realm-sync#x", ros::Errc::invalid_argument,
       "malformed protocol version specification 'com.mongodb.realm-sync#x' in "
       "Sec-WebSocket-Protocol"},
      {"com.mongodb.realm-sync#", ros::Errc::invalid_argument,
       "malformed protocol version specification 'com.mongodb.realm-sync#' in "
       "Sec-WebSocket-Protocol"},
      {"com.mongodb.realm-sync#14, com.mongodb.realm-sync#9-3", ros::Errc::invalid_argument,
       "malformed protocol version specification 'com.mongodb.realm-sync#9-3' in "
       "Sec-WebSocket-Protocol"},
      {"com.mongodb.realm-sync#+14", ros::Errc::invalid_argument,
       "malformed protocol version specification 'com.mongodb.realm-sync#+14' in "
       "Sec-WebSocket-Protocol"},
      {"com.mongodb.realm-sync#-14", ros::Errc::invalid_argument,
       "malformed protocol version specification 'com.mongodb.realm-sync#-14' in "
       "Sec-WebSocket-Protocol"},
      {"com.mongodb.realm-sync#2-", ros::Errc::invalid_argument,
       "malformed protocol version specification 'com.mongodb.realm-sync#2-' in "
       "Sec-WebSocket-Protocol"},
      {"com.mongodb.realm-sync#14 13", ros::Errc::invalid_argument,
       "malformed protocol version specification 'com.mongodb.realm-sync#14 13' in "
       "Sec-WebSocket-Protocol"},
      {"com.mongodb.realm-sync#99999999999", ros::Errc::invalid_argument,
       "malformed protocol version specification 'com.mongodb.realm-sync#99999999999' in "
       "Sec-WebSocket-Protocol"},
  };
  for (const Case& c : table) {
    INFO((c.offer ? *c.offer : std::string("(no header)")));
    auto r = c.offer ? negotiate(std::string_view(*c.offer)) : negotiate(std::nullopt);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == c.code);
    CHECK(r.error().message == c.message);
  }
}

TEST_CASE("protocol: offers parse into ranges and a narrower server range is honoured",
          "[protocol]") {
  auto ranges = parse_protocol_offer("com.mongodb.realm-sync#14, x, com.mongodb.realm-sync/2-7");
  REQUIRE(ranges.ok());
  CHECK(ranges.value() == std::vector<VersionRange>{{14, 14}, {2, 7}});
  auto r = negotiate(std::string_view(kClient14), VersionRange{14, 14});
  REQUIRE(r.ok());
  CHECK(r.value().header_value == "com.mongodb.realm-sync#14");
  CHECK(format_protocol_header(8) == "com.mongodb.realm-sync#8");
  CHECK(format_protocol_header(7) == "com.mongodb.realm-sync/7");
}
