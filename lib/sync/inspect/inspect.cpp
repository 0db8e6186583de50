#include "sync/inspect/inspect.hpp"

#include <algorithm>
#include <map>
#include <system_error>
#include <vector>

#include "storage/realm_path.hpp"
#include "storage/sqlite.hpp"
#include "sync/changeset/changeset_json.hpp"
#include "sync/changeset/parser.hpp"
#include "sync/changeset/state_json.hpp"

namespace ros::sync::inspect {
namespace {

namespace fs = std::filesystem;
namespace cs = ros::sync::changeset;
using nlohmann::json;

constexpr std::string_view kDbSuffix = ".db";

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The files SQLite keeps beside a database.
std::vector<fs::path> companions(const fs::path& file) {
  return {fs::path(file.string() + "-wal"), fs::path(file.string() + "-shm"),
          fs::path(file.string() + "-journal")};
}

std::uint64_t size_on_disk(const fs::path& file) {
  std::uint64_t total = 0;
  std::error_code ec;
  auto size = fs::file_size(file, ec);
  if (!ec) total += size;
  for (const auto& c : companions(file)) {
    size = fs::file_size(c, ec);
    if (!ec) total += size;
  }
  return total;
}

// History counts read with a connection of our own that only reads, so that
// a listing neither creates, migrates nor locks a Realm file for long.
Result<std::pair<std::int64_t, std::int64_t>> history_counts(const fs::path& file) {
  auto db = sql::open_existing(file.string());
  if (!db) return db.error();
  sqlite3* raw = db->get();
  auto app = sql::query_int(raw, "PRAGMA application_id");
  if (!app) return app.error();
  if (app->value_or(0) != store::kApplicationId) {
    return make_error(Errc::conflict, "not a ros Realm file");
  }
  auto stmt = sql::Statement::prepare(
      raw,
      "SELECT count(*), max(coalesce(max(version), 0), "
      "(SELECT value FROM meta WHERE key = 'history_base_version')) FROM history");
  if (!stmt) return stmt.error();
  auto row = stmt->step();
  if (!row) return row.error();
  if (!*row) return make_error(Errc::internal, "no answer to the history count");
  return std::pair{stmt->int64(0), stmt->int64(1)};
}

json describe(const fs::path& file, const std::string& path) {
  json entry = json::object();
  entry["path"] = path;
  auto owner = storage::realm_owner(path);
  entry["owner"] = owner ? json(*owner) : json(nullptr);
  entry["file"] = file.string();
  entry["size"] = size_on_disk(file);
  auto counts = history_counts(file);
  if (counts) {
    entry["history_length"] = counts->first;
    entry["latest_version"] = counts->second;
  } else {
    entry["error"] = counts.error().message;
  }
  return entry;
}

// A read-only view of a State that lists at most `limit` objects per
// top-level class and remembers how many each class has, so the state dump
// renders only the objects shown.
class LimitedState final : public cs::State {
 public:
  LimitedState(const cs::State& inner, std::size_t limit) : inner_(inner), limit_(limit) {}

  const std::map<std::string, std::size_t>& totals() const { return totals_; }

  Result<std::vector<std::string>> class_names() const override { return inner_.class_names(); }
  Result<std::optional<cs::ClassSpec>> get_class(const std::string& name) const override {
    return inner_.get_class(name);
  }
  Result<std::vector<cs::ObjectKey>> object_keys(const std::string& cls) const override {
    auto keys = inner_.object_keys(cls);
    if (!keys) return keys;
    totals_[cls] = keys->size();
    if (keys->size() > limit_) keys->resize(limit_);
    return keys;
  }
  Result<std::optional<cs::Object>> get_object(const std::string& cls,
                                               const cs::ObjectKey& key) const override {
    return inner_.get_object(cls, key);
  }
  Result<bool> has_object(const std::string& cls, const cs::ObjectKey& key) const override {
    return inner_.has_object(cls, key);
  }
  Result<void> put_class(const std::string&, const cs::ClassSpec&) override { return read_only(); }
  Result<void> erase_class(const std::string&) override { return read_only(); }
  Result<void> put_object(const std::string&, const cs::ObjectKey&, const cs::Object&) override {
    return read_only();
  }
  Result<void> erase_object(const std::string&, const cs::ObjectKey&) override {
    return read_only();
  }
  Result<void> begin() override { return read_only(); }
  Result<void> commit() override { return read_only(); }
  Result<void> rollback() override { return read_only(); }

 private:
  static Error read_only() { return make_error(Errc::internal, "the inspected state is read-only"); }

  const cs::State& inner_;
  std::size_t limit_;
  mutable std::map<std::string, std::size_t> totals_;
};

Result<json> dump_state(const store::RealmStore& store, std::size_t limit, bool schema_only,
                        const std::optional<std::string>& cls) {
  LimitedState limited(store.state(), limit);
  auto dumped = cs::state_to_json(limited);
  if (!dumped) return dumped.error();
  json classes = json((*dumped)["classes"]);
  if (cls) {
    if (!classes.contains(*cls)) {
      std::string names;
      for (const auto& [name, _] : classes.items()) names += (names.empty() ? "" : ", ") + name;
      return make_error(Errc::not_found, "no class '" + *cls + "' in the Realm (classes: " +
                                             (names.empty() ? "none" : names) + ")");
    }
    json only = json::object();
    only[*cls] = std::move(classes[*cls]);
    classes = std::move(only);
  }
  for (auto& [name, c] : classes.items()) {
    if (schema_only) {
      c.erase("objects");
      c.erase("objectCount");
    } else if (c.contains("objects")) {
      auto total = limited.totals().find(name);
      c["objectTotal"] = total == limited.totals().end() ? 0 : total->second;
    }
  }
  json out = json::object();
  out["classes"] = std::move(classes);
  return out;
}

}  // namespace

Result<fs::path> realm_file(const storage::Layout& layout, std::string_view path) {
  auto file = layout.realm_file(path);
  if (!file) return file.error();
  std::error_code ec;
  if (!fs::is_regular_file(*file, ec)) {
    return make_error(Errc::not_found, "no Realm '" + std::string(path) + "' (no file '" +
                                           file->string() + "')");
  }
  return *file;
}

json list_realms(const storage::Layout& layout) {
  std::vector<std::pair<std::string, fs::path>> found;
  std::error_code ec;
  const fs::path dir = layout.realms_dir();
  if (fs::is_directory(dir, ec)) {
    for (auto it = fs::recursive_directory_iterator(dir, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      std::error_code type_ec;
      if (!it->is_regular_file(type_ec)) continue;
      std::string rel = it->path().lexically_relative(dir).generic_string();
      if (!ends_with(rel, kDbSuffix)) continue;
      found.emplace_back("/" + rel.substr(0, rel.size() - kDbSuffix.size()), it->path());
    }
  }
  std::sort(found.begin(), found.end());
  json realms = json::array();
  for (const auto& [path, file] : found) realms.push_back(describe(file, path));
  return json{{"realms", std::move(realms)}};
}

Result<json> describe_realm(const storage::Layout& layout, std::string_view path) {
  auto file = realm_file(layout, path);
  if (!file) return file.error();
  return describe(*file, std::string(path));
}

Result<json> realm_schema(const store::RealmStore& store) {
  return dump_state(store, 0, true, std::nullopt);
}

Result<json> show_realm(const store::RealmStore& store, const std::optional<std::string>& cls,
                        std::size_t limit) {
  return dump_state(store, limit, false, cls);
}

Result<json> realm_history(const store::RealmStore& store, std::uint64_t from, std::size_t limit) {
  auto latest = store.latest();
  if (!latest) return latest.error();
  if (from > latest->version + 1) {
    return make_error(Errc::not_found, "no version " + std::to_string(from) +
                                           ": the latest version is " +
                                           std::to_string(latest->version));
  }
  json entries = json::array();
  bool truncated = false;
  // Page through the history so a long one is not read into memory at once.
  std::uint64_t after = from == 0 ? 0 : from - 1;
  constexpr std::uint64_t kPageBytes = 4 * 1024 * 1024;
  while (after < latest->version) {
    auto page = store.history_since(after, kPageBytes);
    if (!page) return page.error();
    if (page->empty()) break;
    for (const auto& e : *page) {
      if (limit > 0 && entries.size() >= limit) {
        truncated = true;
        break;
      }
      json entry = json::object();
      entry["version"] = e.version;
      entry["salt"] = e.salt;
      entry["origin_file_ident"] = e.origin_file_ident;
      entry["client_version"] = e.client_version;
      entry["base_server_version"] = e.base_server_version;
      entry["origin_timestamp"] = e.origin_timestamp;
      entry["size"] = e.changeset.size();
      entry["cumulative_size"] = e.cumulative_size;
      auto parsed = cs::parse(e.changeset);
      if (parsed) {
        entry["changeset"] = json(cs::to_json(parsed->changeset));
      } else {
        entry["decode_error"] = parsed.error().message;
      }
      entries.push_back(std::move(entry));
    }
    if (truncated) break;
    after = page->back().version;
  }
  json out = json::object();
  out["latest"] = json{{"version", latest->version}, {"salt", latest->salt}};
  out["entries"] = std::move(entries);
  if (truncated) out["truncated"] = true;
  return out;
}

Result<json> remove_realm(const storage::Layout& layout, std::string_view path) {
  auto file = realm_file(layout, path);
  if (!file) return file.error();
  std::error_code ec;
  // The database last: a crash in between leaves a file that still opens.
  for (const auto& c : companions(*file)) {
    fs::remove(c, ec);
    if (ec) {
      return make_error(Errc::unavailable, "cannot remove '" + c.string() + "': " + ec.message());
    }
  }
  fs::remove(*file, ec);
  if (ec) {
    return make_error(Errc::unavailable,
                      "cannot remove '" + file->string() + "': " + ec.message());
  }
  // Empty folders left under realms/ go too (never realms/ itself).
  const fs::path realms = layout.realms_dir();
  for (fs::path dir = file->parent_path(); dir != realms && dir.string().size() > realms.string().size();
       dir = dir.parent_path()) {
    if (!fs::is_empty(dir, ec) || ec) break;
    fs::remove(dir, ec);
    if (ec) break;
  }
  return json{{"removed", std::string(path)}, {"file", file->string()}};
}

}  // namespace ros::sync::inspect
