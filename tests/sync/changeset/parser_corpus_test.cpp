// Runs the parser invariants over the vector corpus and a few thousand
// deterministic mutations of it: the fuzz target's checks under the normal
// compiler, so every build exercises them.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz/parser_invariants.hpp"
#include "hex.hpp"
#include "worked_examples.hpp"

namespace fs = std::filesystem;

namespace {

std::vector<std::string> corpus() {
  std::vector<std::string> out;
  for (const auto& [name, hex] : ros::test::kWorkedExamples) out.push_back(ros::test::unhex(hex));
  const fs::path root = fs::path(ROS_SHARED_DIR) / "testdata" / "realm-sync";
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".bin") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    out.push_back(s.str());
  }
  return out;
}

// One random edit of the kinds that find parser bugs: flipped bits,
// boundary bytes, cuts, insertions, and splices of two inputs.
std::string mutate(const std::string& a, const std::string& b, std::mt19937_64& rng) {
  std::string s = a;
  auto pick = [&](std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng() % n); };
  static const unsigned char kBytes[] = {0x00, 0x01, 0x3f, 0x40, 0x41,
                                         0x7f, 0x80, 0xbf, 0xc0, 0xff};
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits; ++e) {
    switch (rng() % 6) {
      case 0:
        if (!s.empty()) s[pick(s.size())] ^= static_cast<char>(1u << (rng() % 8));
        break;
      case 1:
        if (!s.empty()) s[pick(s.size())] = static_cast<char>(kBytes[pick(sizeof kBytes)]);
        break;
      case 2:
        s.resize(pick(s.size() + 1));
        break;
      case 3:
        s.insert(pick(s.size() + 1), 1, static_cast<char>(kBytes[pick(sizeof kBytes)]));
        break;
      case 4:
        if (!s.empty()) s.erase(pick(s.size()), 1 + pick(4));
        break;
      default:
        s = s.substr(0, pick(s.size() + 1)) + b.substr(pick(b.size() + 1));
        break;
    }
  }
  return s;
}

}  // namespace

TEST_CASE("parser fuzz: the vector corpus keeps every invariant", "[changeset]") {
  const auto inputs = corpus();
  REQUIRE(inputs.size() > 100);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const auto& in = inputs[i];
    auto broken =
        ros::test::check_parser_invariants(reinterpret_cast<const uint8_t*>(in.data()), in.size());
    INFO("input " << i << ": " << ros::test::tohex(in));
    CHECK_FALSE(broken);
  }
}

TEST_CASE("parser fuzz: five thousand mutated inputs keep every invariant", "[changeset]") {
  const auto inputs = corpus();
  std::mt19937_64 rng(20261126);
  int failures = 0;
  for (int n = 0; n < 5000 && failures < 5; ++n) {
    const std::string& a = inputs[rng() % inputs.size()];
    const std::string& b = inputs[rng() % inputs.size()];
    const std::string in = mutate(a, b, rng);
    auto broken =
        ros::test::check_parser_invariants(reinterpret_cast<const uint8_t*>(in.data()), in.size());
    if (broken) {
      ++failures;
      INFO("mutation " << n << ": " << ros::test::tohex(in));
      CHECK(*broken == "");
    }
  }
  CHECK(failures == 0);
}
