// JournalState: the changeset State held in memory with an undo journal, for
// the client's local Realms.
//
// Why not MemoryState: MemoryState::begin() copies the whole state, so each
// applied changeset costs the size of the Realm; a client that integrates
// thousands of small changesets into a growing Realm (benches, the 50-client
// tests) spent most of its time copying. Here a transaction records, per
// change, what it replaced, and rollback() undoes those changes in reverse
// order; begin() and commit() cost nothing.
//
// Promises: the same observable behaviour as MemoryState (the State
// contract of state.hpp; never fails; class names and keys in order);
// changes made outside a transaction are not journaled. Nested transactions
// are not supported: begin() while one is open keeps the open one.
//
// Thread safety: none.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sync/changeset/state.hpp"

namespace ros::sync::client {

class JournalState final : public changeset::State {
 public:
  using ClassSpec = changeset::ClassSpec;
  using ObjectKey = changeset::ObjectKey;
  using Object = changeset::Object;

  Result<std::vector<std::string>> class_names() const override;
  Result<std::optional<ClassSpec>> get_class(const std::string& name) const override;
  Result<void> put_class(const std::string& name, const ClassSpec& spec) override;
  Result<void> erase_class(const std::string& name) override;
  Result<std::vector<ObjectKey>> object_keys(const std::string& cls) const override;
  Result<std::optional<Object>> get_object(const std::string& cls, const ObjectKey& key) const override;
  Result<bool> has_object(const std::string& cls, const ObjectKey& key) const override;
  Result<void> put_object(const std::string& cls, const ObjectKey& key, const Object& object) override;
  Result<void> erase_object(const std::string& cls, const ObjectKey& key) override;
  Result<void> begin() override;
  Result<void> commit() override;
  Result<void> rollback() override;

 private:
  struct Table {
    ClassSpec spec;
    std::map<ObjectKey, Object> objects;
  };
  struct Undo {
    enum class Kind { spec, table, object } kind = Kind::object;
    std::string cls;
    bool table_existed = true;
    std::optional<ClassSpec> spec;  // Kind::spec: the previous schema
    std::optional<Table> table;     // Kind::table: the erased table
    ObjectKey key;                  // Kind::object
    std::optional<Object> object;   // Kind::object: the previous object, if any
  };
  std::map<std::string, Table> tables_;
  bool in_transaction_ = false;
  std::vector<Undo> journal_;
};

}  // namespace ros::sync::client
