// The materialized state of a Realm that changesets are applied to
// (changeset.md section 12.1): classes with their schema, top-level objects
// keyed by primary key, and each object's property values with embedded
// objects held inline by their owner.
//
// State is the storage interface the applier uses. MemoryState implements it
// in memory; the sync service's SQLite store implements it too. The contract:
// * Objects are read and written whole (a top-level object with everything it
//   owns), so an implementation stores one record per top-level object.
// * A property absent from an object's map has its column's default value
//   (section 12.1); implementations do not need to back-fill new columns.
// * Links are stored as (class, key) and never dangle-checked: a link whose
//   target object does not exist is an unresolved link (a tombstone).
// * begin() starts a transaction that commit() keeps and rollback() undoes;
//   the applier brackets each changeset with them.
// * Every call may fail (storage errors); MemoryState never does.
// Thread safety: none; one writer at a time.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/result.hpp"
#include "sync/changeset/types.hpp"

namespace ros::sync::changeset {

// An object's identity: its primary key value, or its GlobalKey when the
// class has no primary key. Strings are held by value.
using ObjectKey = std::variant<Null, int64_t, std::string, ObjectId, Uuid, GlobalKey>;

struct ColumnSpec {
  Type type = Type::Int;  // Null means Mixed
  bool nullable = false;
  CollectionType collection = CollectionType::Single;
  std::string link_target;  // for Link columns
  bool operator==(const ColumnSpec&) const = default;
};

struct PrimaryKeySpec {
  std::string field;
  Type type = Type::Int;
  bool nullable = false;
  bool operator==(const PrimaryKeySpec&) const = default;
};

struct ClassSpec {
  TableType table_type = TableType::TopLevel;
  std::optional<PrimaryKeySpec> primary_key;  // none: objects are keyed by GlobalKey
  std::map<std::string, ColumnSpec> columns;  // includes the primary-key column
  // Embedded objects that realm-core leaves behind, unowned, when the link
  // property owning them is erased (section 12.3); they still count.
  uint64_t orphaned_objects = 0;
  bool operator==(const ClassSpec&) const = default;

  bool embedded() const { return table_type == TableType::Embedded; }
};

// A property value, a collection element, or an embedded object.
struct Value {
  enum class Kind {
    Null,
    Int,
    Bool,
    String,
    Binary,
    Timestamp,
    Float,
    Double,
    Decimal,
    ObjectId,
    UUID,
    Link,       // link_table + link_key
    Embedded,   // fields: the embedded object's properties
    List,       // items, in order
    Set,        // items, sorted by value_less and unique
    Dictionary  // fields: key -> value
  };
  Kind kind = Kind::Null;
  int64_t int_value = 0;
  bool bool_value = false;
  std::string bytes;  // String, Binary
  Timestamp timestamp;
  float float_value = 0;
  double double_value = 0;
  Decimal128 decimal;
  ObjectId object_id;
  Uuid uuid;
  std::string link_table;
  ObjectKey link_key;
  std::vector<Value> items;
  std::map<std::string, Value> fields;

  bool is_null() const { return kind == Kind::Null; }
};

// A top-level object: property name -> value.
using Object = std::map<std::string, Value>;

// realm-core's set element ordering (SetElementLessThan): null first, then
// bool, numbers compared numerically across Int/Float/Double/Decimal (so 3
// equals 3.0), strings, binaries (both by signed bytes, as realm-core's
// char comparison does), timestamps, ObjectIds, UUIDs, links.
int compare_values(const Value& a, const Value& b);
inline bool value_less(const Value& a, const Value& b) { return compare_values(a, b) < 0; }

// The value a new object has in a property of this column.
Value default_value(const ColumnSpec& column);

class State {
 public:
  virtual ~State() = default;

  // Class names, sorted by bytes.
  virtual Result<std::vector<std::string>> class_names() const = 0;
  virtual Result<std::optional<ClassSpec>> get_class(const std::string& name) const = 0;
  // Creates or replaces a class's schema; its objects are kept.
  virtual Result<void> put_class(const std::string& name, const ClassSpec& spec) = 0;
  // Removes a class and all its objects.
  virtual Result<void> erase_class(const std::string& name) = 0;

  // Keys of the class's objects, in ObjectKey order.
  virtual Result<std::vector<ObjectKey>> object_keys(const std::string& cls) const = 0;
  virtual Result<std::optional<Object>> get_object(const std::string& cls,
                                                   const ObjectKey& key) const = 0;
  virtual Result<bool> has_object(const std::string& cls, const ObjectKey& key) const = 0;
  virtual Result<void> put_object(const std::string& cls, const ObjectKey& key,
                                  const Object& object) = 0;
  // Not an error when the object does not exist.
  virtual Result<void> erase_object(const std::string& cls, const ObjectKey& key) = 0;

  virtual Result<void> begin() = 0;
  virtual Result<void> commit() = 0;
  virtual Result<void> rollback() = 0;
};

}  // namespace ros::sync::changeset
