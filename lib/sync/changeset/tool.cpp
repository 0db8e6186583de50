#include "sync/changeset/tool.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "sync/changeset/applier.hpp"
#include "sync/changeset/changeset_json.hpp"
#include "sync/changeset/encoder.hpp"
#include "sync/changeset/memory_state.hpp"
#include "sync/changeset/parser.hpp"
#include "sync/changeset/state_json.hpp"

namespace ros::sync::changeset {

namespace fs = std::filesystem;

namespace {

Result<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::not_found, "cannot read '" + path.string() + "'");
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) return make_error(Errc::unavailable, "cannot read '" + path.string() + "'");
  return s.str();
}

Error in_file(const fs::path& path, const Error& e) {
  return Error{e.code, "'" + path.string() + "': " + e.message};
}

Result<Parsed> parse_file(const fs::path& path) {
  auto bytes = read_file(path);
  if (!bytes) return bytes.error();
  auto parsed = parse(*bytes);
  if (!parsed) return in_file(path, parsed.error());
  return parsed;
}

Result<Json> read_json(const fs::path& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  Json j = Json::parse(*text, nullptr, false);
  if (j.is_discarded())
    return make_error(Errc::invalid_argument, "'" + path.string() + "': not valid JSON");
  return j;
}

// Compares as JSON values (key order ignored); on a difference, names the
// first differing place as a JSON pointer.
std::optional<std::string> difference(const Json& actual, const Json& expected) {
  const auto a = nlohmann::json::parse(dump(actual));
  const auto e = nlohmann::json::parse(dump(expected));
  if (a == e) return std::nullopt;
  const auto patch = nlohmann::json::diff(e, a);
  if (patch.empty()) return std::string("(unknown place)");
  return patch[0].value("path", std::string("")) + " (" + patch[0].value("op", std::string("")) +
         ")";
}

std::size_t first_difference(const std::string& a, const std::string& b) {
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  return i;
}

}  // namespace

Result<std::string> decode_file(const fs::path& bin) {
  auto parsed = parse_file(bin);
  if (!parsed) return parsed.error();
  return dump(to_json(parsed->changeset)) + "\n";
}

Result<std::string> encode_file(const fs::path& json, Layout layout) {
  auto j = read_json(json);
  if (!j) return j.error();
  auto cs = from_json(*j);
  if (!cs) return in_file(json, cs.error());
  auto bytes = encode(*cs, layout);
  if (!bytes) return in_file(json, bytes.error());
  return bytes;
}

Result<std::string> apply_files(const std::vector<fs::path>& bins) {
  MemoryState state;
  for (const auto& bin : bins) {
    auto parsed = parse_file(bin);
    if (!parsed) return parsed.error();
    if (auto r = apply(state, parsed->changeset); !r) return in_file(bin, r.error());
  }
  auto j = state_to_json(state);
  if (!j) return j.error();
  return dump(*j) + "\n";
}

Result<CheckSummary> check_dir(const fs::path& dir, const std::optional<fs::path>& final_state,
                               std::ostream& out) {
  std::vector<fs::path> bins;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    if (p.extension() == ".bin" && fs::exists(fs::path(p).replace_extension(".json"))) {
      bins.push_back(p);
    }
  }
  if (ec)
    return make_error(Errc::not_found,
                      "cannot read folder '" + dir.string() + "': " + ec.message());
  std::sort(bins.begin(), bins.end());

  CheckSummary summary;
  MemoryState state;
  for (const auto& bin : bins) {
    const std::string name = bin.filename().string();
    std::vector<std::string> failures;
    auto bytes = read_file(bin);
    auto recorded = read_json(fs::path(bin).replace_extension(".json"));
    if (!bytes || !recorded) {
      failures.push_back(!bytes ? bytes.error().message : recorded.error().message);
    } else if (auto parsed = parse(*bytes); !parsed) {
      failures.push_back("decode: " + parsed.error().message);
    } else {
      if (auto diff = difference(to_json(parsed->changeset), *recorded)) {
        failures.push_back("decode differs from the recorded JSON at " + *diff);
      }
      const char* layout = parsed->layout == Layout::hoisted ? "hoisted" : "streaming";
      // The decoded form is encoded, not the one read from the JSON: the JSON
      // loses NaN payload bits and invalid UTF-8 (section 15.2), the model
      // keeps them. The model does not keep where strings were declared, so
      // this is a real test of the streaming layout.
      if (auto encoded = encode(parsed->changeset, parsed->layout); !encoded) {
        failures.push_back(std::string("encode (") + layout + "): " + encoded.error().message);
      } else if (*encoded != *bytes) {
        failures.push_back(std::string("encode (") + layout +
                           ") differs from the recorded bytes at byte " +
                           std::to_string(first_difference(*encoded, *bytes)) + " (" +
                           std::to_string(encoded->size()) + " bytes, recorded " +
                           std::to_string(bytes->size()) + ")");
      }
      // The JSON reader must take the recorded form back without loss.
      if (auto cs = from_json(*recorded); !cs) {
        failures.push_back("reading the recorded JSON: " + cs.error().message);
      } else if (auto diff = difference(to_json(*cs), *recorded)) {
        failures.push_back("the recorded JSON reads back differently at " + *diff);
      }
      if (auto r = apply(state, parsed->changeset); !r) {
        failures.push_back("apply: " + r.error().message);
      }
    }
    for (const auto& f : failures) out << name << ": " << f << "\n";
    (failures.empty() ? summary.passed : summary.failed) += 1;
  }

  fs::path expected_path = final_state ? *final_state : dir / "final-state.json";
  if (final_state || fs::exists(expected_path)) {
    const std::string name = expected_path.filename().string();
    auto expected = read_json(expected_path);
    auto actual = state_to_json(state);
    std::optional<std::string> failure;
    if (!expected) {
      failure = expected.error().message;
    } else if (!actual) {
      failure = "dumping the state: " + actual.error().message;
    } else if (auto diff = difference(*actual, *expected)) {
      failure = "the state after applying differs at " + *diff;
    }
    if (failure) out << name << ": " << *failure << "\n";
    (failure ? summary.failed : summary.passed) += 1;
  }
  out << summary.passed << " passed, " << summary.failed << " failed\n";
  return summary;
}

}  // namespace ros::sync::changeset
