#include "sync/changeset/plain_json.hpp"

#include "sync/changeset/state_json.hpp"

namespace ros::sync::changeset {

Json plain_value(const Json& tagged) {
  if (!tagged.is_object() || tagged.size() != 1) return tagged;
  const auto first = tagged.begin();
  const std::string& tag = first.key();
  const Json& v = first.value();
  if (tag == "int" || tag == "bool" || tag == "string" || tag == "float" || tag == "double" ||
      tag == "decimal" || tag == "objectId" || tag == "uuid" || tag == "binary" ||
      tag == "timestamp" || tag == "globalKey") {
    return v;
  }
  if (tag == "link") {
    if (v.contains("pk")) return plain_value(v["pk"]);
    return nullptr;
  }
  if (tag == "embeddedObject") return plain_object(v);
  if (tag == "list" || tag == "set") {
    Json out = Json::array();
    for (const auto& item : v) out.push_back(plain_value(item));
    return out;
  }
  if (tag == "dictionary") {
    Json out = Json::object();
    for (const auto& [key, item] : v.items()) out[key] = plain_value(item);
    return out;
  }
  return tagged;
}

Json plain_object(const Json& tagged_object) {
  if (!tagged_object.is_object()) return tagged_object;
  Json out = Json::object();
  for (const auto& [field, value] : tagged_object.items()) out[field] = plain_value(value);
  return out;
}

Json plain_key(const ObjectKey& key) { return plain_value(object_key_to_json(key)); }

}  // namespace ros::sync::changeset
