// StatementCache: the prepared statements of one connection, kept and reused
// so that a hot path (a Realm's uploads, its state reads) does not parse the
// same SQL text on every call; preparing costs more than a typical bound step.
//
// Promises: get(sql) hands out the statement for that text, prepared on its
// first use, reset and with no parameters bound. The Lease resets it again
// when it goes out of scope, so a kept statement never holds a read
// transaction open between uses. While a Lease on a text is alive, another
// get() of the same text (a re-entrant use) gets a statement of its own,
// prepared for that use only. Errors are prepare()'s.
//
// Thread safety: none, as the connection's owner. The cache must be
// destroyed before the connection is closed (its statements belong to it).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "storage/sqlite.hpp"

namespace ros::sql {

class StatementCache {
 public:
  explicit StatementCache(sqlite3* db) : db_(db) {}
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Statement* operator->() { return statement_; }
    Statement& operator*() { return *statement_; }

   private:
    friend class StatementCache;
    Lease(Statement* kept, bool* in_use) : statement_(kept), in_use_(in_use) {}
    explicit Lease(Statement own);

    std::optional<Statement> own_;  // a one-off statement (re-entrant use)
    Statement* statement_ = nullptr;
    bool* in_use_ = nullptr;  // the kept statement's flag; nullptr for own_
  };

  Result<Lease> get(std::string_view sql);

  // Runs a kept statement without parameters to completion (SAVEPOINT,
  // RELEASE, ...).
  Result<void> exec(std::string_view sql);

 private:
  struct Kept {
    Statement statement;
    bool in_use = false;
  };
  // Looked up by the caller's text without copying it.
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };
  sqlite3* db_;
  std::unordered_map<std::string, Kept, TextHash, std::equal_to<>> kept_;
};

}  // namespace ros::sql
