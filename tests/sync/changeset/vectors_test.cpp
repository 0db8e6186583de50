// Every recorded changeset in ../shared/testdata/realm-sync, including the
// merge scenarios' client uploads (streaming layout, not covered by the
// `ros-changeset check` tests because they only apply after a merge): the
// decoding is the recorded JSON text exactly, and encoding it in the layout
// it used gives the recorded bytes.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sync/changeset/changeset_json.hpp"
#include "sync/changeset/encoder.hpp"
#include "sync/changeset/parser.hpp"

namespace fs = std::filesystem;
using namespace ros::sync::changeset;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("vectors: every recorded changeset decodes to its JSON text and encodes back",
          "[changeset]") {
  const fs::path root = fs::path(ROS_SHARED_DIR) / "testdata" / "realm-sync";
  std::vector<fs::path> bins;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    const fs::path& p = e.path();
    if (p.extension() == ".bin" && fs::exists(fs::path(p).replace_extension(".json"))) {
      bins.push_back(p);
    }
  }
  std::sort(bins.begin(), bins.end());
  REQUIRE(bins.size() > 700);
  int streaming = 0;
  for (const auto& bin : bins) {
    INFO(bin.string());
    const std::string bytes = slurp(bin);
    std::string text = slurp(fs::path(bin).replace_extension(".json"));
    if (!text.empty() && text.back() == '\n') text.pop_back();
    auto parsed = parse(bytes);
    REQUIRE(parsed.ok());
    CHECK(dump(to_json(parsed->changeset)) == text);
    auto encoded = encode(parsed->changeset, parsed->layout);
    REQUIRE(encoded.ok());
    CHECK(*encoded == bytes);
    if (parsed->layout == Layout::streaming) ++streaming;
  }
  CHECK(streaming > 300);
}
