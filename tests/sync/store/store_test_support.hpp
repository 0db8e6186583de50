// Helpers shared by the store tests: vector files, JSON comparison, a
// SqliteState on a fresh file.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/sqlite.hpp"
#include "support/temp_dir.hpp"
#include "sync/changeset/state.hpp"
#include "sync/store/sqlite_state.hpp"

namespace ros::test {

// ../shared/testdata/realm-sync
std::filesystem::path vectors_dir();

// The files of `dir` with extension `ext` (".bin"), in name order.
std::vector<std::filesystem::path> files_with_extension(const std::filesystem::path& dir,
                                                        const std::string& ext);

// The file's bytes; fails the test when it cannot be read.
std::string bytes_of(const std::filesystem::path& file);
nlohmann::json json_of(const std::filesystem::path& file);

// The state dumped with state_json, as plain JSON (key order ignored).
nlohmann::json dump_state(const sync::changeset::State& state);

// A SqliteState on its own file in a TempDir.
class SqliteFixture {
 public:
  SqliteFixture();
  sync::store::SqliteState& state() { return *state_; }
  sqlite3* db() const { return db_.get(); }

 private:
  TempDir dir_;
  sql::Db db_;
  std::unique_ptr<sync::store::SqliteState> state_;
};

}  // namespace ros::test
