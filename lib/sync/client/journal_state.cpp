#include "sync/client/journal_state.hpp"

#include <utility>

namespace ros::sync::client {

Result<std::vector<std::string>> JournalState::class_names() const {
  std::vector<std::string> names;
  for (const auto& [name, table] : tables_) names.push_back(name);
  return names;
}

Result<std::optional<changeset::ClassSpec>> JournalState::get_class(const std::string& name) const {
  auto it = tables_.find(name);
  if (it == tables_.end()) return std::optional<ClassSpec>();
  return std::optional<ClassSpec>(it->second.spec);
}

Result<void> JournalState::put_class(const std::string& name, const ClassSpec& spec) {
  auto it = tables_.find(name);
  if (in_transaction_) {
    Undo u;
    u.kind = Undo::Kind::spec;
    u.cls = name;
    u.table_existed = it != tables_.end();
    if (u.table_existed) u.spec = it->second.spec;
    journal_.push_back(std::move(u));
  }
  tables_[name].spec = spec;
  return {};
}

Result<void> JournalState::erase_class(const std::string& name) {
  auto it = tables_.find(name);
  if (it == tables_.end()) return {};
  if (in_transaction_) {
    Undo u;
    u.kind = Undo::Kind::table;
    u.cls = name;
    u.table = std::move(it->second);
    journal_.push_back(std::move(u));
  }
  tables_.erase(it);
  return {};
}

Result<std::vector<changeset::ObjectKey>> JournalState::object_keys(const std::string& cls) const {
  std::vector<ObjectKey> keys;
  auto it = tables_.find(cls);
  if (it != tables_.end()) {
    for (const auto& [key, object] : it->second.objects) keys.push_back(key);
  }
  return keys;
}

Result<std::optional<changeset::Object>> JournalState::get_object(const std::string& cls,
                                                                   const ObjectKey& key) const {
  auto it = tables_.find(cls);
  if (it == tables_.end()) return std::optional<Object>();
  auto obj = it->second.objects.find(key);
  if (obj == it->second.objects.end()) return std::optional<Object>();
  return std::optional<Object>(obj->second);
}

Result<bool> JournalState::has_object(const std::string& cls, const ObjectKey& key) const {
  auto it = tables_.find(cls);
  return it != tables_.end() && it->second.objects.count(key) != 0;
}

Result<void> JournalState::put_object(const std::string& cls, const ObjectKey& key, const Object& object) {
  auto it = tables_.find(cls);
  if (in_transaction_) {
    Undo u;
    u.kind = Undo::Kind::object;
    u.cls = cls;
    u.key = key;
    u.table_existed = it != tables_.end();
    if (u.table_existed) {
      auto obj = it->second.objects.find(key);
      if (obj != it->second.objects.end()) u.object = std::move(obj->second);
    }
    journal_.push_back(std::move(u));
  }
  tables_[cls].objects[key] = object;
  return {};
}

Result<void> JournalState::erase_object(const std::string& cls, const ObjectKey& key) {
  auto it = tables_.find(cls);
  if (it == tables_.end()) return {};
  auto obj = it->second.objects.find(key);
  if (obj == it->second.objects.end()) return {};
  if (in_transaction_) {
    Undo u;
    u.kind = Undo::Kind::object;
    u.cls = cls;
    u.key = key;
    u.object = std::move(obj->second);
    journal_.push_back(std::move(u));
  }
  it->second.objects.erase(obj);
  return {};
}

Result<void> JournalState::begin() {
  if (!in_transaction_) {
    in_transaction_ = true;
    journal_.clear();
  }
  return {};
}

Result<void> JournalState::commit() {
  in_transaction_ = false;
  journal_.clear();
  return {};
}

Result<void> JournalState::rollback() {
  for (auto u = journal_.rbegin(); u != journal_.rend(); ++u) {
    switch (u->kind) {
      case Undo::Kind::spec:
        if (u->table_existed) {
          tables_[u->cls].spec = std::move(*u->spec);
        } else {
          tables_.erase(u->cls);
        }
        break;
      case Undo::Kind::table:
        tables_[u->cls] = std::move(*u->table);
        break;
      case Undo::Kind::object:
        if (!u->table_existed) {
          tables_.erase(u->cls);
        } else if (u->object) {
          tables_[u->cls].objects[u->key] = std::move(*u->object);
        } else {
          tables_[u->cls].objects.erase(u->key);
        }
        break;
    }
  }
  journal_.clear();
  in_transaction_ = false;
  return {};
}

}  // namespace ros::sync::client
