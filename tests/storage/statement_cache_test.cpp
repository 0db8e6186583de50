// StatementCache: one prepared statement per SQL text, handed out reset and
// unbound, reset again when its lease ends; a re-entrant use gets its own.
#include "storage/statement_cache.hpp"

#include <catch2/catch.hpp>

using ros::sql::Statement;
using ros::sql::StatementCache;

namespace {

struct Memory {
  Memory() {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(":memory:", &raw) == SQLITE_OK);
    db.reset(raw);
    REQUIRE(ros::sql::exec(raw, "CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)").ok());
    REQUIRE(ros::sql::exec(raw, "INSERT INTO t VALUES (1, 'one'), (2, 'two')").ok());
  }
  ros::sql::Db db;
};

// How many statements the connection has prepared and not finalized.
int open_statements(sqlite3* db) {
  int n = 0;
  for (sqlite3_stmt* s = sqlite3_next_stmt(db, nullptr); s; s = sqlite3_next_stmt(db, s)) ++n;
  return n;
}

// How many of them are stepped and not reset (each holds a read transaction).
int busy_statements(sqlite3* db) {
  int n = 0;
  for (sqlite3_stmt* s = sqlite3_next_stmt(db, nullptr); s; s = sqlite3_next_stmt(db, s))
    n += sqlite3_stmt_busy(s) ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("statement cache: a text is prepared once and reused", "[storage]") {
  Memory m;
  StatementCache cache(m.db.get());
  Statement* first = nullptr;
  {
    auto lease = cache.get("SELECT v FROM t WHERE k = ?1");
    REQUIRE(lease.ok());
    first = &**lease;
    (*lease)->bind(1, std::int64_t{2});
    REQUIRE((*lease)->step().value());
    CHECK((*lease)->text(0) == "two");
  }
  auto again = cache.get("SELECT v FROM t WHERE k = ?1");
  REQUIRE(again.ok());
  CHECK(&**again == first);
  CHECK(open_statements(m.db.get()) == 1);
  // Handed out unbound: ?1 is NULL, which matches no row.
  CHECK_FALSE((*again)->step().value());
}

TEST_CASE("statement cache: a lease's end resets the statement", "[storage]") {
  Memory m;
  StatementCache cache(m.db.get());
  {
    auto lease = cache.get("SELECT k FROM t ORDER BY k");
    REQUIRE(lease.ok());
    REQUIRE((*lease)->step().value());
    CHECK((*lease)->int64(0) == 1);
    // Left on its first row: without a reset the next use would go on at 2.
    CHECK(busy_statements(m.db.get()) == 1);
  }
  CHECK(busy_statements(m.db.get()) == 0);
  auto lease = cache.get("SELECT k FROM t ORDER BY k");
  REQUIRE(lease.ok());
  REQUIRE((*lease)->step().value());
  CHECK((*lease)->int64(0) == 1);
}

TEST_CASE("statement cache: a re-entrant use of a text gets its own statement", "[storage]") {
  Memory m;
  StatementCache cache(m.db.get());
  auto outer = cache.get("SELECT k FROM t ORDER BY k");
  REQUIRE(outer.ok());
  REQUIRE((*outer)->step().value());
  {
    auto inner = cache.get("SELECT k FROM t ORDER BY k");
    REQUIRE(inner.ok());
    CHECK(&**inner != &**outer);
    REQUIRE((*inner)->step().value());
    CHECK((*inner)->int64(0) == 1);
    CHECK(open_statements(m.db.get()) == 2);
  }
  // The one-off statement is gone; the outer one went on undisturbed.
  CHECK(open_statements(m.db.get()) == 1);
  REQUIRE((*outer)->step().value());
  CHECK((*outer)->int64(0) == 2);
}

TEST_CASE("statement cache: bad SQL is prepare's error, and exec runs a kept statement",
          "[storage]") {
  Memory m;
  StatementCache cache(m.db.get());
  auto bad = cache.get("SELEKT 1");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("cannot prepare a statement") != std::string::npos);
  REQUIRE(cache.exec("INSERT INTO t VALUES (3, 'three')").ok());
  CHECK(ros::sql::query_int(m.db.get(), "SELECT count(*) FROM t").value() == 3);
  CHECK(cache.exec("INSERT INTO t VALUES (3, 'again')").error().code == ros::Errc::conflict);
}
