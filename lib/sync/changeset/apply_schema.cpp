// The schema and object instructions (changeset.md sections 12.3 and 12.4).
#include "sync/changeset/applier_impl.hpp"

namespace ros::sync::changeset::detail {

bool Applier::apply(const AddTable& in) {
  const std::string& name = str(in.table);
  std::optional<ClassSpec> existing;
  if (!find_class(name, existing)) return false;
  if (in.table_type == TableType::Embedded) {
    if (existing) {
      return existing->embedded() ? true : bc("existing table '" + name + "' is not embedded");
    }
    ClassSpec spec;
    spec.table_type = TableType::Embedded;
    return take(st_.put_class(name, spec));
  }
  if (in.pk_type == Type::GlobalKey) {
    if (existing) return true;  // realm-core checks nothing here (quirk)
    ClassSpec spec;
    spec.table_type = in.table_type;
    return take(st_.put_class(name, spec));
  }
  const std::string& field = str(in.pk_field);
  if (existing) {
    // The primary-key type is not compared (a realm-core quirk).
    const auto& pk = existing->primary_key;
    if (existing->table_type != in.table_type || !pk || pk->field != field ||
        pk->nullable != in.pk_nullable) {
      return bc("existing table '" + name + "' has different properties");
    }
    return true;
  }
  ClassSpec spec;
  spec.table_type = in.table_type;
  spec.primary_key = PrimaryKeySpec{field, in.pk_type, in.pk_nullable};
  spec.columns[field] = ColumnSpec{in.pk_type, in.pk_nullable, CollectionType::Single, ""};
  return take(st_.put_class(name, spec));
}

bool Applier::apply(const EraseTable& in) {
  const std::string& name = str(in.table);
  ClassSpec cls;
  if (!load_class(name, cls)) return false;
  std::vector<std::string> names;
  if (!take(st_.class_names(), names)) return false;
  for (const auto& other : names) {
    if (other == name) continue;
    ClassSpec spec;
    if (!load_class(other, spec)) return false;
    for (const auto& [field, col] : spec.columns) {
      if (col.type == Type::Link && col.link_target == name) {
        return bc("table '" + name + "' is the target of link property '" + other + "." + field +
                  "'");
      }
    }
  }
  return flush() && take(st_.erase_class(name));
}

bool Applier::apply(const AddColumn& in) {
  const std::string& name = str(in.table);
  const std::string& field = str(in.field);
  ClassSpec cls;
  if (!load_class(name, cls)) return false;
  if (static_cast<int>(in.type) < 0) {
    return bc(std::string("invalid property type ") + std::string(type_name(in.type)));
  }
  const std::string target = in.link_target ? str(*in.link_target) : "";
  if (auto it = cls.columns.find(field); it != cls.columns.end()) {
    const ColumnSpec& col = it->second;
    // Nullability and key_type are not compared (a realm-core quirk).
    if (col.type != in.type || col.collection != in.collection_type ||
        (in.type == Type::Link && col.link_target != target)) {
      return bc("Schema mismatch: property '" + name + "." + field + "' exists with another type");
    }
    return true;
  }
  if (in.collection_type == CollectionType::Dictionary && in.key_type != Type::String) {
    return bc("dictionary keys must be String");
  }
  ColumnSpec col{in.type, in.nullable, in.collection_type, ""};
  if (in.type == Type::Link) {
    if (target.empty()) return bc("untyped link properties are not supported");
    ClassSpec target_cls;
    if (!load_class(target, target_cls)) return false;
    if (target_cls.table_type == TableType::TopLevelAsymmetric) {
      return bc("links to asymmetric table '" + target + "' are not allowed");
    }
    if (target_cls.embedded() && in.collection_type == CollectionType::Set) {
      return bc("sets of embedded objects are not supported");
    }
    col.link_target = target;
    // Nullability follows from the kind of link property.
    col.nullable = in.collection_type == CollectionType::Single ||
                   in.collection_type == CollectionType::Dictionary;
  } else if (in.type == Type::Null) {
    col.nullable = true;  // Mixed is always nullable
  }
  cls.columns[field] = col;
  return take(st_.put_class(name, cls));
}

void Applier::count_embedded(const Value& v, const std::string& cls,
                             const std::map<std::string, ClassSpec>& specs,
                             std::map<std::string, uint64_t>& counts) {
  auto one = [&](const Value& e) {
    if (e.kind != K::Embedded) return;
    ++counts[cls];
    count_owned(e.fields, specs.at(cls), specs, counts);
  };
  one(v);
  for (const auto& e : v.items) one(e);
  if (v.kind == K::Dictionary) {
    for (const auto& [k, e] : v.fields) one(e);
  }
}

void Applier::count_owned(const Object& fields, const ClassSpec& cls,
                          const std::map<std::string, ClassSpec>& specs,
                          std::map<std::string, uint64_t>& counts) {
  for (const auto& [name, v] : fields) {
    auto it = cls.columns.find(name);
    if (it == cls.columns.end() || it->second.type != Type::Link) continue;
    auto t = specs.find(it->second.link_target);
    if (t == specs.end() || !t->second.embedded()) continue;
    count_embedded(v, it->second.link_target, specs, counts);
  }
}

void Applier::visit_embedded(Object& fields, const ClassSpec& cls, const std::string& target,
                             const std::map<std::string, ClassSpec>& specs,
                             const std::function<void(Object&)>& fn) {
  for (auto& [name, v] : fields) {
    auto it = cls.columns.find(name);
    if (it == cls.columns.end() || it->second.type != Type::Link) continue;
    auto t = specs.find(it->second.link_target);
    if (t == specs.end() || !t->second.embedded()) continue;
    auto one = [&](Value& e) {
      if (e.kind != K::Embedded) return;
      if (t->first == target) fn(e.fields);
      visit_embedded(e.fields, t->second, target, specs, fn);
    };
    one(v);
    for (auto& e : v.items) one(e);
    if (v.kind == K::Dictionary) {
      for (auto& [k, e] : v.fields) one(e);
    }
  }
}

bool Applier::apply(const EraseColumn& in) {
  const std::string& name = str(in.table);
  const std::string& field = str(in.field);
  ClassSpec cls;
  if (!load_class(name, cls)) return false;
  auto col_it = cls.columns.find(field);
  if (col_it == cls.columns.end())
    return bc("property '" + name + "." + field + "' does not exist");
  const ColumnSpec col = col_it->second;
  if (!flush()) return false;  // the walk below reads objects from the State

  std::map<std::string, ClassSpec> specs;
  std::vector<std::string> names;
  if (!take(st_.class_names(), names)) return false;
  for (const auto& n : names) {
    if (!load_class(n, specs[n])) return false;
  }
  const bool owns_embedded = col.type == Type::Link && specs.count(col.link_target) != 0 &&
                             specs.at(col.link_target).embedded();
  std::map<std::string, uint64_t> orphans;
  auto strip = [&](Object& fields) {
    auto it = fields.find(field);
    if (it == fields.end()) return;
    // realm-core leaves the embedded objects of an erased link property
    // behind, unowned; they keep counting.
    if (owns_embedded) count_embedded(it->second, col.link_target, specs, orphans);
    fields.erase(it);
  };
  for (const auto& owner : names) {
    const ClassSpec& owner_cls = specs.at(owner);
    if (owner_cls.embedded()) continue;
    if (owner != name && !cls.embedded()) continue;
    std::vector<ObjectKey> keys;
    if (!take(st_.object_keys(owner), keys)) return false;
    for (const auto& key : keys) {
      std::optional<Object> obj;
      if (!take(st_.get_object(owner, key), obj)) return false;
      if (!obj) continue;
      if (cls.embedded()) {
        visit_embedded(*obj, owner_cls, name, specs, strip);
      } else {
        strip(*obj);
      }
      if (!take(st_.put_object(owner, key, *obj))) return false;
    }
  }
  ClassSpec& updated = specs.at(name);
  updated.columns.erase(field);
  if (updated.primary_key && updated.primary_key->field == field) updated.primary_key.reset();
  if (!take(st_.put_class(name, updated))) return false;
  for (const auto& [target, count] : orphans) {
    ClassSpec& t = target == name ? updated : specs.at(target);
    t.orphaned_objects += count;
    if (!take(st_.put_class(target, t))) return false;
  }
  return true;
}

bool Applier::apply(const CreateObject& in) {
  const std::string& name = str(in.table);
  ClassSpec cls;
  if (!load_class(name, cls)) return false;
  if (cls.embedded()) return bc("cannot create an object in embedded table '" + name + "'");
  if (!check_key(name, cls, in.object)) return false;
  CachedObject* obj = nullptr;
  if (!cached(name, to_key(in.object), obj)) return false;
  if (obj->object) return true;
  obj->object.emplace();
  if (cls.primary_key) (*obj->object)[cls.primary_key->field] = key_value(to_key(in.object));
  obj->dirty = true;
  return true;
}

bool Applier::apply(const EraseObject& in) {
  const std::string& name = str(in.table);
  ClassSpec cls;
  if (!load_class(name, cls)) return false;
  if (!check_key(name, cls, in.object)) return false;
  // Embedded objects go with their owner; incoming links become unresolved.
  CachedObject* obj = nullptr;
  if (!cached(name, to_key(in.object), obj)) return false;
  if (obj->object) {
    obj->object.reset();
    obj->dirty = true;
  }
  return true;
}

}  // namespace ros::sync::changeset::detail
