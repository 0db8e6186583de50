// SqliteState: the materialized state of one Realm (changeset::State) kept in
// the Realm's SQLite file, next to its history (realm_store.hpp).
//
// Tables (created by RealmStore's schema migration, or by create_tables()):
//   classes(name TEXT PRIMARY KEY, spec BLOB)            one row per class
//   objects(class TEXT, key BLOB, value BLOB,            one row per top-level
//           PRIMARY KEY (class, key)) WITHOUT ROWID       object, embedded
//                                                         objects inline
// `spec`, `key` and `value` use the compact encoding of codec.hpp.
//
// Promises: behaves as MemoryState does for every call (the applier tests and
// the recorded vectors run against both). begin() opens a SAVEPOINT, so the
// applier's per-changeset transaction nests inside a transaction the caller
// may hold (RealmStore's group commit); commit() releases it, rollback()
// rolls back to it. Outside any transaction, begin()..commit() is one SQLite
// transaction. Storage failures are Errors (unavailable for busy, full or I/O
// errors, internal otherwise); a record that cannot be decoded is an internal
// error naming the class ("corrupt object record in class 'Person'").
// Thread safety: none. It borrows the connection, which must outlive it;
// only on the Realm's strand.
#pragma once

#include <sqlite3.h>

#include "storage/statement_cache.hpp"
#include "sync/changeset/state.hpp"

namespace ros::sync::store {

class SqliteState final : public changeset::State {
 public:
  explicit SqliteState(sqlite3* db) : db_(db), statements_(db) {}

  // Creates the two tables if they do not exist (for a connection that is
  // not a RealmStore's; RealmStore creates them in its migration).
  static Result<void> create_tables(sqlite3* db);

  Result<std::vector<std::string>> class_names() const override;
  Result<std::optional<changeset::ClassSpec>> get_class(const std::string& name) const override;
  Result<void> put_class(const std::string& name, const changeset::ClassSpec& spec) override;
  Result<void> erase_class(const std::string& name) override;
  Result<std::vector<changeset::ObjectKey>> object_keys(const std::string& cls) const override;
  Result<std::optional<changeset::Object>> get_object(const std::string& cls,
                                                      const changeset::ObjectKey& key) const override;
  Result<bool> has_object(const std::string& cls, const changeset::ObjectKey& key) const override;
  Result<void> put_object(const std::string& cls, const changeset::ObjectKey& key,
                          const changeset::Object& object) override;
  Result<void> erase_object(const std::string& cls, const changeset::ObjectKey& key) override;
  Result<void> begin() override;
  Result<void> commit() override;
  Result<void> rollback() override;

 private:
  sqlite3* db_;  // borrowed
  // Prepared once per connection: the applier reads and writes objects
  // once or more per instruction.
  mutable sql::StatementCache statements_;
};

}  // namespace ros::sync::store
