#include "store_test_support.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

#include "sync/changeset/state_json.hpp"

namespace ros::test {

namespace fs = std::filesystem;

fs::path vectors_dir() { return fs::path(ROS_SHARED_DIR) / "testdata" / "realm-sync"; }

std::vector<fs::path> files_with_extension(const fs::path& dir, const std::string& ext) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ext) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string bytes_of(const fs::path& file) {
  REQUIRE(fs::exists(file));
  return read_file(file);
}

nlohmann::json json_of(const fs::path& file) { return nlohmann::json::parse(bytes_of(file)); }

nlohmann::json dump_state(const sync::changeset::State& state) {
  auto j = sync::changeset::state_to_json(state);
  REQUIRE(j.ok());
  return nlohmann::json::parse(j->dump());
}

SqliteFixture::SqliteFixture() {
  sqlite3* raw = nullptr;
  const auto file = dir_ / "state.db";
  REQUIRE(sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                          nullptr) == SQLITE_OK);
  db_.reset(raw);
  REQUIRE(sync::store::SqliteState::create_tables(raw).ok());
  state_ = std::make_unique<sync::store::SqliteState>(raw);
}

}  // namespace ros::test
