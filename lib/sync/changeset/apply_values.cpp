// The value instructions (changeset.md sections 12.6 to 12.13): Update,
// AddInteger, the list instructions, Clear and the set instructions.
#include <algorithm>

#include "sync/changeset/applier_impl.hpp"

namespace ros::sync::changeset::detail {

bool Applier::to_value(const Payload& p, Value& v) {
  switch (p.type) {
    case Type::Int:
      v.kind = K::Int;
      v.int_value = p.int_value;
      return true;
    case Type::Bool:
      v.kind = K::Bool;
      v.bool_value = p.bool_value;
      return true;
    case Type::String:
      v.kind = K::String;
      v.bytes = p.bytes;
      return true;
    case Type::Binary:
      v.kind = K::Binary;
      v.bytes = p.bytes;
      return true;
    case Type::Timestamp:
      v.kind = K::Timestamp;
      v.timestamp = p.timestamp;
      return true;
    case Type::Float:
      v.kind = K::Float;
      v.float_value = p.float_value;
      return true;
    case Type::Double:
      v.kind = K::Double;
      v.double_value = p.double_value;
      return true;
    case Type::Decimal:
      v.kind = K::Decimal;
      v.decimal = p.decimal;
      return true;
    case Type::ObjectId:
      v.kind = K::ObjectId;
      v.object_id = p.object_id;
      return true;
    case Type::UUID:
      v.kind = K::UUID;
      v.uuid = p.uuid;
      return true;
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

bool Applier::fits(const ColumnSpec& spec, const Payload& p, const Value& v) {
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

bool Applier::is_embedded_link(const ColumnSpec& spec, bool& out) {
  out = false;
  if (spec.type != Type::Link) return true;
  return is_embedded_class(spec.link_target, out);
}

bool Applier::update_property(Target& t, const Payload& p) {
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

bool Applier::update_element(Target& t, const Payload& p) {
  if (p.type == Type::ObjectValue) return true;  // ignored, even out of bounds
  auto& items = t.slot->items;
  if (t.index >= items.size())
    return bc("list index " + std::to_string(t.index) + " out of bounds");
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

bool Applier::update_entry(Target& t, const Payload& p) {
  if (!t.key.empty() && t.key[0] == '$')
    return bc("dictionary key '" + t.key + "' starts with '$'");
  if (t.key.find('.') != std::string::npos)
    return bc("dictionary key '" + t.key + "' contains '.'");
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
      if (t.spec.type != Type::Null)
        return bc("nested collection into a dictionary that is not Mixed");
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

bool Applier::apply(const Update& in) {
  return with_target(in.prefix, [&](Target& t) {
    switch (t.kind) {
      case Target::Kind::Property:
        return update_property(t, in.value);
      case Target::Kind::Element:
        // A local write made for an older state (its list size since
        // changed) would apply here, but every later merge of it with a
        // concurrent change of that list fails ("prior_size mismatch"), on
        // every client that receives it. ObjectValue is ignored anyway.
        if (options_.local_write && in.value.type != Type::ObjectValue &&
            in.prior_size != t.slot->items.size()) {
          return bc("prior_size " + std::to_string(in.prior_size) + " is not the list size " +
                    std::to_string(t.slot->items.size()));
        }
        return update_element(t, in.value);
      case Target::Kind::Entry:
        return update_entry(t, in.value);
      default:
        return bc("Invalid path for Update (a whole collection)");
    }
  });
}

bool Applier::apply(const AddInteger& in) {
  return with_target(in.prefix, [&](Target& t) {
    if (t.kind != Target::Kind::Property) return bc("Invalid path for AddInteger");
    Value& v = *t.slot;
    if (v.is_null()) return true;
    if (v.kind != K::Int || (t.spec.type != Type::Int && t.spec.type != Type::Null)) {
      return bc("Not an integer field");
    }
    v.int_value =
        static_cast<int64_t>(static_cast<uint64_t>(v.int_value) + static_cast<uint64_t>(in.value));
    return true;
  });
}

bool Applier::apply(const ArrayInsert& in) {
  return with_target(in.prefix, [&](Target& t) {
    if (t.kind != Target::Kind::Element) return bc("Invalid path for ArrayInsert");
    auto& items = t.slot->items;
    const std::size_t size = items.size();
    const uint32_t i = t.index;
    if (i > in.prior_size)
      return bc("index " + std::to_string(i) + " beyond prior_size " +
                std::to_string(in.prior_size));
    if (i > size)
      return bc("index " + std::to_string(i) + " beyond the list size " + std::to_string(size));
    if (in.prior_size != size) {
      return bc("prior_size " + std::to_string(in.prior_size) + " is not the list size " +
                std::to_string(size));
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

bool Applier::apply(const ArrayMove& in) {
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
      return bc("prior_size " + std::to_string(in.prior_size) + " is not the list size " +
                std::to_string(size));
    }
    Value v = std::move(items[from]);
    items.erase(items.begin() + from);
    items.insert(items.begin() + to, std::move(v));
    return true;
  });
}

bool Applier::apply(const ArrayErase& in) {
  return with_target(in.prefix, [&](Target& t) {
    if (t.kind != Target::Kind::Element) return bc("Invalid path for ArrayErase");
    auto& items = t.slot->items;
    const std::size_t size = items.size();
    const uint32_t i = t.index;
    if (i >= in.prior_size)
      return bc("index " + std::to_string(i) + " not below prior_size " +
                std::to_string(in.prior_size));
    if (i >= size) return bc("index " + std::to_string(i) + " out of bounds");
    if (in.prior_size != size) {
      return bc("prior_size " + std::to_string(in.prior_size) + " is not the list size " +
                std::to_string(size));
    }
    items.erase(items.begin() + i);  // an embedded object goes with it
    return true;
  });
}

bool Applier::clear_mixed(Value& v, CollectionType c) {
  if (c != CollectionType::List && c != CollectionType::Dictionary) {
    return bc("Clear of a Mixed value needs collection type List or Dictionary");
  }
  if (v.kind == K::Set) return bc("Clear of a nested set");
  v = empty_of(c == CollectionType::List ? K::List : K::Dictionary);
  return true;
}

bool Applier::apply(const Clear& in) {
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
        if (!mixed)
          return bc("Invalid path for Clear (an entry of a dictionary that is not Mixed)");
        auto it = t.slot->fields.find(t.key);
        if (it == t.slot->fields.end()) return bc("no dictionary key '" + t.key + "'");
        return clear_mixed(it->second, in.collection_type);
      }
    }
    return false;
  });
}

bool Applier::set_value(Target& t, const Payload& p, bool erase, Value& v) {
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

bool Applier::apply(const SetInsert& in) {
  return with_target(in.prefix, [&](Target& t) {
    Value v;
    if (!set_value(t, in.value, false, v)) return false;
    auto& items = t.slot->items;
    auto it = std::lower_bound(items.begin(), items.end(), v, value_less);
    if (it == items.end() || compare_values(*it, v) != 0) items.insert(it, std::move(v));
    return true;
  });
}

bool Applier::apply(const SetErase& in) {
  return with_target(in.prefix, [&](Target& t) {
    Value v;
    if (!set_value(t, in.value, true, v)) return false;
    auto& items = t.slot->items;
    auto it = std::lower_bound(items.begin(), items.end(), v, value_less);
    if (it != items.end() && compare_values(*it, v) == 0) items.erase(it);
    return true;
  });
}

}  // namespace ros::sync::changeset::detail
