// A thin RAII layer over the SQLite C API for ros's databases (admin.db and
// the Realm files): a connection handle, prepared statements with bound
// parameters, and a transaction guard.
// Every statement goes through Statement, so no value is ever spliced into SQL
// text.
//
// Errors are values: a failed prepare or step is an Error whose message holds
// SQLite's own text. A constraint violation is reported as Errc::conflict
// (callers translate it into their own message), busy/locked as
// Errc::unavailable, everything else as Errc::internal.
//
// Thread safety: none of these types is thread-safe; the owner (AdminStore,
// RealmStore) serialises all use of one connection.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "common/result.hpp"

namespace ros::sql {

struct DbClose {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, DbClose>;

// An Error for SQLite result code `rc` on `db`: "<what>: <sqlite message>".
Error sqlite_error(sqlite3* db, int rc, std::string_view what);

// Opens an existing database file for tools that inspect it, never creating
// it: read-write when the file allows (a read-only connection to a WAL
// database leaves -wal and -shm files behind when it closes), else
// read-only; busy timeout `busy_ms`. Errors: unavailable "cannot open:
// <SQLite's message>".
Result<Db> open_existing(const std::string& file, int busy_ms = 5000);

class Statement {
 public:
  static Result<Statement> prepare(sqlite3* db, std::string_view sql);

  Statement(Statement&&) noexcept = default;
  Statement& operator=(Statement&&) noexcept = default;

  // Parameters are 1-based, as in SQLite. A failed bind is remembered and
  // reported by the next step().
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bind_null(int index);
  // Bytes as a BLOB (any byte values, NULs included).
  Statement& bind_blob(int index, std::string_view bytes);

  // Advances: true when a row is available, false when done.
  Result<bool> step();

  // Runs to completion, ignoring any rows.
  Result<void> run();

  // Back to before the first step, with every parameter unbound (NULL), so
  // the statement can run again without being prepared again.
  void reset();

  // Columns of the current row (0-based).
  std::string text(int column) const;
  std::string blob(int column) const;  // the bytes of a BLOB column
  std::int64_t int64(int column) const;
  bool is_null(int column) const;

 private:
  struct Finalize {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
  int bind_error_ = SQLITE_OK;
};

// Runs one statement without parameters (schema changes, pragmas, BEGIN).
Result<void> exec(sqlite3* db, std::string_view sql);

// The first column of the first row of a statement without parameters (a
// pragma's answer, say); nullopt when it yields no row.
Result<std::optional<std::string>> query_text(sqlite3* db, std::string_view sql);
Result<std::optional<std::int64_t>> query_int(sqlite3* db, std::string_view sql);

// BEGIN IMMEDIATE on construction (check begun()); ROLLBACK on destruction
// unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(sqlite3* db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  const Result<void>& begun() const { return begun_; }
  Result<void> commit();

 private:
  sqlite3* db_;
  Result<void> begun_;
  bool done_ = false;
};

}  // namespace ros::sql
