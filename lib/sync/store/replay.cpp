#include "sync/store/replay.hpp"

#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <system_error>

#include "sync/changeset/changeset_json.hpp"
#include "sync/changeset/parser.hpp"
#include "sync/changeset/state_json.hpp"
#include "sync/store/realm_store.hpp"

namespace ros::sync::store {

namespace fs = std::filesystem;
namespace cs = ros::sync::changeset;
using cs::Json;

namespace {

std::optional<std::string> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return s.str();
}

std::optional<Json> read_json(const fs::path& path) {
  auto text = read_bytes(path);
  if (!text) return std::nullopt;
  Json j = Json::parse(*text, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

// A value for a message: compact JSON, shortened when long.
std::string shown(const nlohmann::json& j) {
  std::string s = j.dump();
  if (s.size() > 120) s = s.substr(0, 117) + "...";
  return s;
}

// The first place where two JSON values differ (key order ignored), as
// "at <pointer>: got X, recorded Y"; nullopt when equal.
std::optional<std::string> json_difference(const Json& actual, const Json& recorded) {
  const auto a = nlohmann::json::parse(actual.dump());
  const auto r = nlohmann::json::parse(recorded.dump());
  if (a == r) return std::nullopt;
  const auto patch = nlohmann::json::diff(r, a);
  if (patch.empty()) return std::string("somewhere");
  const auto& op = patch[0];
  const std::string path = op.value("path", std::string());
  nlohmann::json::json_pointer ptr(path);
  auto value_at = [&](const nlohmann::json& j) {
    return j.contains(ptr) ? shown(j.at(ptr)) : std::string("(absent)");
  };
  return "at " + (path.empty() ? std::string("/") : path) + ": got " + value_at(a) +
         ", recorded " + value_at(r);
}

// The first difference between two encoded changesets, from their decoded
// forms where possible: instruction by instruction, then the string table,
// then the bytes.
std::string changeset_difference(const std::string& got, const std::string& recorded) {
  auto a = cs::parse(got);
  auto r = cs::parse(recorded);
  if (!a) return "ours does not decode: " + a.error().message;
  if (!r) return "the recorded one does not decode: " + r.error().message;
  const Json ja = cs::to_json(a->changeset);
  const Json jr = cs::to_json(r->changeset);
  const Json& ia = ja["instructions"];
  const Json& ir = jr["instructions"];
  for (std::size_t i = 0; i < ia.size() && i < ir.size(); ++i) {
    if (nlohmann::json::parse(ia[i].dump()) == nlohmann::json::parse(ir[i].dump())) continue;
    std::string where = "instruction " + std::to_string(i) + " (" +
                        ir[i].value("type", std::string("?")) + ")";
    for (const auto& [key, value] : ir[i].items()) {
      if (!ia[i].contains(key)) {
        return where + ": " + key + ": got (absent), recorded " + shown(value);
      }
      if (nlohmann::json::parse(ia[i][key].dump()) != nlohmann::json::parse(value.dump())) {
        return where + ": " + key + ": got " + shown(ia[i][key]) + ", recorded " + shown(value);
      }
    }
    return where + ": got " + shown(ia[i]) + ", recorded " + shown(ir[i]);
  }
  if (ia.size() != ir.size()) {
    const std::size_t n = std::min(ia.size(), ir.size());
    const Json& extra = ia.size() > n ? ia[n] : ir[n];
    return std::to_string(ia.size()) + " instructions, recorded " + std::to_string(ir.size()) +
           "; first unmatched: instruction " + std::to_string(n) + " " + shown(extra) +
           (ia.size() > n ? " (ours)" : " (recorded)");
  }
  if (auto d = json_difference(ja["internStrings"], jr["internStrings"])) {
    return "same instructions, intern strings differ " + *d;
  }
  std::size_t i = 0;
  while (i < got.size() && i < recorded.size() && got[i] == recorded[i]) ++i;
  return "same instructions and strings, bytes differ at byte " + std::to_string(i) + " (" +
         std::to_string(got.size()) + " bytes, recorded " + std::to_string(recorded.size()) + ")";
}

uint64_t u64(const Json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number_unsigned()) {
    if (it != j.end() && it->is_number_integer() && it->get<int64_t>() >= 0) {
      return static_cast<uint64_t>(it->get<int64_t>());
    }
    throw std::runtime_error(std::string("missing or bad \"") + key + "\"");
  }
  return it->get<uint64_t>();
}

// A temporary folder, removed with everything in it.
class TempFolder {
 public:
  static Result<TempFolder> make() {
    std::string pattern = (fs::temp_directory_path() / "ros-replay-XXXXXX").string();
    if (!mkdtemp(pattern.data())) {
      return make_error(Errc::unavailable,
                        "cannot create a temporary folder like '" + pattern + "'");
    }
    return TempFolder(pattern);
  }
  TempFolder(TempFolder&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  TempFolder& operator=(TempFolder&&) = delete;
  ~TempFolder() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  explicit TempFolder(fs::path p) : path_(std::move(p)) {}
  fs::path path_;
};

// The recorded uploads as UPLOAD messages: consecutive changesets of one
// client recorded with the same message fields were sent together.
std::vector<Upload> recorded_uploads(const fs::path& dir, const Json& list) {
  std::vector<Upload> out;
  std::string last_key;
  for (const Json& u : list) {
    const Json& message = u.at("uploadMessage");
    const std::string key = std::to_string(u64(u, "clientFileIdent")) + " " + message.dump();
    if (out.empty() || key != last_key) {
      Upload up;
      up.client_file_ident = u64(u, "clientFileIdent");
      up.progress_client_version = u64(message, "progressClientVersion");
      up.progress_server_version = u64(message, "progressServerVersion");
      up.locked_server_version = u64(message, "lockedServerVersion");
      out.push_back(std::move(up));
      last_key = key;
    }
    UploadEntry e;
    e.client_version = u64(u, "clientVersion");
    e.last_integrated_server_version = u64(u, "lastIntegratedServerVersion");
    e.origin_timestamp = u64(u, "originTimestamp");
    e.origin_file_ident = u64(u, "originFileIdent");
    const fs::path bin = dir / u.at("bin").get<std::string>();
    auto bytes = read_bytes(bin);
    if (!bytes) throw std::runtime_error("cannot read '" + bin.string() + "'");
    e.changeset = std::move(*bytes);
    out.back().entries.push_back(std::move(e));
  }
  return out;
}

std::optional<std::string> replay_into(RealmStore& store, const fs::path& dir) {
  auto uploads_json = read_json(dir / "uploads.json");
  auto history_json = read_json(dir / "server-history.json");
  auto final_state = read_json(dir / "final-state.json");
  if (!uploads_json) return "cannot read uploads.json";
  if (!history_json) return "cannot read server-history.json";
  if (!final_state) return "cannot read final-state.json";

  // The recorded client files, with their identifiers (0 and 1 are not
  // clients' and are not in a ros file).
  for (const Json& f : history_json->at("clientFiles")) {
    const uint64_t ident = u64(f, "fileIdent");
    if (ident <= kServerFileIdent) continue;
    const uint64_t type = u64(f, "clientType");
    if (type != static_cast<uint64_t>(ClientType::regular) &&
        type != static_cast<uint64_t>(ClientType::subserver)) {
      return "client file " + std::to_string(ident) + " has client type " + std::to_string(type) +
             ", which ros does not have";
    }
    auto r = store.allocate_client_file_at(ident, static_cast<ClientType>(type));
    if (!r) return "allocating client file " + std::to_string(ident) + ": " + r.error().message;
  }

  const auto uploads = recorded_uploads(dir, *uploads_json);
  std::size_t changesets = 0;
  for (const Upload& up : uploads) {
    auto r = store.integrate_upload(up);
    if (!r) {
      return "upload of client file " + std::to_string(up.client_file_ident) +
             " (changesets " + std::to_string(changesets + 1) + ".." +
             std::to_string(changesets + up.entries.size()) + " of uploads.json) refused: " +
             r.error().message;
    }
    changesets += up.entries.size();
  }

  auto history = store.history_since(0, UINT64_MAX);
  if (!history) return "reading the history: " + history.error().message;
  const Json& entries = history_json->at("entries");
  for (std::size_t i = 0; i < entries.size() || i < history->size(); ++i) {
    if (i >= history->size()) {
      return "entry " + std::to_string(i + 1) + ": missing (" + std::to_string(history->size()) +
             " entries, recorded " + std::to_string(entries.size()) + ")";
    }
    const HistoryEntry& got = (*history)[i];
    const std::string name = "entry " + std::to_string(got.version);
    if (i >= entries.size()) {
      return name + ": not recorded (" + std::to_string(history->size()) + " entries, recorded " +
             std::to_string(entries.size()) + ")";
    }
    const Json& rec = entries[i];
    const std::pair<const char*, uint64_t> fields[] = {
        {"serverVersion", got.version},
        {"originFileIdent", got.origin_file_ident},
        {"clientVersion", got.client_version},
        {"originTimestamp", got.origin_timestamp},
    };
    for (const auto& [key, value] : fields) {
      if (value != u64(rec, key)) {
        return name + ": " + key + ": got " + std::to_string(value) + ", recorded " +
               std::to_string(u64(rec, key));
      }
    }
    const fs::path bin = dir / rec.at("bin").get<std::string>();
    auto recorded = read_bytes(bin);
    if (!recorded) return name + ": cannot read '" + bin.string() + "'";
    if (got.changeset != *recorded) {
      return name + ": changeset: " + changeset_difference(got.changeset, *recorded);
    }
  }

  auto state = cs::state_to_json(store.state());
  if (!state) return "final state: cannot dump it: " + state.error().message;
  if (auto d = json_difference(*state, *final_state)) return "final state: " + *d;
  return std::nullopt;
}

}  // namespace

Result<std::optional<std::string>> replay_scenario(const fs::path& dir) {
  auto folder = TempFolder::make();
  if (!folder) return folder.error();
  auto store = RealmStore::open(folder->path() / "replay.db");
  if (!store) return store.error();
  try {
    return replay_into(**store, dir);
  } catch (const std::exception& e) {
    // Malformed recordings (a missing key, a wrong type): the scenario fails.
    return std::optional<std::string>(std::string("bad recording: ") + e.what());
  }
}

ReplaySummary replay_scenarios(const std::vector<fs::path>& dirs, std::ostream& out) {
  ReplaySummary summary;
  for (const fs::path& dir : dirs) {
    std::string name = dir.filename().string();
    if (name.empty()) name = dir.parent_path().filename().string();  // "s001/"
    auto r = replay_scenario(dir);
    if (r && !*r) {
      out << "PASS " << name << "\n";
      ++summary.passed;
    } else {
      out << "FAIL " << name << ": " << (r ? **r : r.error().message) << "\n";
      ++summary.failed;
    }
    out.flush();
  }
  out << summary.passed << " passed, " << summary.failed << " failed\n";
  return summary;
}

}  // namespace ros::sync::store
