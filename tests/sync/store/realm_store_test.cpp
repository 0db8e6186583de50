#include "sync/store/realm_store.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <set>

#include "store_test_support.hpp"
#include "sync/changeset/encoder.hpp"
#include "sync/changeset/parser.hpp"

namespace fs = std::filesystem;
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

// The recorded changesets (one client, each based on the previous version)
// with their UPLOAD metadata, in order.
std::vector<UploadEntry> recorded_uploads() {
  const fs::path dir = ros::test::vectors_dir() / "changesets";
  std::vector<UploadEntry> out;
  const auto index = ros::test::json_of(dir / "index.json");
  for (const auto& c : index["changesets"]) {
    UploadEntry e;
    e.client_version = c["clientVersion"].get<uint64_t>();
    e.last_integrated_server_version = c["lastIntegratedServerVersion"].get<uint64_t>();
    e.origin_timestamp = c["originTimestamp"].get<uint64_t>();
    e.changeset = ros::test::bytes_of(dir / c["bin"].get<std::string>());
    out.push_back(std::move(e));
  }
  REQUIRE(out.size() == 25);
  return out;
}

Upload upload_of(uint64_t ident, const UploadEntry& e) {
  Upload u;
  u.client_file_ident = ident;
  u.progress_client_version = e.client_version;
  u.progress_server_version = e.last_integrated_server_version;
  u.locked_server_version = e.last_integrated_server_version;
  u.entries = {e};
  return u;
}

std::string hoisted(const std::string& bytes) {
  auto parsed = ros::sync::changeset::parse(bytes);
  REQUIRE(parsed.ok());
  auto out = ros::sync::changeset::encode(parsed->changeset, ros::sync::changeset::Layout::hoisted);
  REQUIRE(out.ok());
  return *out;
}

std::vector<HistoryEntry> all_history(const RealmStore& store) {
  auto h = store.history_since(0, UINT64_MAX);
  REQUIRE(h.ok());
  return *h;
}

std::string error_of(const ros::Result<Integrated>& r) {
  return r.ok() ? std::string("(accepted)") : r.error().message;
}

}  // namespace

TEST_CASE("store: a new Realm file starts at version 0 with salt 0", "[store]") {
  TempDir dir;
  auto store = open_store(dir / "realms/a/b.db");
  CHECK(fs::exists(dir / "realms/a/b.db"));
  auto latest = store->latest();
  REQUIRE(latest.ok());
  CHECK(*latest == ServerVersion{0, 0});
  auto salt = store->server_version_salt(0);
  REQUIRE(salt.ok());
  CHECK(*salt == 0);
  CHECK(all_history(*store).empty());
  auto classes = store->state().class_names();
  REQUIRE(classes.ok());
  CHECK(classes->empty());
  // The file is in WAL mode with synchronous=FULL and schema version 1.
  auto mode = ros::sql::query_text(store->test_db(), "PRAGMA journal_mode");
  REQUIRE(mode.ok());
  CHECK(**mode == "wal");
  auto sync = ros::sql::query_int(store->test_db(), "PRAGMA synchronous");
  REQUIRE(sync.ok());
  CHECK(**sync == 2);  // FULL
  auto version = ros::sql::query_int(store->test_db(), "PRAGMA user_version");
  REQUIRE(version.ok());
  CHECK(**version == kSchemaVersion);
}

TEST_CASE("store: client files are allocated 2, 3, ... with random salts, kept across reopen",
          "[store]") {
  TempDir dir;
  const fs::path file = dir / "r.db";
  std::vector<ClientFile> issued;
  {
    auto store = open_store(file);
    for (int i = 0; i < 3; ++i) {
      auto f = store->allocate_client_file();
      REQUIRE(f.ok());
      issued.push_back(*f);
    }
  }
  auto store = open_store(file);
  auto next = store->allocate_client_file(ClientType::subserver);
  REQUIRE(next.ok());
  issued.push_back(*next);
  std::set<uint64_t> salts;
  for (std::size_t i = 0; i < issued.size(); ++i) {
    CHECK(issued[i].ident == i + 2);
    CHECK(issued[i].salt != 0);
    CHECK(issued[i].salt < (uint64_t{1} << 63));
    salts.insert(issued[i].salt);
    auto found = store->client_file(issued[i].ident, issued[i].salt);
    REQUIRE(found.ok());
    CHECK(found->upload_client_version == 0);
    CHECK(found->upload_server_version == 0);
    CHECK(found->locked_server_version == 0);
    CHECK_FALSE(found->expired);
  }
  CHECK(salts.size() == issued.size());
  CHECK(store->client_file(5, issued[3].salt)->type == ClientType::subserver);
}

TEST_CASE("store: client file validation refuses unknown idents (208) and other salts (211)",
          "[store]") {
  TempDir dir;
  auto store = open_store(dir / "r.db");
  auto f = store->allocate_client_file();
  REQUIRE(f.ok());
  const std::string file = (dir / "r.db").string();
  struct Case {
    uint64_t ident;
    uint64_t salt;
    Errc code;
    SyncError error;
    std::string message;
  };
  const Case rejected[] = {
      {0, 0, Errc::not_found, SyncError::bad_client_file_ident,
       "bad client file ident: 0 was never issued for '" + file + "' (sync error 208)"},
      {1, 0, Errc::not_found, SyncError::bad_client_file_ident,
       "bad client file ident: 1 was never issued for '" + file + "' (sync error 208)"},
      {3, f->salt, Errc::not_found, SyncError::bad_client_file_ident,
       "bad client file ident: 3 was never issued for '" + file + "' (sync error 208)"},
      {2, f->salt ^ 1, Errc::conflict, SyncError::diverging_histories,
       "diverging histories: client file 2 presents salt " + std::to_string(f->salt ^ 1) +
           ", not the one it was issued with (sync error 211)"},
  };
  for (const auto& c : rejected) {
    INFO(c.ident);
    auto r = store->client_file(c.ident, c.salt);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == c.code);
    CHECK(sync_error(r.error()) == c.error);
    CHECK(r.error().message == c.message);
  }
  CHECK(store->client_file(2, f->salt).ok());
  CHECK_FALSE(sync_error(ros::make_error(Errc::internal, "disk (sync error 2x8)")).has_value());
}

TEST_CASE("store: the recorded changesets integrate one by one to the recorded final state",
          "[store]") {
  TempDir dir;
  const fs::path file = dir / "realms/changesets.db";
  const auto uploads = recorded_uploads();
  std::set<uint64_t> salts;
  uint64_t client_salt = 0;
  {
    auto store = open_store(file);
    auto client = store->allocate_client_file();
    REQUIRE(client.ok());
    client_salt = client->salt;
    REQUIRE(client->ident == 2);  // as the recording's clientFileIdent
    for (std::size_t i = 0; i < uploads.size(); ++i) {
      auto r = store->integrate_upload(upload_of(2, uploads[i]));
      INFO(error_of(r));
      REQUIRE(r.ok());
      CHECK(r->versions == std::vector<uint64_t>{i + 1});
      CHECK(r->latest.version == i + 1);
      CHECK(r->latest.salt != 0);
      salts.insert(r->latest.salt);
    }
    CHECK(salts.size() == uploads.size());  // a fresh salt per version
  }
  // Reopened: history, salts, record and state are all there.
  auto store = open_store(file);
  const fs::path dir_cs = ros::test::vectors_dir() / "changesets";
  CHECK(ros::test::dump_state(store->state()) == ros::test::json_of(dir_cs / "final-state.json"));
  auto history = all_history(*store);
  REQUIRE(history.size() == uploads.size());
  uint64_t cumulative = 0;
  for (std::size_t i = 0; i < history.size(); ++i) {
    const auto& h = history[i];
    CHECK(h.version == i + 1);
    CHECK(h.origin_file_ident == 2);
    CHECK(h.client_version == uploads[i].client_version);
    CHECK(h.base_server_version == uploads[i].last_integrated_server_version);
    CHECK(h.origin_timestamp == uploads[i].origin_timestamp);
    CHECK(h.changeset == hoisted(uploads[i].changeset));
    cumulative += h.changeset.size();
    CHECK(h.cumulative_size == cumulative);
    auto salt = store->server_version_salt(h.version);
    REQUIRE(salt.ok());
    CHECK(*salt == h.salt);
    CHECK(salts.count(h.salt) == 1);
  }
  auto latest = store->latest();
  REQUIRE(latest.ok());
  CHECK(latest->version == 25);
  auto record = store->client_file(2, client_salt);
  REQUIRE(record.ok());
  CHECK(record->upload_client_version == uploads.back().client_version);
  CHECK(record->upload_server_version == uploads.back().last_integrated_server_version);
  CHECK(record->locked_server_version == uploads.back().last_integrated_server_version);
}

TEST_CASE("store: history_since returns the entries after a version, bounded by size",
          "[store]") {
  TempDir dir;
  auto store = open_store(dir / "r.db");
  REQUIRE(store->allocate_client_file().ok());
  const auto uploads = recorded_uploads();
  for (std::size_t i = 0; i < 5; ++i) REQUIRE(store->integrate_upload(upload_of(2, uploads[i])).ok());
  const auto all = all_history(*store);
  REQUIRE(all.size() == 5);
  const uint64_t s1 = all[0].changeset.size(), s2 = all[1].changeset.size(),
                 s3 = all[2].changeset.size();
  struct Case {
    uint64_t since;
    uint64_t limit;
    std::vector<uint64_t> versions;
  };
  const Case cases[] = {
      {0, UINT64_MAX, {1, 2, 3, 4, 5}},
      {2, UINT64_MAX, {3, 4, 5}},
      {5, UINT64_MAX, {}},
      {0, 0, {1}},                      // at least one entry, even over the limit
      {0, s1, {1}},
      {0, s1 + s2, {1, 2}},
      {0, s1 + s2 + s3 - 1, {1, 2}},
      {1, s2 + s3, {2, 3}},
  };
  for (const auto& c : cases) {
    INFO("since " << c.since << " limit " << c.limit);
    auto h = store->history_since(c.since, c.limit);
    REQUIRE(h.ok());
    std::vector<uint64_t> got;
    for (const auto& e : *h) got.push_back(e.version);
    CHECK(got == c.versions);
  }
  auto beyond = store->history_since(6, UINT64_MAX);
  REQUIRE_FALSE(beyond.ok());
  CHECK(sync_error(beyond.error()) == SyncError::bad_server_version);
  CHECK(beyond.error().message ==
        "bad server version: 6 is newer than the latest, 5 (sync error 209)");
  auto salt = store->server_version_salt(6);
  REQUIRE_FALSE(salt.ok());
  CHECK(salt.error().message ==
        "bad server version: 6 does not exist (history 0..5) (sync error 209)");
}

TEST_CASE("store: a refused upload keeps nothing and names its protocol error", "[store]") {
  TempDir dir;
  auto store = open_store(dir / "r.db");
  REQUIRE(store->allocate_client_file().ok());
  const auto uploads = recorded_uploads();
  REQUIRE(store->integrate_upload(upload_of(2, uploads[0])).ok());
  const auto before = ros::test::dump_state(store->state());

  UploadEntry garbage = uploads[1];
  garbage.changeset = "\x7f";
  UploadEntry foreign = uploads[1];
  foreign.origin_file_ident = 7;
  UploadEntry future = uploads[1];
  future.last_integrated_server_version = 9;
  // Parses, but the applier refuses it: an object in a class that does not exist.
  UploadEntry refused_by_applier = uploads[1];
  {
    namespace cs = ros::sync::changeset;
    cs::Changeset c;
    c.strings = {"Nope"};
    c.instructions.push_back(cs::CreateObject{cs::InternRef{0}, cs::PrimaryKey{int64_t{1}}});
    auto bytes = cs::encode(c, cs::Layout::streaming);
    REQUIRE(bytes.ok());
    refused_by_applier.changeset = *bytes;
  }

  struct Case {
    const char* name;
    uint64_t ident;
    std::vector<UploadEntry> entries;
    Errc code;
    SyncError error;
  };
  const Case cases[] = {
      {"unknown client file", 9, {uploads[1]}, Errc::not_found, SyncError::bad_client_file_ident},
      {"unparsable changeset", 2, {uploads[1], garbage}, Errc::invalid_argument,
       SyncError::bad_changeset},
      {"origin file ident", 2, {foreign}, Errc::invalid_argument, SyncError::bad_origin_file_ident},
      {"base newer than latest", 2, {future}, Errc::invalid_argument,
       SyncError::bad_server_version},
      {"refused by the applier", 2, {uploads[1], refused_by_applier}, Errc::invalid_argument,
       SyncError::bad_changeset},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    Upload u = upload_of(c.ident, c.entries.front());
    u.entries = c.entries;
    u.progress_client_version = 99;
    auto r = store->integrate_upload(u);
    INFO(error_of(r));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == c.code);
    CHECK(sync_error(r.error()) == c.error);
    CHECK(store->latest()->version == 1);
    CHECK(ros::test::dump_state(store->state()) == before);
  }
}

TEST_CASE("store: group commit integrates several uploads in one transaction", "[store]") {
  TempDir dir;
  const fs::path file = dir / "r.db";
  const auto uploads = recorded_uploads();
  std::vector<uint64_t> acknowledged;
  {
    auto store = open_store(file);
    REQUIRE(store->allocate_client_file().ok());  // 2
    REQUIRE(store->allocate_client_file().ok());  // 3
    // Alternate clients 2 and 3; each upload is based on the version before
    // it, so none needs a merge. The fourth is refused (bad changeset).
    std::vector<Upload> group;
    for (std::size_t i = 0; i < 6; ++i) group.push_back(upload_of(2 + i % 2, uploads[i]));
    group[3].entries[0].changeset = "\x7f";
    auto results = store->integrate_group(group);
    REQUIRE(results.ok());
    REQUIRE(results->size() == 6);
    CHECK(results->at(3).error().code == Errc::invalid_argument);
    // Version 4 was never created, so uploads 5 and 6, based on 4 and 5,
    // name a base newer than the latest (3) and are refused too.
    for (std::size_t i = 0; i < 3; ++i) {
      INFO(i << ": " << error_of(results->at(i)));
      REQUIRE(results->at(i).ok());
      CHECK(results->at(i)->versions == std::vector<uint64_t>{i + 1});
      acknowledged.push_back(i + 1);
    }
    CHECK(sync_error(results->at(4).error()) == SyncError::bad_server_version);
    CHECK(sync_error(results->at(5).error()) == SyncError::bad_server_version);
  }
  auto store = open_store(file);
  auto history = all_history(*store);
  REQUIRE(history.size() == acknowledged.size());
  for (std::size_t i = 0; i < history.size(); ++i) {
    CHECK(history[i].version == acknowledged[i]);
    CHECK(history[i].origin_file_ident == 2 + i % 2);
    CHECK(history[i].changeset == hoisted(uploads[i].changeset));
  }
}

TEST_CASE("store: every acknowledged upload is found after the process is killed", "[store]") {
  TempDir dir;
  const fs::path file = dir / "r.db";
  const auto uploads = recorded_uploads();
  int ack[2];
  REQUIRE(pipe(ack) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // The child integrates in groups of five and writes each acknowledged
    // version to the pipe only after integrate_group returned (durable), then
    // dies without closing anything.
    close(ack[0]);
    auto opened = RealmStore::open(file);
    if (!opened.ok() || !(*opened)->allocate_client_file().ok()) _exit(1);
    auto& store = **opened;
    for (std::size_t start = 0; start < uploads.size(); start += 5) {
      std::vector<Upload> group;
      for (std::size_t i = start; i < start + 5 && i < uploads.size(); ++i)
        group.push_back(upload_of(2, uploads[i]));
      auto results = store.integrate_group(group);
      if (!results.ok()) _exit(2);
      for (const auto& r : *results) {
        if (!r.ok()) _exit(3);
        uint64_t v = r->versions.at(0);
        if (write(ack[1], &v, sizeof v) != sizeof v) _exit(4);
      }
    }
    // Leave a transaction open with more work, as a crash mid-group would.
    (void)ros::sql::exec(store.test_db(), "BEGIN IMMEDIATE");
    (void)ros::sql::exec(store.test_db(), "DELETE FROM history");
    kill(getpid(), SIGKILL);
    _exit(5);
  }
  close(ack[1]);
  std::vector<uint64_t> acknowledged;
  uint64_t v = 0;
  while (read(ack[0], &v, sizeof v) == sizeof v) acknowledged.push_back(v);
  close(ack[0]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  REQUIRE(acknowledged.size() == uploads.size());

  auto store = open_store(file);
  auto history = all_history(*store);
  REQUIRE(history.size() == acknowledged.size());
  for (std::size_t i = 0; i < history.size(); ++i) {
    CHECK(history[i].version == acknowledged[i]);
    CHECK(history[i].changeset == hoisted(uploads[i].changeset));
  }
  CHECK(ros::test::dump_state(store->state()) ==
        ros::test::json_of(ros::test::vectors_dir() / "changesets/final-state.json"));
}

TEST_CASE("store: a progress-only upload moves the cursor without a new version", "[store]") {
  TempDir dir;
  auto store = open_store(dir / "r.db");
  auto f = store->allocate_client_file();
  REQUIRE(f.ok());
  const auto uploads = recorded_uploads();
  REQUIRE(store->integrate_upload(upload_of(2, uploads[0])).ok());
  Upload progress;
  progress.client_file_ident = 2;
  progress.progress_client_version = 7;
  progress.progress_server_version = 1;
  progress.locked_server_version = 1;
  auto r = store->integrate_upload(progress);
  REQUIRE(r.ok());
  CHECK(r->versions.empty());
  CHECK(r->latest.version == 1);
  progress.locked_server_version = 0;  // the locked version never goes down
  REQUIRE(store->integrate_upload(progress).ok());
  auto record = store->client_file(2, f->salt);
  REQUIRE(record.ok());
  CHECK(record->upload_client_version == 7);
  CHECK(record->upload_server_version == 1);
  CHECK(record->locked_server_version == 1);
  CHECK(store->latest()->version == 1);
}

TEST_CASE("store: corrupt, foreign and newer files are refused with a clear message", "[store]") {
  TempDir dir;
  SECTION("not a database") {
    const fs::path file = dir.write("bad.db", std::string(4096, 'x'));
    auto r = RealmStore::open(file);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "cannot open Realm file '" + file.string() +
                                   "': file is not a database (restore it from a backup)");
  }
  SECTION("another program's SQLite file") {
    const fs::path file = dir / "other.db";
    {
      sqlite3* raw = nullptr;
      REQUIRE(sqlite3_open(file.c_str(), &raw) == SQLITE_OK);
      ros::sql::Db db(raw);
      REQUIRE(ros::sql::exec(raw, "CREATE TABLE t(x)").ok());
    }
    auto r = RealmStore::open(file);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::conflict);
    CHECK(r.error().message == "cannot open Realm file '" + file.string() +
                                   "': it is a SQLite database of another program, not a ros "
                                   "Realm file (move it away)");
  }
  SECTION("a newer schema version") {
    const fs::path file = dir / "newer.db";
    {
      auto store = open_store(file);
      REQUIRE(ros::sql::exec(store->test_db(), "PRAGMA user_version=3").ok());
    }
    auto r = RealmStore::open(file);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::conflict);
    CHECK(r.error().message == "cannot open Realm file '" + file.string() +
                                   "': schema version 3 is newer than this ros supports (2); "
                                   "upgrade ros or restore a backup");
  }
  SECTION("an empty file is a new Realm") {
    const fs::path file = dir.write("empty.db", "");
    auto store = open_store(file);
    CHECK(store->latest()->version == 0);
  }
}

TEST_CASE("store: IDENT checks follow protocol.md 3.7 in the reference server's order",
          "[store]") {
  TempDir dir;
  auto store = open_store(dir / "r.db");
  auto c2 = store->allocate_client_file();
  auto c3 = store->allocate_client_file(ClientType::subserver);
  auto c4 = store->allocate_client_file();
  REQUIRE((c2.ok() && c3.ok() && c4.ok()));
  const auto uploads = recorded_uploads();
  // Versions 1..4 from client 2; its upload cursor ends at (10, 3).
  for (std::size_t i = 0; i < 4; ++i) REQUIRE(store->integrate_upload(upload_of(2, uploads[i])).ok());
  REQUIRE(ros::sql::exec(store->test_db(), "UPDATE client_files SET expired = 1 WHERE ident = 4").ok());
  auto salt = [&](uint64_t v) { return *store->server_version_salt(v); };
  const uint64_t s2 = c2->salt;
  using Ident = RealmStore::Ident;

  const Ident accepted[] = {
      {2, s2, 3, 10, 4, salt(4)},
      {2, s2, 4, 0, 4, salt(4)},
      {2, s2, 3, 0, 3, salt(3)},
      {3, c3->salt, 0, 0, 0, 0, ClientType::subserver},
  };
  for (const auto& id : accepted) {
    INFO(id.client_file_ident << " " << id.scan_server_version << " " << id.latest_server_version);
    auto r = store->check_ident(id);
    INFO((r.ok() ? std::string() : r.error().message));
    REQUIRE(r.ok());
    CHECK(r->ident == id.client_file_ident);
  }
  auto record = store->check_ident(accepted[0]);
  CHECK(record->upload_client_version == 10);
  CHECK(record->upload_server_version == 3);

  struct Rejected {
    const char* rule;
    Ident ident;
    SyncError error;
    std::string message;
  };
  const Rejected rejected[] = {
      {"1", {2, s2, 3, 10, 5, 1}, SyncError::bad_server_version,
       "bad server version: the client knows version 5, the newest here is 4 (sync error 209)"},
      {"2", {9, s2, 3, 10, 4, salt(4)}, SyncError::bad_client_file_ident, ""},
      {"3", {2, s2 ^ 1, 3, 10, 4, salt(4)}, SyncError::diverging_histories, ""},
      {"4", {2, s2, 2, 0, 4, salt(4)}, SyncError::bad_server_version,
       "bad server version: download cursor at 2, below the last integrated server version 3 "
       "(sync error 209)"},
      {"5", {4, c4->salt, 0, 0, 4, salt(4)}, SyncError::client_file_expired, ""},
      {"6", {2, s2, 5, 0, 4, salt(4)}, SyncError::bad_server_version, ""},
      {"7", {2, s2, 3, 11, 4, salt(4)}, SyncError::bad_client_version,
       "bad client version: the client says its version 11 was integrated, the server has up to "
       "10 (sync error 210)"},
      {"7 before 9", {2, s2, 3, 11, 4, salt(4) ^ 1}, SyncError::bad_client_version, ""},
      {"8", {2, s2, 4, 0, 3, salt(3)}, SyncError::bad_server_version, ""},
      {"9", {2, s2, 3, 0, 4, salt(4) ^ 1}, SyncError::diverging_histories,
       "diverging histories: server version 4 has another salt here (sync error 211)"},
      {"10", {3, c3->salt, 0, 0, 0, 0, ClientType::regular}, SyncError::bad_client_file_ident,
       "bad client file ident: client file 3 was issued to another type of client (sync error "
       "208)"},
  };
  for (const auto& c : rejected) {
    INFO("rule " << c.rule);
    auto r = store->check_ident(c.ident);
    REQUIRE_FALSE(r.ok());
    CHECK(sync_error(r.error()) == c.error);
    if (!c.message.empty()) CHECK(r.error().message == c.message);
  }
}
