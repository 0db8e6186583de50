#include "sync/changeset/applier.hpp"

#include <algorithm>
#include <functional>

namespace ros::sync::changeset {

namespace {

using K = Value::Kind;

// The element type of a nested collection inside a Mixed value.
const ColumnSpec kMixedElement{Type::Null, true, CollectionType::Single, ""};

bool accepts_null(const ColumnSpec& c) { return c.type == Type::Null || c.nullable; }

bool is_scalar(Type t) {
  switch (t) {
    case Type::Int:
    case Type::Bool:
    case Type::String:
    case Type::Binary:
    case Type::Timestamp:
    case Type::Float:
    case Type::Double:
    case Type::Decimal:
    case Type::ObjectId:
    case Type::UUID:
      return true;
    default:
      return false;
  }
}

Value empty_of(K kind) {
  Value v;
  v.kind = kind;
  return v;
}

// What a path leads to (section 12.5).
struct Target {
  enum class Kind { Property, Whole, Element, Entry } kind = Kind::Property;
  Value* slot = nullptr;  // Property: the value; otherwise the collection value
  ColumnSpec spec;        // Property: the column; otherwise the element type
  CollectionType collection = CollectionType::Single;  // Whole: which collection
  uint32_t index = 0;     // Element
  std::string key;        // Entry
  bool primary_key = false;
};

class Applier {
 public:
  Applier(State& state, const Changeset& cs) : st_(state), cs_(cs) {}

  Result<void> run() {
    for (std::size_t n = 0; n < cs_.instructions.size(); ++n) {
      const Instruction& in = cs_.instructions[n];
      const bool ok = std::visit([&](const auto& i) { return apply(i); }, in);
      if (!ok) {
        if (storage_) return *storage_;
        return make_error(Errc::invalid_argument, "bad changeset: instruction " +
                                                      std::to_string(n) + " (" +
                                                      instruction_name(in) + "): " + reason_);
      }
    }
    return {};
  }

 private:
  // ---- plumbing ----

  bool bc(std::string reason) {
    reason_ = std::move(reason);
    return false;
  }
  template <class T>
  bool take(Result<T> r, T& out) {
    if (!r) {
      storage_ = r.error();
      return false;
    }
    out = std::move(r.value());
    return true;
  }
  bool take(Result<void> r) {
    if (!r) {
      storage_ = r.error();
      return false;
    }
    return true;
  }

  const std::string& str(InternRef r) const { return cs_.str(r); }

  ObjectKey to_key(const PrimaryKey& pk) const {
    return std::visit(
        [&](const auto& v) -> ObjectKey {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, InternRef>) {
            return str(v);
          } else {
            return v;
          }
        },
        pk);
  }

  // The primary-key property's value for an object key.
  static Value key_value(const ObjectKey& key) {
    Value v;
    std::visit(
        [&](const auto& k) {
          using T = std::decay_t<decltype(k)>;
          if constexpr (std::is_same_v<T, int64_t>) {
            v.kind = K::Int;
            v.int_value = k;
          } else if constexpr (std::is_same_v<T, std::string>) {
            v.kind = K::String;
            v.bytes = k;
          } else if constexpr (std::is_same_v<T, ObjectId>) {
            v.kind = K::ObjectId;
            v.object_id = k;
          } else if constexpr (std::is_same_v<T, Uuid>) {
            v.kind = K::UUID;
            v.uuid = k;
          }
        },
        key);
    return v;
  }

  bool find_class(const std::string& name, std::optional<ClassSpec>& out) {
    return take(st_.get_class(name), out);
  }
  bool load_class(const std::string& name, ClassSpec& out) {
    std::optional<ClassSpec> c;
    if (!find_class(name, c)) return false;
    if (!c) return bc("table '" + name + "' does not exist");
    out = std::move(*c);
    return true;
  }

  // Section 12.4, step 2: the key's type must fit the class.
  bool check_key(const std::string& name, const ClassSpec& cls, const PrimaryKey& pk) {
    const auto& spec = cls.primary_key;
    bool fits = false;
    switch (pk.index()) {
      case 0: fits = spec && spec->nullable; break;
      case 1: fits = spec && spec->type == Type::Int; break;
      case 2: fits = spec && spec->type == Type::String; break;
      case 3: fits = spec && spec->type == Type::ObjectId; break;
      case 4: fits = spec && spec->type == Type::UUID; break;
      default: fits = !spec; break;
    }
    if (!fits) return bc("the object key does not fit the primary key of table '" + name + "'");
    return true;
  }

  // ---- schema instructions (section 12.3) ----

  bool apply(const AddTable& in) {
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

  bool apply(const EraseTable& in) {
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
          return bc("table '" + name + "' is the target of link property '" + other + "." +
                    field + "'");
        }
      }
    }
    return take(st_.erase_class(name));
  }

  bool apply(const AddColumn& in) {
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

  // Counts embedded objects held by `v` (a value of a link column to class
  // `cls`), recursively, into `counts`.
  void count_embedded(const Value& v, const std::string& cls,
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
  void count_owned(const Object& fields, const ClassSpec& cls,
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

  // Calls fn(fields) for every embedded object of class `target` held in
  // `fields` (an object of class `cls`), at any depth.
  void visit_embedded(Object& fields, const ClassSpec& cls, const std::string& target,
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

  bool apply(const EraseColumn& in) {
    const std::string& name = str(in.table);
    const std::string& field = str(in.field);
    ClassSpec cls;
    if (!load_class(name, cls)) return false;
    auto col_it = cls.columns.find(field);
    if (col_it == cls.columns.end()) return bc("property '" + name + "." + field + "' does not exist");
    const ColumnSpec col = col_it->second;

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

  // ---- objects (section 12.4) ----

  bool apply(const CreateObject& in) {
    const std::string& name = str(in.table);
    ClassSpec cls;
    if (!load_class(name, cls)) return false;
    if (cls.embedded()) return bc("cannot create an object in embedded table '" + name + "'");
    if (!check_key(name, cls, in.object)) return false;
    const ObjectKey key = to_key(in.object);
    bool exists = false;
    if (!take(st_.has_object(name, key), exists)) return false;
    if (exists) return true;
    Object object;
    if (cls.primary_key) object[cls.primary_key->field] = key_value(key);
    return take(st_.put_object(name, key, object));
  }

  bool apply(const EraseObject& in) {
    const std::string& name = str(in.table);
    ClassSpec cls;
    if (!load_class(name, cls)) return false;
    if (!check_key(name, cls, in.object)) return false;
    // Embedded objects go with their owner; incoming links become unresolved.
    return take(st_.erase_object(name, to_key(in.object)));
  }

  // ---- paths (section 12.5) ----

  Value* slot_of(Object& fields, const std::string& field, const ColumnSpec& col) {
    return &fields.try_emplace(field, default_value(col)).first->second;
  }

  bool is_embedded_class(const std::string& name, bool& out) {
    std::optional<ClassSpec> c;
    if (!find_class(name, c)) return false;
    out = c && c->embedded();
    return true;
  }

  bool resolve_nested(Value* cur, const Path& path, std::size_t i, Target& t) {
    for (;;) {
      const PathElement& e = path[i++];
      const bool last = i == path.size();
      if (cur->kind == K::List) {
        const auto* index = std::get_if<uint32_t>(&e);
        if (!index) return bc("a key in the path addresses a list");
        if (last) {
          t.kind = Target::Kind::Element;
          t.slot = cur;
          t.spec = kMixedElement;
          t.index = *index;
          return true;
        }
        if (*index >= cur->items.size()) return bc("list index out of range in the path");
        cur = &cur->items[*index];
      } else if (cur->kind == K::Dictionary) {
        const auto* key = std::get_if<InternRef>(&e);
        if (!key) return bc("an index in the path addresses a dictionary");
        if (last) {
          t.kind = Target::Kind::Entry;
          t.slot = cur;
          t.spec = kMixedElement;
          t.key = str(*key);
          return true;
        }
        auto it = cur->fields.find(str(*key));
        if (it == cur->fields.end()) return bc("no dictionary key '" + str(*key) + "' in the path");
        cur = &it->second;
      } else {
        return bc("the path goes into a Mixed value that is not a list or dictionary");
      }
    }
  }

  bool resolve(Object& top, const ClassSpec& top_cls, const PathPrefix& p, Target& t) {
    Object* fields = &top;
    ClassSpec cls = top_cls;
    std::string field = str(p.field);
    const Path& path = p.path;
    std::size_t i = 0;
    bool at_top = true;
    for (;;) {
      auto col_it = cls.columns.find(field);
      if (col_it == cls.columns.end()) return bc("No such field '" + field + "'");
      const ColumnSpec col = col_it->second;
      Value* slot = slot_of(*fields, field, col);
      if (i == path.size()) {
        t.slot = slot;
        t.spec = col;
        if (col.collection == CollectionType::Single) {
          t.kind = Target::Kind::Property;
          t.primary_key = at_top && cls.primary_key && cls.primary_key->field == field;
        } else {
          t.kind = Target::Kind::Whole;
          t.collection = col.collection;
        }
        return true;
      }
      bool to_embedded = false;
      if (col.type == Type::Link && !is_embedded_class(col.link_target, to_embedded)) return false;
      const PathElement& e = path[i++];
      const bool last = i == path.size();
      // Entering an embedded object: the next element names its property.
      auto enter = [&](Value& obj, const PathElement* name_element) -> bool {
        if (obj.kind != K::Embedded) return bc("no embedded object at '" + field + "' in the path");
        const auto* name = name_element ? std::get_if<InternRef>(name_element) : nullptr;
        if (!name) return bc("the path does not name a property of the embedded object");
        ClassSpec next;
        if (!load_class(col.link_target, next)) return false;
        fields = &obj.fields;
        cls = std::move(next);
        field = str(*name);
        at_top = false;
        return true;
      };
      switch (col.collection) {
        case CollectionType::List: {
          const auto* index = std::get_if<uint32_t>(&e);
          if (!index) return bc("a key in the path addresses list '" + field + "'");
          if (last) {
            t.kind = Target::Kind::Element;
            t.slot = slot;
            t.spec = col;
            t.index = *index;
            return true;
          }
          if (*index >= slot->items.size()) return bc("list index out of range in the path");
          Value& item = slot->items[*index];
          if (to_embedded) {
            if (!enter(item, &path[i++])) return false;
            break;
          }
          if (col.type == Type::Null) return resolve_nested(&item, path, i, t);
          return bc("the path goes into list '" + field + "' of plain values");
        }
        case CollectionType::Dictionary: {
          const auto* key = std::get_if<InternRef>(&e);
          if (!key) return bc("an index in the path addresses dictionary '" + field + "'");
          if (last) {
            t.kind = Target::Kind::Entry;
            t.slot = slot;
            t.spec = col;
            t.key = str(*key);
            return true;
          }
          auto it = slot->fields.find(str(*key));
          if (it == slot->fields.end()) return bc("no dictionary key '" + str(*key) + "' in the path");
          if (to_embedded) {
            if (!enter(it->second, &path[i++])) return false;
            break;
          }
          if (col.type == Type::Null) return resolve_nested(&it->second, path, i, t);
          return bc("the path goes into dictionary '" + field + "' of plain values");
        }
        case CollectionType::Set:
          return bc("the path goes into set '" + field + "'");
        case CollectionType::Single:
          if (col.type == Type::Null) return resolve_nested(slot, path, i - 1, t);
          if (to_embedded) {
            if (!enter(*slot, &e)) return false;
            break;
          }
          return bc("the path goes through property '" + field + "', which is not embedded or Mixed");
      }
    }
  }

  // Runs fn on the target of a path instruction and writes the object back.
  template <class F>
  bool with_target(const PathPrefix& p, F fn) {
    const std::string& name = str(p.table);
    ClassSpec cls;
    if (!load_class(name, cls)) return false;
    if (!check_key(name, cls, p.object)) return false;
    const ObjectKey key = to_key(p.object);
    std::optional<Object> obj;
    if (!take(st_.get_object(name, key), obj)) return false;
    if (!obj) return bc("No such object in table '" + name + "'");
    Target t;
    if (!resolve(*obj, cls, p, t)) return false;
    if (!fn(t)) return false;
    return take(st_.put_object(name, key, *obj));
  }

  // ---- values (section 12.6) ----

  // A scalar or Link payload as a state value; Link targets are checked.
  bool to_value(const Payload& p, Value& v) {
    switch (p.type) {
      case Type::Int: v.kind = K::Int; v.int_value = p.int_value; return true;
      case Type::Bool: v.kind = K::Bool; v.bool_value = p.bool_value; return true;
      case Type::String: v.kind = K::String; v.bytes = p.bytes; return true;
      case Type::Binary: v.kind = K::Binary; v.bytes = p.bytes; return true;
      case Type::Timestamp: v.kind = K::Timestamp; v.timestamp = p.timestamp; return true;
      case Type::Float: v.kind = K::Float; v.float_value = p.float_value; return true;
      case Type::Double: v.kind = K::Double; v.double_value = p.double_value; return true;
      case Type::Decimal: v.kind = K::Decimal; v.decimal = p.decimal; return true;
      case Type::ObjectId: v.kind = K::ObjectId; v.object_id = p.object_id; return true;
      case Type::UUID: v.kind = K::UUID; v.uuid = p.uuid; return true;
      case Type::Link: {
        const std::string& target = str(p.link.table);
        ClassSpec cls;
        if (!load_class(target, cls)) return false;
        if (cls.embedded()) return bc("a link cannot point to embedded table '" + target + "'");
        if (!check_key(target, cls, p.link.target)) return false;
        v.kind = K::Link;
        v.link_table = target;
        v.link_key = to_key(p.link.target);
        return true;
      }
      default:
        return bc("not a plain value");
    }
  }

  // Whether a scalar or link value may be stored where `spec` describes.
  bool fits(const ColumnSpec& spec, const Payload& p, const Value& v) {
    if (spec.type == Type::Null) return true;  // Mixed
    if (p.type == Type::Link) {
      if (spec.type != Type::Link || spec.link_target != v.link_table) {
        return bc("link to '" + v.link_table + "' does not fit the property");
      }
      return true;
    }
    if (spec.type != p.type) {
      return bc(std::string("type mismatch: ") + std::string(type_name(p.type)) + " for a " +
                std::string(column_type_name(spec.type)) + " property");
    }
    return true;
  }

  bool is_embedded_link(const ColumnSpec& spec, bool& out) {
    out = false;
    if (spec.type != Type::Link) return true;
    return is_embedded_class(spec.link_target, out);
  }

  // ---- Update (section 12.7) ----

  bool update_property(Target& t, const Payload& p) {
    if (t.primary_key) return bc("Update of the primary key");
    const ColumnSpec& col = t.spec;
    Value& slot = *t.slot;
    switch (p.type) {
      case Type::Null:
      case Type::GlobalKey:
        if (!accepts_null(col)) return bc("null into a property that is not nullable");
        slot = Value{};
        return true;
      case Type::ObjectValue: {
        bool embedded = false;
        if (!is_embedded_link(col, embedded)) return false;
        if (!embedded) return bc("ObjectValue into a property that is not an embedded link");
        if (slot.kind != K::Embedded) slot = empty_of(K::Embedded);
        return true;
      }
      case Type::List:
      case Type::Dictionary: {
        if (col.type != Type::Null) return bc("nested collection into a property that is not Mixed");
        const K kind = p.type == Type::List ? K::List : K::Dictionary;
        if (slot.kind != kind) slot = empty_of(kind);
        return true;
      }
      case Type::Set:
      case Type::Erased:
        return bc(std::string(type_name(p.type)) + " payload in Update of a property");
      default: {
        Value v;
        if (!to_value(p, v) || !fits(col, p, v)) return false;
        slot = std::move(v);
        return true;
      }
    }
  }

  bool update_element(Target& t, const Payload& p) {
    if (p.type == Type::ObjectValue) return true;  // ignored, even out of bounds
    auto& items = t.slot->items;
    if (t.index >= items.size()) return bc("list index " + std::to_string(t.index) + " out of bounds");
    Value& item = items[t.index];
    switch (p.type) {
      case Type::Null:
      case Type::GlobalKey:
        if (!accepts_null(t.spec)) return bc("null into a list that is not nullable");
        item = Value{};
        return true;
      case Type::List:
      case Type::Dictionary: {
        if (t.spec.type != Type::Null) return bc("nested collection into a list that is not Mixed");
        const K kind = p.type == Type::List ? K::List : K::Dictionary;
        if (item.kind != kind) item = empty_of(kind);
        return true;
      }
      case Type::Set:
      case Type::Erased:
        return bc(std::string(type_name(p.type)) + " payload in Update of a list element");
      default: {
        Value v;
        if (!to_value(p, v) || !fits(t.spec, p, v)) return false;
        item = std::move(v);
        return true;
      }
    }
  }

  bool update_entry(Target& t, const Payload& p) {
    if (!t.key.empty() && t.key[0] == '$') return bc("dictionary key '" + t.key + "' starts with '$'");
    if (t.key.find('.') != std::string::npos) return bc("dictionary key '" + t.key + "' contains '.'");
    auto& entries = t.slot->fields;
    switch (p.type) {
      case Type::Null:
      case Type::GlobalKey:
        if (!accepts_null(t.spec)) return bc("null into a dictionary that is not nullable");
        entries[t.key] = Value{};
        return true;
      case Type::Erased:
        entries.erase(t.key);
        return true;
      case Type::ObjectValue: {
        bool embedded = false;
        if (!is_embedded_link(t.spec, embedded)) return false;
        if (!embedded) return bc("ObjectValue into a dictionary that does not hold embedded objects");
        entries[t.key] = empty_of(K::Embedded);  // always a new object
        return true;
      }
      case Type::List:
      case Type::Dictionary: {
        if (t.spec.type != Type::Null) return bc("nested collection into a dictionary that is not Mixed");
        const K kind = p.type == Type::List ? K::List : K::Dictionary;
        auto it = entries.find(t.key);
        if (it == entries.end() || it->second.kind != kind) entries[t.key] = empty_of(kind);
        return true;
      }
      case Type::Set:
        return bc("Set payload in Update of a dictionary entry");
      default: {
        Value v;
        if (!to_value(p, v) || !fits(t.spec, p, v)) return false;
        entries[t.key] = std::move(v);
        return true;
      }
    }
  }

  bool apply(const Update& in) {
    return with_target(in.prefix, [&](Target& t) {
      switch (t.kind) {
        case Target::Kind::Property: return update_property(t, in.value);
        case Target::Kind::Element: return update_element(t, in.value);
        case Target::Kind::Entry: return update_entry(t, in.value);
        default: return bc("Invalid path for Update (a whole collection)");
      }
    });
  }

  // ---- AddInteger (section 12.8) ----

  bool apply(const AddInteger& in) {
    return with_target(in.prefix, [&](Target& t) {
      if (t.kind != Target::Kind::Property) return bc("Invalid path for AddInteger");
      Value& v = *t.slot;
      if (v.is_null()) return true;
      if (v.kind != K::Int || (t.spec.type != Type::Int && t.spec.type != Type::Null)) {
        return bc("Not an integer field");
      }
      v.int_value = static_cast<int64_t>(static_cast<uint64_t>(v.int_value) +
                                         static_cast<uint64_t>(in.value));
      return true;
    });
  }

  // ---- lists (sections 12.9 to 12.11) ----

  bool apply(const ArrayInsert& in) {
    return with_target(in.prefix, [&](Target& t) {
      if (t.kind != Target::Kind::Element) return bc("Invalid path for ArrayInsert");
      auto& items = t.slot->items;
      const std::size_t size = items.size();
      const uint32_t i = t.index;
      if (i > in.prior_size) return bc("index " + std::to_string(i) + " beyond prior_size " + std::to_string(in.prior_size));
      if (i > size) return bc("index " + std::to_string(i) + " beyond the list size " + std::to_string(size));
      if (in.prior_size != size) {
        return bc("prior_size " + std::to_string(in.prior_size) + " is not the list size " + std::to_string(size));
      }
      Value v;
      const Payload& p = in.value;
      switch (p.type) {
        case Type::Null:
        case Type::GlobalKey:
          if (!accepts_null(t.spec)) return bc("null into a list that is not nullable");
          break;
        case Type::ObjectValue: {
          bool embedded = false;
          if (!is_embedded_link(t.spec, embedded)) return false;
          if (!embedded) return bc("ObjectValue into a list that does not hold embedded objects");
          v = empty_of(K::Embedded);
          break;
        }
        case Type::List:
        case Type::Dictionary:
          if (t.spec.type != Type::Null) return bc("nested collection into a list that is not Mixed");
          v = empty_of(p.type == Type::List ? K::List : K::Dictionary);
          break;
        case Type::Set:
        case Type::Erased:
          return bc(std::string(type_name(p.type)) + " payload in ArrayInsert");
        default:
          if (!to_value(p, v) || !fits(t.spec, p, v)) return false;
      }
      items.insert(items.begin() + i, std::move(v));
      return true;
    });
  }

  bool apply(const ArrayMove& in) {
    return with_target(in.prefix, [&](Target& t) {
      if (t.kind != Target::Kind::Element) return bc("Invalid path for ArrayMove");
      auto& items = t.slot->items;
      const std::size_t size = items.size();
      const uint32_t from = t.index;
      const uint32_t to = in.ndx_2;
      if (from >= size) return bc("index " + std::to_string(from) + " out of bounds");
      if (to >= size) return bc("destination " + std::to_string(to) + " out of bounds");
      if (from == to) return bc("move to the same index");
      if (in.prior_size != size) {
        return bc("prior_size " + std::to_string(in.prior_size) + " is not the list size " + std::to_string(size));
      }
      Value v = std::move(items[from]);
      items.erase(items.begin() + from);
      items.insert(items.begin() + to, std::move(v));
      return true;
    });
  }

  bool apply(const ArrayErase& in) {
    return with_target(in.prefix, [&](Target& t) {
      if (t.kind != Target::Kind::Element) return bc("Invalid path for ArrayErase");
      auto& items = t.slot->items;
      const std::size_t size = items.size();
      const uint32_t i = t.index;
      if (i >= in.prior_size) return bc("index " + std::to_string(i) + " not below prior_size " + std::to_string(in.prior_size));
      if (i >= size) return bc("index " + std::to_string(i) + " out of bounds");
      if (in.prior_size != size) {
        return bc("prior_size " + std::to_string(in.prior_size) + " is not the list size " + std::to_string(size));
      }
      items.erase(items.begin() + i);  // an embedded object goes with it
      return true;
    });
  }

  // ---- Clear (section 12.12) ----

  bool clear_mixed(Value& v, CollectionType c) {
    if (c != CollectionType::List && c != CollectionType::Dictionary) {
      return bc("Clear of a Mixed value needs collection type List or Dictionary");
    }
    if (v.kind == K::Set) return bc("Clear of a nested set");
    v = empty_of(c == CollectionType::List ? K::List : K::Dictionary);
    return true;
  }

  bool apply(const Clear& in) {
    return with_target(in.prefix, [&](Target& t) {
      const bool mixed = t.spec.type == Type::Null;
      switch (t.kind) {
        case Target::Kind::Whole:
          if (in.collection_type != CollectionType::Single && in.collection_type != t.collection) {
            return bc(std::string("Clear: Not a ") +
                      std::string(collection_type_name(in.collection_type)));
          }
          t.slot->items.clear();
          t.slot->fields.clear();
          return true;
        case Target::Kind::Property:
          if (!mixed) return bc("Invalid path for Clear (a property that is not Mixed)");
          return clear_mixed(*t.slot, in.collection_type);
        case Target::Kind::Element:
          if (!mixed) return bc("Invalid path for Clear (an element of a list that is not Mixed)");
          if (t.index >= t.slot->items.size()) return bc("list index out of bounds");
          return clear_mixed(t.slot->items[t.index], in.collection_type);
        case Target::Kind::Entry: {
          if (!mixed) return bc("Invalid path for Clear (an entry of a dictionary that is not Mixed)");
          auto it = t.slot->fields.find(t.key);
          if (it == t.slot->fields.end()) return bc("no dictionary key '" + t.key + "'");
          return clear_mixed(it->second, in.collection_type);
        }
      }
      return false;
    });
  }

  // ---- sets (section 12.13) ----

  bool set_value(Target& t, const Payload& p, bool erase, Value& v) {
    if (t.kind != Target::Kind::Whole || t.collection != CollectionType::Set) {
      return bc(std::string("Invalid path for ") + (erase ? "SetErase" : "SetInsert"));
    }
    if (p.type == Type::Null) {
      if (!accepts_null(t.spec)) return bc("null into a set that is not nullable");
      // realm-core refuses SetErase(null) on typed sets (a realm-core defect).
      if (erase && t.spec.type != Type::Null) return bc("type mismatch: null for a typed set");
      v = Value{};
      return true;
    }
    if (p.type == Type::Link || is_scalar(p.type)) return to_value(p, v) && fits(t.spec, p, v);
    return bc(std::string(type_name(p.type)) + " payload in a set instruction");
  }

  bool apply(const SetInsert& in) {
    return with_target(in.prefix, [&](Target& t) {
      Value v;
      if (!set_value(t, in.value, false, v)) return false;
      auto& items = t.slot->items;
      auto it = std::lower_bound(items.begin(), items.end(), v, value_less);
      if (it == items.end() || compare_values(*it, v) != 0) items.insert(it, std::move(v));
      return true;
    });
  }

  bool apply(const SetErase& in) {
    return with_target(in.prefix, [&](Target& t) {
      Value v;
      if (!set_value(t, in.value, true, v)) return false;
      auto& items = t.slot->items;
      auto it = std::lower_bound(items.begin(), items.end(), v, value_less);
      if (it != items.end() && compare_values(*it, v) == 0) items.erase(it);
      return true;
    });
  }

  State& st_;
  const Changeset& cs_;
  std::string reason_;
  std::optional<Error> storage_;
};

}  // namespace

Result<void> apply(State& state, const Changeset& changeset) {
  if (auto r = state.begin(); !r) return r;
  auto result = Applier(state, changeset).run();
  if (!result) {
    if (auto r = state.rollback(); !r) return r;
    return result;
  }
  return state.commit();
}

}  // namespace ros::sync::changeset
