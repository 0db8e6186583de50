// Path resolution (changeset.md section 12.5): from a top-level object, a
// field and a path to the property, collection, element or entry addressed.
#include "sync/changeset/applier_impl.hpp"

namespace ros::sync::changeset::detail {

Value* Applier::slot_of(Object& fields, const std::string& field, const ColumnSpec& col) {
  return &fields.try_emplace(field, default_value(col)).first->second;
}

bool Applier::is_embedded_class(const std::string& name, bool& out) {
  std::optional<ClassSpec> c;
  if (!find_class(name, c)) return false;
  out = c && c->embedded();
  return true;
}

bool Applier::resolve_nested(Value* cur, const Path& path, std::size_t i, Target& t) {
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

bool Applier::resolve(Object& top, const ClassSpec& top_cls, const PathPrefix& p, Target& t) {
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
        if (it == slot->fields.end())
          return bc("no dictionary key '" + str(*key) + "' in the path");
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

}  // namespace ros::sync::changeset::detail
