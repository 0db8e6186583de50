#include "sync/transform/vectors.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "sync/changeset/changeset_json.hpp"
#include "sync/changeset/encoder.hpp"
#include "sync/changeset/parser.hpp"

namespace ros::sync::transform {

namespace fs = std::filesystem;
using namespace changeset;

namespace {

Result<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::not_found, "cannot read '" + path.string() + "'");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Result<Parsed> parse_file(const fs::path& path) {
  auto bytes = read_file(path);
  if (!bytes) return bytes.error();
  auto parsed = parse(*bytes);
  if (!parsed)
    return make_error(Errc::invalid_argument, "'" + path.string() + "': " + parsed.error().message);
  return parsed;
}

std::string compact(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// The first difference between two changesets: by instruction (as JSON),
// then by interned-string table, then by bytes.
std::string first_difference(const char* name, const Changeset& actual,
                             const std::string& actual_bytes, const std::string& expected_bytes) {
  auto expected = parse(expected_bytes);
  if (!expected) return std::string(name) + ": recorded bytes do not parse";
  const Json a = to_json(actual);
  const Json e = to_json(expected->changeset);
  const auto& ai = a["instructions"];
  const auto& ei = e["instructions"];
  for (std::size_t i = 0; i < std::max(ai.size(), ei.size()); ++i) {
    const std::string got = i < ai.size() ? compact(ai[i]) : "(none)";
    const std::string want = i < ei.size() ? compact(ei[i]) : "(none)";
    if (got != want)
      return std::string(name) + " instruction " + std::to_string(i) + ": got " + got +
             ", expected " + want;
  }
  if (a["internStrings"] != e["internStrings"])
    return std::string(name) + " interned strings: got " + compact(a["internStrings"]) +
           ", expected " + compact(e["internStrings"]);
  std::size_t k = 0;
  while (k < actual_bytes.size() && k < expected_bytes.size() &&
         actual_bytes[k] == expected_bytes[k])
    ++k;
  return std::string(name) + " bytes differ at byte " + std::to_string(k);
}

Result<MergeChangeset> side(const fs::path& bin, const Json& meta) {
  auto parsed = parse_file(bin);
  if (!parsed) return parsed.error();
  MergeChangeset m;
  m.changeset = std::move(parsed->changeset);
  m.layout = parsed->layout;
  m.origin_timestamp = meta.value("originTimestamp", uint64_t{0});
  m.origin_file_ident = meta.value("originFileIdent", uint64_t{0});
  return m;
}

}  // namespace

Result<VectorCase> load_case(const fs::path& dir) {
  VectorCase c;
  c.id = dir.filename().string();
  auto text = read_file(dir / "case.json");
  if (!text) return text.error();
  c.meta = Json::parse(*text, nullptr, false);
  if (c.meta.is_discarded() || !c.meta.is_object())
    return make_error(Errc::invalid_argument, "'" + (dir / "case.json").string() + "': not JSON");
  auto setup = parse_file(dir / "setup.bin");
  if (!setup) return setup.error();
  c.setup = std::move(setup->changeset);
  auto a = side(dir / "a.bin", c.meta["a"]);
  if (!a) return a.error();
  c.a = std::move(*a);
  auto b = side(dir / "b.bin", c.meta["b"]);
  if (!b) return b.error();
  c.b = std::move(*b);
  if (c.meta.contains("transformError") && c.meta["transformError"].is_string())
    c.transform_error = c.meta["transformError"].get<std::string>();
  c.a_modified = c.meta.value("aModified", false);
  auto a_bytes = read_file(dir / "a.bin");
  if (!a_bytes) return a_bytes.error();
  c.a_bytes = std::move(*a_bytes);
  if (!c.transform_error) {
    auto at = read_file(dir / "a-transformed.bin");
    if (!at) return at.error();
    c.a_transformed = std::move(*at);
    auto bt = read_file(dir / "b-transformed.bin");
    if (!bt) return bt.error();
    c.b_transformed = std::move(*bt);
  }
  return c;
}

std::optional<std::string> check_case(VectorCase& c) {
  const auto a_before = encode(c.a.changeset, Layout::hoisted);
  if (!a_before) return "A does not encode: " + a_before.error().message;
  auto result = merge(std::span<MergeChangeset>(&c.a, 1), std::span<MergeChangeset>(&c.b, 1));
  if (c.transform_error) {
    if (result) return "merged, but realm-core failed: " + *c.transform_error;
    return std::nullopt;
  }
  if (!result) return "merge failed: " + result.error().message;
  auto b_bytes = encode(c.b.changeset, Layout::hoisted);
  if (!b_bytes) return "B' does not encode: " + b_bytes.error().message;
  if (*b_bytes != *c.b_transformed)
    return first_difference("B'", c.b.changeset, *b_bytes, *c.b_transformed);
  auto a_bytes = encode(c.a.changeset, Layout::hoisted);
  if (!a_bytes) return "A' does not encode: " + a_bytes.error().message;
  if (c.a_modified) {
    if (*a_bytes != *c.a_transformed)
      return first_difference("A'", c.a.changeset, *a_bytes, *c.a_transformed);
  } else {
    // Unmodified: realm-core stored nothing, the recording is a copy of A.
    if (*c.a_transformed != c.a_bytes) return "A' is recorded unmodified but differs from a.bin";
    if (*a_bytes != *a_before)
      return first_difference("A' (expected unchanged)", c.a.changeset, *a_bytes, *a_before);
  }
  return std::nullopt;
}

Result<VectorSummary> run_vectors(const fs::path& dir, std::ostream& out) {
  std::vector<fs::path> cases;
  std::error_code ec;
  for (fs::directory_iterator it(dir / "cases", ec), end; !ec && it != end; it.increment(ec))
    if (it->is_directory()) cases.push_back(it->path());
  if (ec)
    return make_error(Errc::not_found,
                      "cannot read folder '" + (dir / "cases").string() + "': " + ec.message());
  std::sort(cases.begin(), cases.end());
  VectorSummary summary;
  for (const auto& path : cases) {
    auto c = load_case(path);
    std::optional<std::string> failure;
    std::string pair = "?";
    if (!c) {
      failure = c.error().message;
    } else {
      pair = c->meta.value("target", std::string("?"));
      failure = check_case(*c);
    }
    if (failure) out << path.filename().string() << " " << pair << ": " << *failure << "\n";
    (failure ? summary.failed : summary.passed) += 1;
  }
  out << summary.passed << " passed, " << summary.failed << " failed\n";
  return summary;
}

}  // namespace ros::sync::transform
