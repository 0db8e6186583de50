// Internal to the applier (not part of the library's interface): the
// Applier class behind apply() in applier.hpp. Its members are defined by
// topic: applier.cpp (the instruction loop and lookups), apply_schema.cpp
// (schema and object instructions, sections 12.3 and 12.4), apply_path.cpp
// (path resolution, section 12.5) and apply_values.cpp (the value
// instructions, sections 12.6 to 12.13).
//
// Convention: every bool member returns false after recording why, either a
// realm-core rejection in reason_ (via bc()) or a State failure in storage_
// (via take()); callers propagate false.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "sync/changeset/applier.hpp"

namespace ros::sync::changeset::detail {

using K = Value::Kind;

// The element type of a nested collection inside a Mixed value.
inline const ColumnSpec kMixedElement{Type::Null, true, CollectionType::Single, ""};

inline bool accepts_null(const ColumnSpec& c) { return c.type == Type::Null || c.nullable; }

inline bool is_scalar(Type t) {
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

inline Value empty_of(K kind) {
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
  uint32_t index = 0;                                  // Element
  std::string key;                                     // Entry
  bool primary_key = false;
};

class Applier {
 public:
  Applier(State& state, const Changeset& cs, const ApplyOptions& options)
      : st_(state), cs_(cs), options_(options) {}
  // Applies every instruction in order; stops at the first failure.
  Result<void> run();

 private:
  // ---- plumbing ----
  bool bc(std::string reason);
  template <class T>
  bool take(Result<T> r, T& out) {
    if (!r) {
      storage_ = r.error();
      return false;
    }
    out = std::move(r.value());
    return true;
  }
  bool take(Result<void> r);
  const std::string& str(InternRef r) const { return cs_.str(r); }
  ObjectKey to_key(const PrimaryKey& pk) const;
  // The primary-key property's value for an object key.
  static Value key_value(const ObjectKey& key);
  bool find_class(const std::string& name, std::optional<ClassSpec>& out);
  bool load_class(const std::string& name, ClassSpec& out);
  // Section 12.4, step 2: the key's type must fit the class.
  bool check_key(const std::string& name, const ClassSpec& cls, const PrimaryKey& pk);

  // ---- schema instructions (section 12.3) ----
  bool apply(const AddTable& in);
  bool apply(const EraseTable& in);
  bool apply(const AddColumn& in);
  // Counts embedded objects held by `v` (a value of a link column to class
  // `cls`), recursively, into `counts`.
  void count_embedded(const Value& v, const std::string& cls,
                      const std::map<std::string, ClassSpec>& specs,
                      std::map<std::string, uint64_t>& counts);
  void count_owned(const Object& fields, const ClassSpec& cls,
                   const std::map<std::string, ClassSpec>& specs,
                   std::map<std::string, uint64_t>& counts);
  // Calls fn(fields) for every embedded object of class `target` held in
  // `fields` (an object of class `cls`), at any depth.
  void visit_embedded(Object& fields, const ClassSpec& cls, const std::string& target,
                      const std::map<std::string, ClassSpec>& specs,
                      const std::function<void(Object&)>& fn);
  bool apply(const EraseColumn& in);

  // ---- objects (section 12.4) ----
  bool apply(const CreateObject& in);
  bool apply(const EraseObject& in);

  // ---- paths (section 12.5) ----
  Value* slot_of(Object& fields, const std::string& field, const ColumnSpec& col);
  bool is_embedded_class(const std::string& name, bool& out);
  bool resolve_nested(Value* cur, const Path& path, std::size_t i, Target& t);
  bool resolve(Object& top, const ClassSpec& top_cls, const PathPrefix& p, Target& t);
  // Runs fn on the target of a path instruction, in the cached object.
  template <class F>
  bool with_target(const PathPrefix& p, F fn) {
    const std::string& name = str(p.table);
    ClassSpec cls;
    if (!load_class(name, cls)) return false;
    if (!check_key(name, cls, p.object)) return false;
    const ObjectKey key = to_key(p.object);
    CachedObject* obj = nullptr;
    if (!cached(name, key, obj)) return false;
    if (!obj->object) return bc("No such object in table '" + name + "'");
    Target t;
    if (!resolve(*obj->object, cls, p, t)) return false;
    obj->dirty = true;  // resolve() may already have filled in defaults
    return fn(t);
  }

  // ---- values (section 12.6) ----
  // A scalar or Link payload as a state value; Link targets are checked.
  bool to_value(const Payload& p, Value& v);
  // Whether a scalar or link value may be stored where `spec` describes.
  bool fits(const ColumnSpec& spec, const Payload& p, const Value& v);
  bool is_embedded_link(const ColumnSpec& spec, bool& out);

  // ---- Update (section 12.7) ----
  bool update_property(Target& t, const Payload& p);
  bool update_element(Target& t, const Payload& p);
  bool update_entry(Target& t, const Payload& p);
  bool apply(const Update& in);

  // ---- AddInteger (section 12.8) ----
  bool apply(const AddInteger& in);

  // ---- lists (sections 12.9 to 12.11) ----
  bool apply(const ArrayInsert& in);
  bool apply(const ArrayMove& in);
  bool apply(const ArrayErase& in);

  // ---- Clear (section 12.12) ----
  bool clear_mixed(Value& v, CollectionType c);
  bool apply(const Clear& in);

  // ---- sets (section 12.13) ----
  bool set_value(Target& t, const Payload& p, bool erase, Value& v);
  bool apply(const SetInsert& in);
  bool apply(const SetErase& in);

  // ---- object cache ----
  // The top-level objects this changeset touches, so that a run of
  // instructions on one object costs one load and one store, not one each
  // (a State may be a database, and objects may be large). Instructions that
  // walk the State directly (EraseColumn, EraseTable) flush first.
  struct CachedObject {
    std::optional<Object> object;  // nullopt: does not exist (or was erased)
    bool dirty = false;
  };
  // The entry for an object, loaded from the State on first use.
  bool cached(const std::string& cls, const ObjectKey& key, CachedObject*& out);
  // Writes the dirty entries back and empties the cache.
  bool flush();

  State& st_;
  const Changeset& cs_;
  const ApplyOptions options_;
  std::map<std::pair<std::string, ObjectKey>, CachedObject> cache_;
  std::string reason_;
  std::optional<Error> storage_;
};

}  // namespace ros::sync::changeset::detail
