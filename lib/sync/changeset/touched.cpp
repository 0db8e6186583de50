#include "sync/changeset/touched.hpp"

#include <algorithm>
#include <type_traits>

#include "sync/changeset/plain_json.hpp"

namespace ros::sync::changeset {

namespace {

ObjectKey to_key(const Changeset& cs, const PrimaryKey& pk) {
  return std::visit(
      [&](const auto& v) -> ObjectKey {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, InternRef>) {
          return cs.str(v);
        } else {
          return v;
        }
      },
      pk);
}

void add_once(std::vector<ObjectKey>& keys, ObjectKey key) {
  if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(std::move(key));
}

}  // namespace

Touched touched_objects(const Changeset& cs) {
  Touched out;
  for (const auto& instruction : cs.instructions) {
    std::visit(
        [&](const auto& in) {
          using T = std::decay_t<decltype(in)>;
          if constexpr (std::is_same_v<T, CreateObject>) {
            add_once(out[cs.str(in.table)].created, to_key(cs, in.object));
          } else if constexpr (std::is_same_v<T, EraseObject>) {
            add_once(out[cs.str(in.table)].erased, to_key(cs, in.object));
          } else if constexpr (requires { in.prefix; }) {
            auto& cls = out[cs.str(in.prefix.table)];
            ObjectKey key = to_key(cs, in.prefix.object);
            if (std::find(cls.created.begin(), cls.created.end(), key) == cls.created.end()) {
              add_once(cls.changed, std::move(key));
            }
          }
        },
        instruction);
  }
  return out;
}

Json touched_to_json(const Touched& touched) {
  auto keys = [](const std::vector<ObjectKey>& list) {
    Json out = Json::array();
    for (const auto& key : list) out.push_back(plain_key(key));
    return out;
  };
  Json out = Json::object();
  for (const auto& [name, cls] : touched) {
    out[name] = {{"inserted", keys(cls.created)},
                 {"modified", keys(cls.changed)},
                 {"deleted", keys(cls.erased)}};
  }
  return out;
}

}  // namespace ros::sync::changeset
