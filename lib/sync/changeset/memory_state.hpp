// MemoryState: the State interface held in memory, for tools and tests.
//
// Promises: never fails; begin() snapshots everything and rollback() restores
// the snapshot, so a transaction costs a copy of the state (fine for the
// sizes the tools handle). Nested transactions are not supported: begin()
// while one is open replaces the snapshot.
#pragma once

#include <map>

#include "sync/changeset/state.hpp"

namespace ros::sync::changeset {

class MemoryState final : public State {
 public:
  Result<std::vector<std::string>> class_names() const override;
  Result<std::optional<ClassSpec>> get_class(const std::string& name) const override;
  Result<void> put_class(const std::string& name, const ClassSpec& spec) override;
  Result<void> erase_class(const std::string& name) override;
  Result<std::vector<ObjectKey>> object_keys(const std::string& cls) const override;
  Result<std::optional<Object>> get_object(const std::string& cls,
                                           const ObjectKey& key) const override;
  Result<bool> has_object(const std::string& cls, const ObjectKey& key) const override;
  Result<void> put_object(const std::string& cls, const ObjectKey& key,
                          const Object& object) override;
  Result<void> erase_object(const std::string& cls, const ObjectKey& key) override;
  Result<void> begin() override;
  Result<void> commit() override;
  Result<void> rollback() override;

 private:
  struct Table {
    ClassSpec spec;
    std::map<ObjectKey, Object> objects;
  };
  std::map<std::string, Table> tables_;
  std::optional<std::map<std::string, Table>> snapshot_;
};

}  // namespace ros::sync::changeset
