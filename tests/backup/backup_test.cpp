// realm-backup against real data directories: one made by ros-authd (users,
// permissions) with Realm files written through RealmStore, backups taken
// while a writer keeps integrating uploads, the refusals, and signals.
#include <signal.h>
#include <unistd.h>
#include <sqlite3.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "authd/authd_fixture.hpp"
#include "realm_writer.hpp"
#include "storage/layout.hpp"
#include "support/daemon.hpp"
#include "support/run.hpp"
#include "support/temp_dir.hpp"
#include "sync/changeset/state_json.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using ros::sync::store::RealmStore;
using ros::test::RealmWriter;
using ros::test::run_program;
using ros::test::TempDir;

namespace {

std::unique_ptr<RealmStore> open_store(const fs::path& file) {
  auto s = RealmStore::open(file);
  INFO((s.ok() ? std::string() : s.error().message));
  REQUIRE(s.ok());
  return std::move(*s);
}

std::vector<ros::sync::store::HistoryEntry> history_of(const RealmStore& store) {
  auto h = store.history_since(0, UINT64_MAX);
  REQUIRE(h.ok());
  return *h;
}

// Nothing of a failed or refused backup is left next to TARGET.
void check_no_partial(const fs::path& parent) {
  for (const auto& e : fs::directory_iterator(parent)) {
    INFO(e.path());
    CHECK(e.path().filename().string().find(".partial-") == std::string::npos);
  }
}

void check_verifies(const fs::path& backup) {
  auto v = run_program("realm-backup", {"--verify", backup.string()});
  INFO(v.out << v.err);
  CHECK(v.exit_code == 0);
}

// A data directory with an admin.db, a token file, two Realms and a
// Function's files, none of them made by a daemon.
fs::path small_data_dir(const TempDir& dir) {
  const fs::path root = dir / "data";
  ros::storage::Layout layout(root);
  {
    RealmWriter a(*layout.realm_file("/catalog"));
    a.add_schema();
    a.add_item();
    RealmWriter b(*layout.realm_file("/0123456789abcdef0123456789abcdef/notes"));
    b.add_schema();
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(layout.admin_db().c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "CREATE TABLE users(id TEXT); INSERT INTO users VALUES ('u1')", nullptr,
                       nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  dir.write("data/admin_token.base64", "dG9rZW4=\n");
  dir.write("data/functions/hello/index.js", "module.exports = () => 1;\n");
  fs::create_directories(root / "run");
  return root;
}

}  // namespace

TEST_CASE("backup: a data directory of ros-authd and Realm files copies whole, verifies and starts",
          "[backup]") {
  ros::test::AuthdFixture authd;
  auto added = run_program("ros-user", authd.with_config({"add", "alice", "--password-stdin"}),
                           "secret-password\n");
  REQUIRE(added.exit_code == 0);
  auto granted = run_program("ros-perm", authd.with_config({"grant", "alice", "/catalog", "--read"}));
  INFO(granted.err);
  REQUIRE(granted.exit_code == 0);
  ros::storage::Layout layout(authd.root);
  {
    RealmWriter w(*layout.realm_file("/catalog"));
    w.add_schema();
    for (int i = 0; i < 20; ++i) w.add_item();
  }

  const fs::path target = authd.dir / "backup";
  auto r = run_program("realm-backup", {"--json", authd.root.string(), target.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto summary = json::parse(r.out);
  CHECK(summary["target"] == target.string());
  CHECK(summary["databases"] == 2);
  CHECK(summary["realms"] == 1);
  CHECK(fs::exists(target / "admin.db"));
  // The admin token is a credential: never in a backup (issue 14).
  REQUIRE(fs::exists(layout.admin_token()));
  CHECK_FALSE(fs::exists(target / "admin_token.base64"));
  CHECK_FALSE(fs::exists(target / "run"));  // sockets stay behind
  check_verifies(target);
  check_no_partial(authd.dir.path());

  // The Realm's copy is the source's: history and state.
  auto source_store = open_store(*layout.realm_file("/catalog"));
  auto copy_store = open_store(target / "realms" / "catalog.db");
  CHECK(history_of(*copy_store).size() == 21);
  CHECK(*ros::sync::changeset::state_to_json(copy_store->state()) ==
        *ros::sync::changeset::state_to_json(source_store->state()));

  // The copy starts as a server: ros-authd on it knows alice and her rights.
  authd.daemon->stop();
  const std::string config =
      authd.dir.write("backup.yml", ros::test::read_file(authd.config_file) + "")
          .string();
  {
    // Same configuration, root moved to the backup.
    std::string text = ros::test::read_file(authd.config_file);
    const auto at = text.find(authd.root.string());
    REQUIRE(at != std::string::npos);
    text.replace(at, authd.root.string().size(), target.string());
    authd.dir.write("backup.yml", text);
  }
  ros::test::DaemonProcess restored("ros-authd", {"--config", config}, authd.dir / "restored.log");
  REQUIRE(restored.wait_for_port(authd.http_port));
  auto users = run_program("ros-user", {"--config", config, "--json", "ls"});
  INFO(users.err);
  REQUIRE(users.exit_code == 0);
  CHECK(users.out.find("\"alice\"") != std::string::npos);
  auto perms = run_program("ros-perm", {"--config", config, "show", "/catalog"});
  INFO(perms.err);
  CHECK(perms.exit_code == 0);
  CHECK(perms.out.find("alice") != std::string::npos);
}

TEST_CASE("backup: backups taken while uploads are integrated hold a prefix of every history",
          "[backup]") {
  TempDir dir;
  const fs::path root = small_data_dir(dir);
  ros::storage::Layout layout(root);
  const std::vector<std::string> paths = {"/w/one", "/w/two", "/w/three"};
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::string writer_error;
  std::thread writer([&] {
    try {
      std::vector<std::unique_ptr<RealmWriter>> writers;
      for (const auto& p : paths) {
        writers.push_back(std::make_unique<RealmWriter>(*layout.realm_file(p)));
        writers.back()->add_schema();
      }
      while (!stop.load()) {
        for (auto& w : writers) w->add_item();
        ++written;
      }
    } catch (const std::exception& e) {
      writer_error = e.what();
    }
  });
  // Let the writer get going so that every backup lands mid-stream.
  while (written.load() < 5 && writer_error.empty()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::vector<fs::path> backups;
  for (int i = 0; i < 5; ++i) {
    const fs::path target = dir / ("backup-" + std::to_string(i));
    auto r = run_program("realm-backup", {root.string(), target.string()});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    backups.push_back(target);
  }
  stop = true;
  writer.join();
  REQUIRE(writer_error.empty());

  std::vector<std::vector<ros::sync::store::HistoryEntry>> source_histories;
  for (const auto& p : paths) source_histories.push_back(history_of(*open_store(*layout.realm_file(p))));

  std::uint64_t previous_total = 0;
  for (const auto& backup : backups) {
    INFO(backup);
    check_verifies(backup);
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < paths.size(); ++i) {
      INFO(paths[i]);
      const fs::path file = backup / "realms" / "w" / (paths[i].substr(3) + ".db");
      if (!fs::exists(file)) continue;  // created after this backup's listing
      auto store = open_store(file);
      auto latest = store->latest();
      REQUIRE(latest.ok());
      auto history = history_of(*store);
      // Versions 1..latest, each identical to the source's at that version.
      REQUIRE(history.size() == latest->version);
      REQUIRE(history.size() <= source_histories[i].size());
      for (std::size_t v = 0; v < history.size(); ++v) {
        CHECK(history[v].version == v + 1);
        CHECK(history[v].salt == source_histories[i][v].salt);
        CHECK(history[v].changeset == source_histories[i][v].changeset);
        CHECK(history[v].cumulative_size == source_histories[i][v].cumulative_size);
      }
      // The state is the one of that version: items 1..latest-1, whole.
      auto keys = store->state().object_keys("Item");
      if (latest->version >= 1) {
        REQUIRE(keys.ok());
        CHECK(keys->size() == latest->version - 1);
        for (const auto& key : *keys) {
          auto obj = store->state().get_object("Item", key);
          REQUIRE(obj.ok());
          REQUIRE(obj->has_value());
          CHECK((**obj).at("n").int_value == std::get<int64_t>(key));
          CHECK((**obj).at("s").bytes == "item " + std::to_string(std::get<int64_t>(key)));
        }
      }
      total += latest->version;
    }
    // Backups taken later never hold less.
    CHECK(total >= previous_total);
    previous_total = total;
  }
  CHECK(previous_total > 0);
}

TEST_CASE("backup: refusals change nothing and say why", "[backup]") {
  TempDir dir;
  const fs::path root = small_data_dir(dir);

  SECTION("non-empty TARGET") {
    dir.write("full/keep.txt", "mine");
    auto r = run_program("realm-backup", {root.string(), (dir / "full").string()});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("TARGET '" + (dir / "full").string() + "' is not empty") != std::string::npos);
    CHECK(ros::test::read_file(dir / "full" / "keep.txt") == "mine");
    CHECK(std::distance(fs::directory_iterator(dir / "full"), fs::directory_iterator()) == 1);
  }
  SECTION("TARGET inside SOURCE") {
    auto r = run_program("realm-backup", {root.string(), (root / "realms" / "bk").string()});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("is inside SOURCE") != std::string::npos);
    CHECK_FALSE(fs::exists(root / "realms" / "bk"));
    check_no_partial(root / "realms");
    auto same = run_program("realm-backup", {root.string(), root.string() + "/"});
    CHECK(same.exit_code == 1);
    CHECK(same.err.find("is inside SOURCE") != std::string::npos);
  }
  SECTION("missing SOURCE, or not a data directory") {
    auto r = run_program("realm-backup", {(dir / "nothing").string(), (dir / "bk").string()});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("SOURCE '" + (dir / "nothing").string() + "' does not exist") != std::string::npos);
    fs::create_directories(dir / "plain");
    auto plain = run_program("realm-backup", {(dir / "plain").string(), (dir / "bk").string()});
    CHECK(plain.exit_code == 1);
    CHECK(plain.err.find("is not a ros data directory") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "bk"));
  }
  SECTION("no space: a file size limit stops the copy, and it is removed") {
    {
      // A Realm larger than the limit.
      RealmWriter big(*ros::storage::Layout(root).realm_file("/big"));
      big.add_schema();
      for (int i = 0; i < 300; ++i) big.add_item();
    }
    auto r = run_program("/usr/bin/prlimit", {"--fsize=65536", ros::test::program_path("realm-backup"),
                                              root.string(), (dir / "bk").string()});
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("File too large") != std::string::npos);
    CHECK(r.err.find("nothing was written to") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "bk"));
    check_no_partial(dir.path());
  }
  SECTION("bad usage") {
    CHECK(run_program("realm-backup", {root.string()}).exit_code == 2);
    CHECK(run_program("realm-backup", {"--verify"}).exit_code == 2);
    CHECK(run_program("realm-backup", {"--bogus", root.string(), "x"}).exit_code == 2);
  }
  // The source is as it was.
  CHECK(run_program("realm-backup", {"--verify", root.string()}).exit_code == 0);
}

TEST_CASE("backup: an empty TARGET folder is taken over", "[backup]") {
  TempDir dir;
  const fs::path root = small_data_dir(dir);
  fs::create_directories(dir / "empty");
  auto r = run_program("realm-backup", {root.string(), (dir / "empty").string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // admin_token.base64 is left out of backups (issue 14, item 8).
  CHECK(r.out.find("4 files (3 databases, 2 Realms)") != std::string::npos);
  CHECK(fs::exists(dir / "empty" / "functions" / "hello" / "index.js"));
  check_verifies(dir / "empty");
}

TEST_CASE("backup: SIGTERM or SIGINT in the middle removes everything it wrote", "[backup]") {
  TempDir dir;
  const fs::path root = small_data_dir(dir);
  // Hold admin.db locked (rollback journal, exclusive) so the backup waits
  // inside its copy until the signal comes.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((root / "admin.db").c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "BEGIN EXCLUSIVE; INSERT INTO users VALUES ('u2')", nullptr, nullptr,
                       nullptr) == SQLITE_OK);
  const fs::path target = dir / "bk";
  for (int sig : {SIGTERM, SIGINT}) {
    INFO("signal " << sig);
    ros::test::DaemonProcess backup("realm-backup", {root.string(), target.string()},
                                    dir / ("bk-" + std::to_string(sig) + ".log"));
    const fs::path partial = dir / (".bk.partial-" + std::to_string(backup.pid()));
    for (int i = 0; i < 1000 && !fs::exists(partial); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(fs::exists(partial));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ::kill(backup.pid(), sig);
    CHECK(backup.wait_exit() == 1);
    CHECK(backup.log().find("interrupted by a signal; nothing was written to") != std::string::npos);
    CHECK_FALSE(fs::exists(partial));
    CHECK_FALSE(fs::exists(target));
  }
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db);
}

TEST_CASE("backup: --verify finds damaged and missing databases", "[backup]") {
  TempDir dir;
  const fs::path root = small_data_dir(dir);
  const fs::path target = dir / "bk";
  REQUIRE(run_program("realm-backup", {"-q", root.string(), target.string()}).exit_code == 0);
  auto ok = run_program("realm-backup", {"--verify", "--json", target.string()});
  REQUIRE(ok.exit_code == 0);
  auto report = json::parse(ok.out);
  CHECK(report["ok"] == true);
  CHECK(report["databases"] == 3);
  CHECK(report["realms"] == 2);

  // Damage the pages of a Realm file and drop admin.db.
  const fs::path realm = target / "realms" / "catalog.db";
  {
    std::string bytes = ros::test::read_file(realm);
    REQUIRE(bytes.size() > 8192);
    // The header of every b-tree page after the first (4096-byte pages).
    for (std::size_t page = 4096; page + 12 < bytes.size(); page += 4096) {
      for (std::size_t i = page; i < page + 12; ++i) bytes[i] = '\x5a';
    }
    std::ofstream(realm, std::ios::binary | std::ios::trunc) << bytes;
  }
  fs::remove(target / "admin.db");
  dir.write("bk/realms/junk.db", "not a database");
  auto bad = run_program("realm-backup", {"--verify", target.string()});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("admin.db: missing") != std::string::npos);
  CHECK(bad.err.find("realms/catalog.db: ") != std::string::npos);
  CHECK(bad.err.find("realms/junk.db: not a SQLite database") != std::string::npos);
  CHECK(bad.err.find("cannot be restored") != std::string::npos);
  auto missing = run_program("realm-backup", {"--verify", (dir / "nope").string()});
  CHECK(missing.exit_code == 1);
}

TEST_CASE("backup: a full file system is refused up front or stops the copy, leaving nothing",
          "[backup]") {
  // A tiny tmpfs, mounted in a private mount namespace of the command's own,
  // so nothing outside sees it; needs root.
  if (::geteuid() != 0) {
    WARN("not root: no tmpfs for this test");
    return;
  }
  TempDir dir;
  const fs::path root = small_data_dir(dir);
  fs::create_directories(dir / "mnt");
  auto in_tiny_fs = [&](const std::string& size) {
    const std::string script =
        "mount -t tmpfs -o size=\"$1\" tmpfs \"$2\" || exit 77\n"
        "\"$3\" \"$4\" \"$2/bk\"\n"
        "echo \"exit=$?\"\n"
        "ls -A \"$2\"\n";
    return run_program("/usr/bin/unshare",
                       {"-m", "sh", "-c", script, "sh", size, (dir / "mnt").string(),
                        ros::test::program_path("realm-backup"), root.string()});
  };

  SECTION("less free space than the source takes: refused before copying") {
    {
      RealmWriter big(*ros::storage::Layout(root).realm_file("/big"));
      big.add_schema();
      for (int i = 0; i < 300; ++i) big.add_item();
    }
    auto r = in_tiny_fs("64k");
    if (r.exit_code == 77) {
      WARN("cannot mount a tmpfs here: " << r.err);
      return;
    }
    INFO(r.err);
    CHECK(r.out == "exit=1\n");  // and `ls -A` listed nothing
    CHECK(r.err.find("not enough space in '" + (dir / "mnt").string() + "'") != std::string::npos);
  }
  SECTION("the file system fills up while copying: the partial copy is removed") {
    // Many small files: their bytes fit, their blocks do not.
    for (int i = 0; i < 200; ++i) {
      dir.write("data/functions/many/f" + std::to_string(i) + ".js", std::string(100, 'x'));
    }
    auto r = in_tiny_fs("256k");
    if (r.exit_code == 77) {
      WARN("cannot mount a tmpfs here: " << r.err);
      return;
    }
    INFO(r.err);
    CHECK(r.out == "exit=1\n");
    CHECK(r.err.find("No space left on device") != std::string::npos);
    CHECK(r.err.find("nothing was written to") != std::string::npos);
  }
  CHECK(std::distance(fs::directory_iterator(dir / "mnt"), fs::directory_iterator()) == 0);
}
