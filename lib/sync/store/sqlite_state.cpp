#include "sync/store/sqlite_state.hpp"

#include <algorithm>

#include "storage/sqlite.hpp"
#include "sync/store/codec.hpp"

namespace ros::sync::store {

namespace cs = ros::sync::changeset;

// Encoded specs, keys and objects are bytes: bound with bind_blob() and read
// with blob().

Result<void> SqliteState::create_tables(sqlite3* db) {
  for (const char* statement : {
           "CREATE TABLE IF NOT EXISTS classes(name TEXT PRIMARY KEY, spec BLOB NOT NULL)",
           "CREATE TABLE IF NOT EXISTS objects(class TEXT NOT NULL, key BLOB NOT NULL, "
           "value BLOB NOT NULL, PRIMARY KEY (class, key)) WITHOUT ROWID",
       }) {
    if (auto r = sql::exec(db, statement); !r) return r;
  }
  return {};
}

namespace {

Error corrupt(const std::string& what, const std::string& cls) {
  return make_error(Errc::internal, "corrupt " + what + " record in class '" + cls +
                                        "' of the Realm file (restore it from a backup)");
}

}  // namespace

Result<std::vector<std::string>> SqliteState::class_names() const {
  auto lease = statements_.get("SELECT name FROM classes");
  if (!lease) return lease.error();
  sql::Statement& stmt = **lease;
  std::vector<std::string> names;
  for (;;) {
    auto row = stmt.step();
    if (!row) return row.error();
    if (!*row) break;
    names.push_back(stmt.text(0));
  }
  // Sorted by bytes, whatever collation the table uses.
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::optional<cs::ClassSpec>> SqliteState::get_class(const std::string& name) const {
  auto lease = statements_.get("SELECT spec FROM classes WHERE name = ?1");
  if (!lease) return lease.error();
  sql::Statement& stmt = **lease;
  stmt.bind(1, name);
  auto row = stmt.step();
  if (!row) return row.error();
  if (!*row) return std::optional<cs::ClassSpec>();
  auto spec = decode_class_spec(stmt.blob(0));
  if (!spec) return corrupt("schema", name);
  return std::optional<cs::ClassSpec>(std::move(*spec));
}

Result<void> SqliteState::put_class(const std::string& name, const cs::ClassSpec& spec) {
  auto lease = statements_.get(
      "INSERT INTO classes(name, spec) VALUES (?1, ?2) "
      "ON CONFLICT(name) DO UPDATE SET spec = excluded.spec");
  if (!lease) return lease.error();
  sql::Statement& stmt = **lease;
  stmt.bind(1, name).bind_blob(2, encode_class_spec(spec));
  return stmt.run();
}

Result<void> SqliteState::erase_class(const std::string& name) {
  for (const char* text : {"DELETE FROM objects WHERE class = ?1",
                           "DELETE FROM classes WHERE name = ?1"}) {
    auto lease = statements_.get(text);
    if (!lease) return lease.error();
    sql::Statement& stmt = **lease;
    stmt.bind(1, name);
    if (auto r = stmt.run(); !r) return r;
  }
  return {};
}

Result<std::vector<cs::ObjectKey>> SqliteState::object_keys(const std::string& cls) const {
  auto lease = statements_.get("SELECT key FROM objects WHERE class = ?1");
  if (!lease) return lease.error();
  sql::Statement& stmt = **lease;
  stmt.bind(1, cls);
  std::vector<cs::ObjectKey> keys;
  for (;;) {
    auto row = stmt.step();
    if (!row) return row.error();
    if (!*row) break;
    auto key = decode_object_key(stmt.blob(0));
    if (!key) return corrupt("object key", cls);
    keys.push_back(std::move(*key));
  }
  // The encoding's byte order is not ObjectKey order; sort as the contract says.
  std::sort(keys.begin(), keys.end());
  return keys;
}

Result<std::optional<cs::Object>> SqliteState::get_object(const std::string& cls,
                                                          const cs::ObjectKey& key) const {
  auto lease = statements_.get(
      "SELECT value FROM objects WHERE class = ?1 AND key = ?2");
  if (!lease) return lease.error();
  sql::Statement& stmt = **lease;
  stmt.bind(1, cls).bind_blob(2, encode_object_key(key));
  auto row = stmt.step();
  if (!row) return row.error();
  if (!*row) return std::optional<cs::Object>();
  auto object = decode_object(stmt.blob(0));
  if (!object) return corrupt("object", cls);
  return std::optional<cs::Object>(std::move(*object));
}

Result<bool> SqliteState::has_object(const std::string& cls, const cs::ObjectKey& key) const {
  auto lease = statements_.get(
      "SELECT 1 FROM objects WHERE class = ?1 AND key = ?2");
  if (!lease) return lease.error();
  sql::Statement& stmt = **lease;
  stmt.bind(1, cls).bind_blob(2, encode_object_key(key));
  return stmt.step();
}

Result<void> SqliteState::put_object(const std::string& cls, const cs::ObjectKey& key,
                                     const cs::Object& object) {
  auto lease = statements_.get(
      "INSERT INTO objects(class, key, value) VALUES (?1, ?2, ?3) "
      "ON CONFLICT(class, key) DO UPDATE SET value = excluded.value");
  if (!lease) return lease.error();
  sql::Statement& stmt = **lease;
  stmt.bind(1, cls).bind_blob(2, encode_object_key(key)).bind_blob(3, encode_object(object));
  return stmt.run();
}

Result<void> SqliteState::erase_object(const std::string& cls, const cs::ObjectKey& key) {
  auto lease = statements_.get(
      "DELETE FROM objects WHERE class = ?1 AND key = ?2");
  if (!lease) return lease.error();
  sql::Statement& stmt = **lease;
  stmt.bind(1, cls).bind_blob(2, encode_object_key(key));
  return stmt.run();
}

Result<void> SqliteState::begin() { return statements_.exec("SAVEPOINT state_apply"); }

Result<void> SqliteState::commit() { return statements_.exec("RELEASE state_apply"); }

Result<void> SqliteState::rollback() {
  if (auto r = statements_.exec("ROLLBACK TO state_apply"); !r) return r;
  return statements_.exec("RELEASE state_apply");
}

}  // namespace ros::sync::store
