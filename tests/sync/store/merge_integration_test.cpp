// The server's merge integration in RealmStore (merge.md section 3): the
// reciprocal history per client file, across runs and restarts, its
// trimming, empty entries, a fatal conflict refused with 212 leaving the file
// as it was, and the migration of a schema-1 file.
#include <catch2/catch.hpp>

#include "store_test_support.hpp"
#include "sync/changeset/changeset_json.hpp"
#include "sync/changeset/encoder.hpp"
#include "sync/changeset/parser.hpp"
#include "sync/store/realm_store.hpp"

namespace fs = std::filesystem;
namespace cs = ros::sync::changeset;
using namespace ros::sync::store;
using ros::Errc;
using ros::test::TempDir;

namespace {

std::unique_ptr<RealmStore> open_store(const fs::path& file) {
  auto s = RealmStore::open(file);
  INFO((s.ok() ? std::string() : s.error().message));
  REQUIRE(s.ok());
  return std::move(*s);
}

// A changeset as a client sends it (streaming layout), from its JSON form.
std::string changeset(const std::string& strings, const std::string& instructions) {
  auto j = cs::Json::parse("{\"instructions\": [" + instructions + "], \"internStrings\": [" +
                           strings + "]}");
  auto c = cs::from_json(j);
  INFO((c.ok() ? std::string() : c.error().message));
  REQUIRE(c.ok());
  auto bytes = cs::encode(*c, cs::Layout::streaming);
  REQUIRE(bytes.ok());
  return *bytes;
}

// The instructions of an encoded changeset, as plain JSON.
nlohmann::json instructions_of(const std::string& bytes) {
  auto p = cs::parse(bytes);
  REQUIRE(p.ok());
  return nlohmann::json::parse(cs::to_json(p->changeset)["instructions"].dump());
}

nlohmann::json instructions(const std::string& text) {
  return nlohmann::json::parse("[" + text + "]");
}

std::string insert(int index, int value, int prior) {
  return R"({"type": "ArrayInsert", "table": "T", "object": {"int": 1}, "field": "l", "path": [)" +
         std::to_string(index) + R"(], "value": {"int": )" + std::to_string(value) +
         R"(}, "priorSize": )" + std::to_string(prior) + "}";
}

std::string set_x(int value) {
  return R"({"type": "Update", "table": "T", "object": {"int": 1}, "field": "x", "path": [], )"
         R"("value": {"int": )" +
         std::to_string(value) + R"(}, "isDefault": false})";
}

// Table T (int primary key) with an int list l and an int x; object 1 with
// l = [1, 2].
std::string setup_changeset(const char* pk_type = "Int") {
  return changeset(
      R"("T", "_id", "l", "x")",
      std::string(R"({"type": "AddTable", "table": "T", "embedded": false, "primaryKey": )"
                  R"({"field": "_id", "type": ")") +
          pk_type +
          R"(", "nullable": false}, "asymmetric": false},
      {"type": "AddColumn", "table": "T", "field": "l", "valueType": "Int", "nullable": false,
       "collectionType": "List"},
      {"type": "AddColumn", "table": "T", "field": "x", "valueType": "Int", "nullable": false,
       "collectionType": "Single"})" +
          (std::string(pk_type) == "Int"
               ? R"(, {"type": "CreateObject", "table": "T", "object": {"int": 1}}, )" +
                     insert(0, 1, 0) + ", " + insert(1, 2, 1)
               : std::string()));
}

Upload upload(uint64_t ident, uint64_t client_version, uint64_t base, uint64_t timestamp,
              std::string bytes) {
  Upload u;
  u.client_file_ident = ident;
  u.progress_client_version = client_version;
  u.progress_server_version = base;
  u.locked_server_version = base;
  u.entries.push_back(UploadEntry{client_version, base, timestamp, 0, std::move(bytes)});
  return u;
}

std::vector<HistoryEntry> all_history(const RealmStore& store) {
  auto h = store.history_since(0, UINT64_MAX);
  REQUIRE(h.ok());
  return *h;
}

uint64_t integrated(RealmStore& store, const Upload& u) {
  auto r = store.integrate_upload(u);
  INFO((r.ok() ? std::string() : r.error().message));
  REQUIRE(r.ok());
  REQUIRE(r->versions.size() == 1);
  return r->versions.front();
}

nlohmann::json list_of_object_1(const RealmStore& store) {
  const auto state = ros::test::dump_state(store.state());
  return state["classes"]["T"]["objects"][0]["l"];
}

int64_t schema_version(const RealmStore& store) {
  auto v = ros::sql::query_int(store.test_db(), "PRAGMA user_version");
  REQUIRE(v.ok());
  return v->value_or(-1);
}

}  // namespace

TEST_CASE("merge: a later upload is merged against the client's reciprocal history, "
          "also after a restart",
          "[store][merge]") {
  TempDir dir;
  const fs::path file = dir / "r.db";
  {
    auto store = open_store(file);
    REQUIRE(store->allocate_client_file().ok());  // 2
    REQUIRE(store->allocate_client_file().ok());  // 3
    REQUIRE(integrated(*store, upload(2, 1, 0, 1, setup_changeset())) == 1);
    // Client 3 inserts at the front; client 2, offline since version 1,
    // inserts at the front too, later (ts 20 > 10): it goes after 100.
    REQUIRE(integrated(*store, upload(3, 2, 1, 10, changeset(R"("T", "l")", insert(0, 100, 2)))) ==
            2);
    REQUIRE(integrated(*store, upload(2, 2, 1, 20, changeset(R"("T", "l")", insert(0, 200, 2)))) ==
            3);
    auto history = all_history(*store);
    CHECK(instructions_of(history[2].changeset) == instructions(insert(1, 200, 3)));
    // Client 2 sees version 2 as coming after its own insert.
    auto recip = store->reciprocal(2, 2);
    REQUIRE(recip.ok());
    REQUIRE(recip->has_value());
    CHECK(instructions_of(**recip) == instructions(insert(0, 100, 3)));
    CHECK_FALSE(store->reciprocal(3, 2)->has_value());  // 3 made it
    CHECK_FALSE(store->reciprocal(2, 1)->has_value());  // 2's own
    CHECK(list_of_object_1(*store) == nlohmann::json::parse(
                                          R"({"list": [{"int": 100}, {"int": 200}, {"int": 1},
                                              {"int": 2}]})"));
  }
  // After a restart, client 2's next change (still based on version 1, list
  // [200, 1, 2] on its side, so prior size 3) must meet the reciprocal form
  // (prior size 3), not the main entry (prior size 2: a fatal mismatch).
  auto store = open_store(file);
  REQUIRE(integrated(*store, upload(2, 3, 1, 21, changeset(R"("T", "l")", insert(2, 300, 3)))) ==
          4);
  auto history = all_history(*store);
  REQUIRE(history.size() == 4);
  CHECK(history[3].origin_file_ident == 2);
  CHECK(history[3].client_version == 3);
  CHECK(instructions_of(history[3].changeset) == instructions(insert(3, 300, 4)));
  auto recip = store->reciprocal(2, 2);
  REQUIRE(recip.ok());
  REQUIRE(recip->has_value());
  CHECK(instructions_of(**recip) == instructions(insert(0, 100, 4)));
  CHECK(list_of_object_1(*store) ==
        nlohmann::json::parse(
            R"({"list": [{"int": 100}, {"int": 200}, {"int": 1}, {"int": 300}, {"int": 2}]})"));

  // Client 2 then reports having integrated version 4: its reciprocal
  // history's base moves to 4 and the forms at or below it are dropped.
  Upload progress;
  progress.client_file_ident = 2;
  progress.progress_client_version = 3;
  progress.progress_server_version = 4;
  progress.locked_server_version = 4;
  REQUIRE(store->integrate_upload(progress).ok());
  CHECK(store->reciprocal(2, 2)->has_value());  // the client version did not rise: no change
  progress.progress_client_version = 4;
  REQUIRE(store->integrate_upload(progress).ok());
  CHECK_FALSE(store->reciprocal(2, 2)->has_value());
  auto base = ros::sql::query_int(store->test_db(),
                                  "SELECT upload_server_version FROM client_files WHERE ident = 2");
  REQUIRE(base.ok());
  CHECK(base->value_or(-1) == 4);
  // A changeset based below the new base is refused.
  auto stale = store->integrate_upload(upload(2, 5, 3, 30, changeset(R"("T", "x")", set_x(9))));
  REQUIRE_FALSE(stale.ok());
  CHECK(sync_error(stale.error()) == SyncError::bad_server_version);
}

TEST_CASE("merge: a history entry merged to nothing is stored as an empty reciprocal, an "
          "upload merged to nothing as an empty entry",
          "[store][merge]") {
  TempDir dir;
  auto store = open_store(dir / "r.db");
  REQUIRE(store->allocate_client_file().ok());  // 2
  REQUIRE(store->allocate_client_file().ok());  // 3
  REQUIRE(integrated(*store, upload(2, 1, 0, 1, setup_changeset())) == 1);
  REQUIRE(integrated(*store, upload(3, 2, 1, 10, changeset(R"("T", "x")", set_x(5)))) == 2);
  // Client 2's later write wins: version 2 becomes nothing for client 2.
  REQUIRE(integrated(*store, upload(2, 2, 1, 20, changeset(R"("T", "x")", set_x(7)))) == 3);
  auto recip = store->reciprocal(2, 2);
  REQUIRE(recip.ok());
  REQUIRE(recip->has_value());
  CHECK((*recip)->empty());
  // Client 3's older write (ts 5), not having seen version 3, loses: the
  // entry is empty but takes a version.
  REQUIRE(integrated(*store, upload(3, 3, 2, 5, changeset(R"("T", "x")", set_x(1)))) == 4);
  auto history = all_history(*store);
  REQUIRE(history.size() == 4);
  CHECK(history[3].changeset.empty());
  CHECK(history[3].origin_file_ident == 3);
  CHECK(history[3].cumulative_size == history[2].cumulative_size);
  CHECK(ros::test::dump_state(store->state())["classes"]["T"]["objects"][0]["x"] ==
        nlohmann::json::parse(R"({"int": 7})"));
}

TEST_CASE("merge: a fatal conflict is a bad changeset (212) and changes nothing",
          "[store][merge]") {
  TempDir dir;
  const fs::path file = dir / "r.db";
  auto store = open_store(file);
  REQUIRE(store->allocate_client_file().ok());  // 2
  auto third = store->allocate_client_file();   // 3
  REQUIRE(third.ok());
  REQUIRE(integrated(*store, upload(2, 1, 0, 1, setup_changeset("Int"))) == 1);
  const auto history_before = all_history(*store);
  const auto state_before = ros::test::dump_state(store->state());

  // Client 3 made the same table with a string primary key (merge.md 5.1).
  Upload bad = upload(3, 1, 0, 2, setup_changeset("String"));
  // In one group with a good upload of client 2: that one stands.
  Upload good = upload(2, 2, 1, 3, changeset(R"("T", "x")", set_x(4)));
  auto results = store->integrate_group(std::vector<Upload>{bad, good});
  REQUIRE(results.ok());
  REQUIRE(results->size() == 2);
  const auto& refused = results->at(0);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == Errc::invalid_argument);
  CHECK(sync_error(refused.error()) == SyncError::bad_changeset);
  CHECK(refused.error().message.find("cannot be merged") != std::string::npos);
  REQUIRE(results->at(1).ok());
  CHECK(results->at(1)->versions == std::vector<uint64_t>{2});

  // Alone, the same upload again: refused, and the file is as before it.
  const auto history_mid = all_history(*store);
  const auto state_mid = ros::test::dump_state(store->state());
  auto again = store->integrate_upload(bad);
  REQUIRE_FALSE(again.ok());
  CHECK(sync_error(again.error()) == SyncError::bad_changeset);
  store.reset();
  store = open_store(file);
  const auto history_after = all_history(*store);
  REQUIRE(history_after.size() == 2);
  for (std::size_t i = 0; i < history_after.size(); ++i) {
    CHECK(history_after[i].changeset == history_mid[i].changeset);
    CHECK(history_after[i].salt == history_mid[i].salt);
  }
  CHECK(history_after[0].changeset == history_before[0].changeset);
  CHECK(ros::test::dump_state(store->state()) == state_mid);
  auto record = store->client_file(3, third->salt);
  REQUIRE(record.ok());
  CHECK(record->upload_client_version == 0);
  CHECK(record->locked_server_version == 0);
  auto rows = ros::sql::query_int(store->test_db(), "SELECT count(*) FROM reciprocal_history");
  REQUIRE(rows.ok());
  CHECK(rows->value_or(-1) == 0);
  (void)state_before;
}

TEST_CASE("merge: a schema-1 file is migrated to schema 2 and then merges", "[store][merge]") {
  TempDir dir;
  const fs::path file = dir / "r.db";
  {
    auto store = open_store(file);
    REQUIRE(store->allocate_client_file().ok());  // 2
    REQUIRE(store->allocate_client_file().ok());  // 3
    REQUIRE(integrated(*store, upload(2, 1, 0, 1, setup_changeset())) == 1);
    REQUIRE(integrated(*store, upload(3, 2, 1, 10, changeset(R"("T", "l")", insert(0, 100, 2)))) ==
            2);
    // Back to what schema 1 had: no reciprocal history table.
    REQUIRE(ros::sql::exec(store->test_db(), "DROP TABLE reciprocal_history").ok());
    REQUIRE(ros::sql::exec(store->test_db(), "PRAGMA user_version=1").ok());
    REQUIRE(schema_version(*store) == 1);
  }
  auto store = open_store(file);
  CHECK(schema_version(*store) == kSchemaVersion);
  CHECK(kSchemaVersion == 2);
  REQUIRE(all_history(*store).size() == 2);
  REQUIRE(integrated(*store, upload(2, 2, 1, 20, changeset(R"("T", "l")", insert(0, 200, 2)))) ==
          3);
  auto recip = store->reciprocal(2, 2);
  REQUIRE(recip.ok());
  REQUIRE(recip->has_value());
  CHECK(instructions_of(**recip) == instructions(insert(0, 100, 3)));
}

TEST_CASE("merge: replay allocates the recorded client file identifiers", "[store][merge]") {
  TempDir dir;
  auto store = open_store(dir / "r.db");
  auto four = store->allocate_client_file_at(4);
  REQUIRE(four.ok());
  CHECK(four->ident == 4);
  auto next = store->allocate_client_file();
  REQUIRE(next.ok());
  CHECK(next->ident == 5);
  auto taken = store->allocate_client_file_at(3);  // skipped: never issued
  REQUIRE_FALSE(taken.ok());
  CHECK(taken.error().code == Errc::conflict);
  CHECK(sync_error(store->client_file(3, 1).error()) == SyncError::bad_client_file_ident);
  CHECK_FALSE(store->allocate_client_file_at(1).ok());
}

TEST_CASE("merge: changesets already integrated are skipped, never integrated twice",
          "[store][merge]") {
  TempDir dir;
  auto store = open_store(dir / "r.db");
  REQUIRE(store->allocate_client_file().ok());  // 2
  REQUIRE(integrated(*store, upload(2, 1, 0, 1, setup_changeset())) == 1);
  Upload first = upload(2, 2, 1, 20, changeset(R"("T", "l")", insert(0, 200, 2)));
  REQUIRE(integrated(*store, first) == 2);
  // The same changeset again (a second session of the same file), then with
  // a new one behind it: only the new one is integrated.
  auto again = store->integrate_upload(first);
  REQUIRE(again.ok());
  CHECK(again->versions.empty());
  Upload both = first;
  both.entries.push_back(UploadEntry{3, 1, 21, 0, changeset(R"("T", "l")", insert(0, 300, 3))});
  both.progress_client_version = 3;
  auto r = store->integrate_upload(both);
  REQUIRE(r.ok());
  CHECK(r->versions == std::vector<uint64_t>{3});
  CHECK(list_of_object_1(*store) ==
        nlohmann::json::parse(R"({"list": [{"int": 300}, {"int": 200}, {"int": 1}, {"int": 2}]})"));
}

TEST_CASE("merge: merge.md's multi-changeset example, two clients in one group",
          "[store][merge]") {
  TempDir dir;
  auto store = open_store(dir / "r.db");
  REQUIRE(store->allocate_client_file().ok());  // 2
  REQUIRE(store->allocate_client_file().ok());  // 3
  REQUIRE(integrated(*store, upload(2, 1, 0, 1, setup_changeset())) == 1);  // l = [1, 2]
  const std::string erase_2 =
      R"({"type": "ArrayErase", "table": "T", "object": {"int": 1}, "field": "l", "path": [2],
          "priorSize": 3})";
  const std::string set_1 =
      R"({"type": "Update", "table": "T", "object": {"int": 1}, "field": "l", "path": [1],
          "value": {"int": 7}, "priorSize": 2})";
  // Client 2: L1 then L2, both based on version 1; client 3 concurrently,
  // later. Client 3 comes second in the group and is merged against L1, L2.
  Upload two = upload(2, 2, 1, 10, changeset(R"("T", "l")", insert(0, 100, 2)));
  two.entries.push_back(UploadEntry{3, 1, 11, 0, changeset(R"("T", "l")", erase_2)});
  two.progress_client_version = 3;
  Upload three = upload(3, 2, 1, 20, changeset(R"("T", "l")", set_1 + ", " + insert(2, 8, 2)));
  auto results = store->integrate_group(std::vector<Upload>{two, three});
  REQUIRE(results.ok());
  REQUIRE(results->at(0).ok());
  REQUIRE(results->at(1).ok());
  CHECK(results->at(0)->versions == std::vector<uint64_t>{2, 3});
  CHECK(results->at(1)->versions == std::vector<uint64_t>{4});
  auto history = all_history(*store);
  REQUIRE(history.size() == 4);
  CHECK(instructions_of(history[1].changeset) == instructions(insert(0, 100, 2)));
  CHECK(instructions_of(history[2].changeset) == instructions(erase_2));
  CHECK(instructions_of(history[3].changeset) == instructions(insert(2, 8, 2)));
  CHECK(instructions_of(**store->reciprocal(3, 2)) == instructions(insert(0, 100, 3)));
  CHECK(instructions_of(**store->reciprocal(3, 3)) ==
        instructions(R"({"type": "ArrayErase", "table": "T", "object": {"int": 1}, "field": "l",
                         "path": [2], "priorSize": 4})"));
  CHECK_FALSE(store->reciprocal(2, 2)->has_value());
  CHECK(list_of_object_1(*store) ==
        nlohmann::json::parse(R"({"list": [{"int": 100}, {"int": 1}, {"int": 8}]})"));
}
