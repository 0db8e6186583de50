#include "sync/changeset/memory_state.hpp"

namespace ros::sync::changeset {

Result<std::vector<std::string>> MemoryState::class_names() const {
  std::vector<std::string> names;
  for (const auto& [name, table] : tables_) names.push_back(name);
  return names;
}

Result<std::optional<ClassSpec>> MemoryState::get_class(const std::string& name) const {
  auto it = tables_.find(name);
  if (it == tables_.end()) return std::optional<ClassSpec>();
  return std::optional<ClassSpec>(it->second.spec);
}

Result<void> MemoryState::put_class(const std::string& name, const ClassSpec& spec) {
  tables_[name].spec = spec;
  return {};
}

Result<void> MemoryState::erase_class(const std::string& name) {
  tables_.erase(name);
  return {};
}

Result<std::vector<ObjectKey>> MemoryState::object_keys(const std::string& cls) const {
  std::vector<ObjectKey> keys;
  auto it = tables_.find(cls);
  if (it != tables_.end()) {
    for (const auto& [key, object] : it->second.objects) keys.push_back(key);
  }
  return keys;
}

Result<std::optional<Object>> MemoryState::get_object(const std::string& cls,
                                                      const ObjectKey& key) const {
  auto it = tables_.find(cls);
  if (it == tables_.end()) return std::optional<Object>();
  auto obj = it->second.objects.find(key);
  if (obj == it->second.objects.end()) return std::optional<Object>();
  return std::optional<Object>(obj->second);
}

Result<bool> MemoryState::has_object(const std::string& cls, const ObjectKey& key) const {
  auto it = tables_.find(cls);
  return it != tables_.end() && it->second.objects.count(key) != 0;
}

Result<void> MemoryState::put_object(const std::string& cls, const ObjectKey& key,
                                     const Object& object) {
  tables_[cls].objects[key] = object;
  return {};
}

Result<void> MemoryState::erase_object(const std::string& cls, const ObjectKey& key) {
  auto it = tables_.find(cls);
  if (it != tables_.end()) it->second.objects.erase(key);
  return {};
}

Result<void> MemoryState::begin() {
  snapshot_ = tables_;
  return {};
}

Result<void> MemoryState::commit() {
  snapshot_.reset();
  return {};
}

Result<void> MemoryState::rollback() {
  if (snapshot_) tables_ = std::move(*snapshot_);
  snapshot_.reset();
  return {};
}

}  // namespace ros::sync::changeset
