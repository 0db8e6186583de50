#include "functions/realm_mirror.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "sync/changeset/applier.hpp"
#include "sync/changeset/parser.hpp"
#include "sync/changeset/plain_json.hpp"
#include "sync/changeset/state_json.hpp"
#include "sync/changeset/touched.hpp"
#include "sync/changeset/value_json.hpp"

namespace ros::functions {

namespace cs = ros::sync::changeset;
using nlohmann::json;

namespace {

// The plain objects of `classes` in a state dump; a class absent from the
// dump (not created yet, or erased) has none.
json objects_of(const cs::Json& dump, const std::set<std::string>& classes) {
  json out = json::object();
  for (const auto& name : classes) {
    json objects = json::array();
    const auto& all = dump["classes"];
    if (all.contains(name) && all[name].contains("objects")) {
      for (const auto& o : all[name]["objects"]) {
        objects.push_back(json::parse(cs::plain_object(o).dump()));
      }
    }
    out[name] = std::move(objects);
  }
  return out;
}

Result<std::vector<cs::ObjectKey>> keys_of(const cs::State& state, const std::string& cls) {
  auto spec = state.get_class(cls);
  if (!spec) return spec.error();
  if (!*spec || (*spec)->embedded()) return std::vector<cs::ObjectKey>{};
  return state.object_keys(cls);
}

std::optional<std::size_t> index_of(const std::vector<cs::ObjectKey>& keys,
                                    const cs::ObjectKey& key) {
  auto it = std::lower_bound(keys.begin(), keys.end(), key);
  if (it == keys.end() || !(*it == key)) return std::nullopt;
  return static_cast<std::size_t>(it - keys.begin());
}

}  // namespace

Result<std::optional<json>> RealmMirror::apply(std::uint64_t version,
                                               const std::string& changeset_base64,
                                               bool want_event) {
  auto bytes = cs::base64_decode(changeset_base64);
  if (!bytes) {
    return make_error(Errc::invalid_argument, "the change feed sent version " +
                                                  std::to_string(version) + " of '" + path_ +
                                                  "' in bad base64");
  }
  auto parsed = cs::parse(*bytes);
  if (!parsed) {
    return make_error(Errc::invalid_argument, "version " + std::to_string(version) + " of '" +
                                                  path_ + "' does not parse: " +
                                                  parsed.error().message);
  }
  const cs::Touched touched = cs::touched_objects(parsed->changeset);
  std::set<std::string> classes;
  for (const auto& [name, t] : touched) classes.insert(name);

  std::optional<cs::Json> before;
  std::map<std::string, std::vector<cs::ObjectKey>> old_keys;
  if (want_event && !classes.empty()) {
    auto dump = cs::state_to_json(state_);
    if (!dump) return dump.error();
    before = std::move(*dump);
    for (const auto& name : classes) {
      auto keys = keys_of(state_, name);
      if (!keys) return keys.error();
      old_keys[name] = std::move(*keys);
    }
  }
  if (auto ok = cs::apply(state_, parsed->changeset); !ok) {
    return make_error(Errc::invalid_argument, "version " + std::to_string(version) + " of '" +
                                                  path_ + "' does not apply to the mirror: " +
                                                  ok.error().message);
  }
  version_ = version;
  if (!before) return std::optional<json>{};

  json changes = json::object();
  std::set<std::string> changed_classes;
  for (const auto& [name, t] : touched) {
    auto new_keys = keys_of(state_, name);
    if (!new_keys) return new_keys.error();
    const auto& olds = old_keys[name];
    std::set<cs::ObjectKey> all(t.created.begin(), t.created.end());
    all.insert(t.erased.begin(), t.erased.end());
    all.insert(t.changed.begin(), t.changed.end());
    std::vector<std::pair<std::size_t, cs::ObjectKey>> ins, mods, dels;
    for (const auto& key : all) {
      auto was = index_of(olds, key);
      auto is = index_of(*new_keys, key);
      bool changed = std::find(t.changed.begin(), t.changed.end(), key) != t.changed.end();
      if (!was && is) {
        ins.emplace_back(*is, key);
      } else if (was && !is) {
        dels.emplace_back(*was, key);
      } else if (was && is && changed) {
        mods.emplace_back(*is, key);
      }
    }
    if (ins.empty() && mods.empty() && dels.empty()) continue;
    auto split = [](std::vector<std::pair<std::size_t, cs::ObjectKey>>& list, json& indices,
                    json& keys) {
      std::sort(list.begin(), list.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      indices = json::array();
      keys = json::array();
      for (const auto& [i, key] : list) {
        indices.push_back(i);
        keys.push_back(json::parse(cs::plain_key(key).dump()));
      }
    };
    json c = json::object();
    split(ins, c["insertions"], c["insertedKeys"]);
    split(mods, c["modifications"], c["modifiedKeys"]);
    split(dels, c["deletions"], c["deletedKeys"]);
    changes[name] = std::move(c);
    changed_classes.insert(name);
  }
  if (changed_classes.empty()) return std::optional<json>{};
  auto after = cs::state_to_json(state_);
  if (!after) return after.error();
  json event = {{"path", path_},
                {"version", version},
                {"changes", std::move(changes)},
                {"realm", objects_of(*after, changed_classes)},
                {"oldRealm", objects_of(*before, changed_classes)}};
  return std::optional<json>(std::move(event));
}

}  // namespace ros::functions
