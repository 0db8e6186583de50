// Mutated recorded messages (bytes flipped, cut, inserted) never crash the
// parsers; whatever still parses formats to bytes that parse back to the same
// message.
#include <catch2/catch.hpp>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"
#include "sync/protocol/codec.hpp"
#include "sync/protocol/compression.hpp"

using namespace ros::sync::protocol;

namespace {

std::vector<std::string> corpus() {
  std::vector<std::string> out;
  auto dir = std::filesystem::path(ROS_SHARED_DIR) / "testdata/realm-sync/transcript/raw";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    out.push_back(ros::test::read_file(entry.path()));
  }
  // A compressed UPLOAD and DOWNLOAD too.
  Upload u{1, 5, 0, 0, {{2, 0, 1, 0, std::string(3000, 'u')}}};
  out.push_back(format(ClientMessage{u}));
  Download d{1, 2, 3, 2, 4, 5, 0, 0, {{1, 0, 1, 2, 3000, std::string(3000, 'd')}}};
  out.push_back(format(ServerMessage{d}));
  return out;
}

std::string mutate(std::string s, std::mt19937& rng) {
  const char alphabet[] = "0123456789 -+\n\rxa";
  switch (rng() % 4) {
    case 0:
      if (!s.empty()) s[rng() % s.size()] = alphabet[rng() % (sizeof alphabet - 1)];
      break;
    case 1:
      if (!s.empty()) s[rng() % s.size()] ^= static_cast<char>(1 << (rng() % 8));
      break;
    case 2:
      s.resize(s.empty() ? 0 : rng() % s.size());
      break;
    default:
      s.insert(s.empty() ? 0 : rng() % s.size(), 1, alphabet[rng() % (sizeof alphabet - 1)]);
      break;
  }
  return s;
}

}  // namespace

TEST_CASE("protocol: mutated messages are refused or round-trip, never crash", "[protocol]") {
  std::mt19937 rng(2026);
  int parsed = 0;
  int refused = 0;
  const ParseLimits limits{1 << 20};
  for (const std::string& original : corpus()) {
    for (int i = 0; i < 300; ++i) {
      std::string bytes = mutate(mutate(original, rng), rng);
      auto c = parse_client_message(bytes, limits);
      if (c.ok()) {
        ++parsed;
        auto again = parse_client_message(format(c.value()), limits);
        REQUIRE(again.ok());
        CHECK(again.value() == c.value());
      } else {
        ++refused;
        CHECK_FALSE(c.error().message.empty());
      }
      auto s = parse_server_message(bytes, limits);
      if (s.ok()) {
        ++parsed;
        auto again = parse_server_message(format(s.value()), limits);
        REQUIRE(again.ok());
        CHECK(again.value() == s.value());
      } else {
        ++refused;
      }
    }
  }
  CHECK(parsed > 0);
  CHECK(refused > 0);
}
