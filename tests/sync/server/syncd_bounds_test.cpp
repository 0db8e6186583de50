// ros-syncd's resource bounds (issue 14, items 3 to 7), each tried as an
// attacker would against the real daemon: a tiny compressed UPLOAD that
// parses into a huge changeset, uploads too costly to merge, control ops
// that waited for a busy Realm on network threads, Realms never closed and
// unlimited per user, accept loops that spun on EMFILE, DOWNLOADs built for
// a client that never reads, connections that never BIND.
#include <sqlite3.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>

#include "control/client.hpp"
#include "control/protocol.hpp"
#include "support/http_client.hpp"
#include "sync/changeset/changeset_json.hpp"
#include "sync/changeset/encoder.hpp"
#include "sync/protocol/compression.hpp"
#include "sync/server/protocol_helpers.hpp"
#include "sync/server/server_fixture.hpp"

using namespace ros::test;
namespace p = ros::sync::protocol;
namespace cs = ros::sync::changeset;

namespace {

// A field of /proc/<pid>/status in kB (VmHWM: peak RSS, VmRSS: now).
std::int64_t status_kb(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atoll(line.c_str() + field.size() + 1);
  }
  FAIL("no " << field << " in /proc/" << pid << "/status");
  return 0;
}

RawSyncClient connect(const ServerFixture& f, const std::string& token) {
  RawSyncClient::Options o;
  o.target = "/realm-sync?baas_at=" + token;
  return RawSyncClient(f.sync_port, o);
}

// BIND with need = 1, the server's IDENT, our IDENT, the first DOWNLOAD.
p::ServerIdent bind_and_ident(RawSyncClient& c, std::uint64_t session, const std::string& path) {
  c.send(wire(p::Bind{session, path, "", true, false}));
  auto ident = next_as<p::ServerIdent>(c);
  c.send(wire(p::ClientIdent{session, ident.client_file_ident, ident.client_file_ident_salt, 0, 0,
                             0, 0}));
  CHECK(next_as<p::Download>(c).session_ident == session);
  return ident;
}

std::string encoded(const std::string& json) {
  auto changeset = cs::from_json(cs::Json::parse(json));
  REQUIRE(changeset.ok());
  auto bytes = cs::encode(changeset.value(), cs::Layout::hoisted);
  REQUIRE(bytes.ok());
  return bytes.value();
}

// Class Note (primary key _id Int) with a String field s.
std::string note_schema() {
  return encoded(R"({"instructions": [
    {"type": "AddTable", "table": "Note", "embedded": false, "primaryKey": {"field": "_id", "type": "Int", "nullable": false}, "asymmetric": false},
    {"type": "AddColumn", "table": "Note", "field": "s", "valueType": "String", "nullable": false, "collectionType": "Single"}],
    "internStrings": ["Note", "_id", "s", ""]})");
}

// Notes first..first+count-1, each created and given `text`.
std::string notes(std::int64_t first, std::int64_t count, const std::string& text) {
  cs::Json j = cs::Json::parse(R"({"instructions": [], "internStrings": ["Note", "s"]})");
  for (std::int64_t k = first; k < first + count; ++k) {
    cs::Json create = cs::Json::parse(R"({"type": "CreateObject", "table": "Note", "object": {"int": 0}})");
    create["object"]["int"] = k;
    j["instructions"].push_back(create);
    if (!text.empty()) {
      cs::Json set = cs::Json::parse(R"({"type": "Update", "table": "Note", "object": {"int": 0},
        "field": "s", "path": [], "value": {"string": ""}, "isDefault": false})");
      set["object"]["int"] = k;
      set["value"]["string"] = text;
      j["instructions"].push_back(set);
    }
  }
  return encoded(j.dump());
}

// Letters that do not compress, so that bytes on the wire are bytes in memory.
std::string random_text(std::size_t n, std::mt19937_64& rng) {
  std::string out(n, 'a');
  for (auto& ch : out) ch = static_cast<char>('a' + rng() % 26);
  return out;
}

ros::control::Client control(const ServerFixture& f) {
  auto client = ros::control::Client::connect(
      ros::control::socket_path(f.root / "run", "ros-syncd"), "ros-syncd",
      std::chrono::seconds(60));
  REQUIRE(client.ok());
  return std::move(client).value();
}

}  // namespace

TEST_CASE("syncd bounds: an 8 KB UPLOAD of EraseTable instructions is refused within bounded memory",
          "[syncd]") {
  ServerFixture f;  // default limits: what a server runs with
  auto c = connect(f, f.admin_token());
  REQUIRE(c.status() == 101);
  bind_and_ident(c, 1, "/flood");

  // One EraseTable is two bytes after the table name's declaration.
  const std::string one = encoded(R"({"instructions":[{"type":"EraseTable","table":"T"}],"internStrings":["T"]})");
  const std::string two = encoded(R"({"instructions":[{"type":"EraseTable","table":"T"},{"type":"EraseTable","table":"T"}],"internStrings":["T"]})");
  const std::string instruction = two.substr(one.size());
  REQUIRE(instruction.size() == 2);
  std::string changeset = one;
  changeset.reserve(one.size() + 4'000'000 * instruction.size());
  for (int i = 1; i < 4'000'000; ++i) changeset += instruction;

  // Compressed at zlib's best level, as an attacker would: 8 MB in about 8 KB.
  const std::string body = "1 0 1 0 " + std::to_string(changeset.size()) + " " + changeset;
  const std::string compressed = p::zlib_compress(body, 9);
  const std::string message = "upload 1 1 " + std::to_string(body.size()) + " " +
                              std::to_string(compressed.size()) + " 1 0 0\n" + compressed;
  INFO("the UPLOAD is " << message.size() << " bytes on the wire, " << changeset.size()
                        << " inflated");
  REQUIRE(message.size() < 16 * 1024);
  c.send(message);
  auto error = next_as<p::ServerError>(c);
  CHECK(error.session_ident == 1);
  CHECK(error.error_code == 212);
  CHECK(error.message.find("sync.max_changeset_instructions") != std::string::npos);
  // The connection and the daemon go on.
  c.send(wire(p::Ping{7, 0}));
  CHECK(next_as<p::Pong>(c).timestamp == 7);

  const auto peak_kb = status_kb(f.syncd->pid(), "VmHWM");
  WARN("ros-syncd peak RSS after the flood: " << peak_kb / 1024 << " MiB");
  // 4 million instructions in memory would take about 1 GB.
  CHECK(peak_kb < 300 * 1024);
}

TEST_CASE("syncd bounds: an UPLOAD above sync.max_upload_bytes ends the connection with 103",
          "[syncd]") {
  ServerFixture f(false, "sync:\n  max_upload_bytes: 100000\n");
  auto c = connect(f, f.admin_token());
  REQUIRE(c.status() == 101);
  bind_and_ident(c, 1, "/big-upload");
  // Compressed to almost nothing; announced and inflated above the bound.
  c.send(wire(p::Upload{1, 1, 0, 0, {p::UploadChangeset{1, 0, 1, 0, notes(1, 1, std::string(200000, 'x'))}}}));
  auto error = next_as<p::ServerError>(c);
  CHECK(error.error_code == 103);  // never 104, which crashes 14.x clients
  CHECK(error.session_ident == 0);
  CHECK(error.message.find("sync.max_upload_bytes") != std::string::npos);
}

TEST_CASE("syncd bounds: an upload beyond sync.max_merge_work is refused before merging", "[syncd]") {
  ServerFixture f(false, "sync:\n  max_merge_work: 1000\n");
  auto a = connect(f, f.admin_token());
  bind_and_ident(a, 1, "/merge");
  a.send(wire(p::Upload{1, 2, 0, 0,
                        {p::UploadChangeset{1, 0, 1, 0, note_schema()},
                         p::UploadChangeset{2, 0, 2, 0, notes(0, 100, "")}}}));
  CHECK(next_as<p::Download>(a).download_server_version == 2);

  // Based on version 0: 102 history instructions against 21 of its own.
  auto b = connect(f, f.admin_token());
  bind_and_ident(b, 1, "/merge");
  b.send(wire(p::Upload{1, 2, 0, 0,
                        {p::UploadChangeset{1, 0, 3, 0, note_schema()},
                         p::UploadChangeset{2, 0, 4, 0, notes(1000, 19, "")}}}));
  auto error = next_as<p::ServerError>(b);
  CHECK(error.error_code == 212);
  CHECK(error.message.find("sync.max_merge_work") != std::string::npos);

  // A small upload of the same client file still merges.
  auto c = connect(f, f.admin_token());
  bind_and_ident(c, 1, "/merge");
  c.send(wire(p::Upload{1, 1, 0, 0, {p::UploadChangeset{1, 0, 5, 0, notes(2000, 1, "")}}}));
  CHECK(next_as<p::Download>(c).download_server_version == 3);
}

TEST_CASE("syncd bounds: a Realm busy on its strand stalls neither control ops nor other Realms",
          "[syncd]") {
  ServerFixture f;
  {
    auto a = connect(f, f.admin_token());
    bind_and_ident(a, 1, "/busy");
  }
  // Upgraded before the load: the upgrade needs a network thread too.
  auto other = connect(f, f.admin_token());
  REQUIRE(other.status() == 101);
  auto hello = other.receive();  // the log message that opens each connection
  REQUIRE(hello.has_value());
  REQUIRE(hello->rfind("log_message ", 0) == 0);
  // The test holds the write lock of /busy's file: each allocation of a
  // client file there waits SQLite's busy timeout (5 s) on the Realm's strand.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((f.root / "realms" / "busy.db").c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  std::vector<RawSyncClient> blocked;
  for (std::uint64_t i = 1; i <= 4; ++i) {
    blocked.push_back(connect(f, f.admin_token()));
    blocked.back().send(wire(p::Bind{1, "/busy", "", true, false}));
  }
  // Two listings of the sessions, as many as ros-syncd has network threads:
  // they must wait for /busy without holding those threads.
  std::vector<std::thread> listings;
  std::atomic<int> listed{0};
  for (int i = 0; i < 2; ++i) {
    listings.emplace_back([&f, &listed] {
      auto client = control(f);
      if (client.call("session.list").ok()) ++listed;
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the listings are on their way

  // /busy's strand stays blocked for about 20 s (four allocations); waiting
  // 4 s for the answer tells a served BIND from a stalled daemon.
  const auto asked = std::chrono::steady_clock::now();
  other.send(wire(p::Bind{1, "/other", "", true, false}));
  auto answer = other.receive(std::chrono::seconds(4));
  const auto waited = std::chrono::steady_clock::now() - asked;
  WARN("a BIND of /other waited "
       << std::chrono::duration_cast<std::chrono::milliseconds>(waited).count()
       << " ms while /busy was blocked");
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  for (auto& t : listings) t.join();

  REQUIRE(answer.has_value());
  CHECK(answer->rfind("ident 1 ", 0) == 0);
  CHECK(listed == 2);
}

TEST_CASE("syncd bounds: a client that never reads holds one DOWNLOAD, not the history",
          "[syncd]") {
  ServerFixture f(false,
                  "sync:\n  max_download_bytes: 262144\n  max_connection_buffer_bytes: 1048576\n");
  // 64 MiB of history: 256 notes of 256 KiB.
  std::mt19937_64 rng(14);
  auto a = connect(f, f.admin_token());
  bind_and_ident(a, 1, "/backlog");
  a.send(wire(p::Upload{1, 1, 0, 0, {p::UploadChangeset{1, 0, 1, 0, note_schema()}}}));
  next_as<p::Download>(a);
  std::uint64_t version = 1;
  for (std::uint64_t batch = 0; batch < 32; ++batch) {
    p::Upload upload{1, version + 8, 0, 0, {}};
    for (int i = 0; i < 8; ++i) {
      ++version;
      upload.changesets.push_back(p::UploadChangeset{
          version, 0, version, 0,
          notes(static_cast<std::int64_t>(version), 1, random_text(256 * 1024, rng))});
    }
    a.send(wire(upload));
    // Acknowledged by DOWNLOADs of at most max_download_bytes each.
    std::uint64_t acknowledged = 0;
    while (acknowledged < version) acknowledged = next_as<p::Download>(a).download_server_version;
    REQUIRE(acknowledged == version);
  }
  const std::uint64_t latest = version;

  const auto before_kb = status_kb(f.syncd->pid(), "VmRSS");
  auto b = connect(f, f.admin_token());
  b.send(wire(p::Bind{1, "/backlog", "", true, false}));
  auto ident = next_as<p::ServerIdent>(b);
  b.send(wire(p::ClientIdent{1, ident.client_file_ident, ident.client_file_ident_salt, 0, 0, 0, 0}));
  // From here on b reads nothing. Once session.list shows its session, its
  // Realm has built every DOWNLOAD it was going to build for now.
  auto client = control(f);
  std::optional<std::uint64_t> position;
  for (int attempt = 0; attempt < 200 && !position; ++attempt) {
    auto sessions = client.call("session.list");
    REQUIRE(sessions.ok());
    for (const auto& s : (*sessions)["sessions"]) {
      if (s["client_file"] == ident.client_file_ident) {
        position = s["download_server_version"].get<std::uint64_t>();
      }
    }
    if (!position) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(position.has_value());
  const auto after_kb = status_kb(f.syncd->pid(), "VmRSS");
  WARN("ros-syncd RSS grew by " << (after_kb - before_kb) / 1024
                                << " MiB for a client that never reads; its session is at version "
                                << *position << " of " << latest);
  CHECK(*position < latest);
  CHECK(after_kb - before_kb < 20 * 1024);

  // Reading again, it gets all of it.
  std::uint64_t got = 0;
  while (got < latest) {
    auto download = next_as<p::Download>(b);
    got = download.download_server_version;
  }
  CHECK(got == latest);
}

TEST_CASE("syncd bounds: upgrades must BIND soon and say little before a valid token",
          "[syncd]") {
  ServerFixture f(false, "sync:\n  bind_timeout: 1\n  max_connections_per_address: 3\n");
  SECTION("a connection without a BIND is closed after sync.bind_timeout") {
    auto c = connect(f, f.admin_token());
    REQUIRE(c.status() == 101);
    for (;;) {
      auto bytes = c.receive(std::chrono::seconds(10));
      if (!bytes) break;
      CHECK(bytes->rfind("log_message ", 0) == 0);
    }
    CHECK(c.closed());
  }
  SECTION("a large message before any token ends the connection with 103") {
    RawSyncClient c(f.sync_port, RawSyncClient::Options{});
    REQUIRE(c.status() == 101);
    c.send(wire(p::Bind{1, "/" + std::string(100000, 'a'), "", true, false}));
    expect_connection_error(c, 103);
  }
  SECTION("connections from one address beyond sync.max_connections_per_address get 503") {
    auto one = connect(f, f.admin_token());
    auto two = connect(f, f.admin_token());
    auto three = connect(f, f.admin_token());
    REQUIRE(three.status() == 101);
    auto four = ros::test::http_request(
        f.sync_port, "GET", "/realm-sync?baas_at=" + f.admin_token(), "",
        {{"Connection", "Upgrade"},
         {"Upgrade", "websocket"},
         {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
         {"Sec-WebSocket-Version", "13"},
         {"Sec-WebSocket-Protocol", kClientProtocolOffer}});
    CHECK(four.status == 503);
    CHECK(four.body.find("from your address") != std::string::npos);
  }
}

TEST_CASE("syncd bounds: Realms per user are limited and idle Realms close their file",
          "[syncd]") {
  ServerFixture f(false, "sync:\n  max_realms_per_user: 2\n  realm_idle_timeout: 1\n");
  auto c = connect(f, f.admin_token());
  REQUIRE(c.status() == 101);
  bind_and_ident(c, 1, "/r1");
  bind_and_ident(c, 2, "/r2");
  c.send(wire(p::Bind{3, "/r3", "", true, false}));
  auto error = next_as<p::ServerError>(c);
  CHECK(error.session_ident == 3);
  CHECK(error.error_code == 201);
  CHECK(error.try_again);
  CHECK(error.message.find("sync.max_realms_per_user") != std::string::npos);
  // Another connection of the same user counts too.
  {
    auto d = connect(f, f.admin_token());
    d.send(wire(p::Bind{1, "/r4", "", true, false}));
    CHECK(next_as<p::ServerError>(d).error_code == 201);
  }
  // Unbinding one makes room.
  c.send(wire(p::Unbind{1}));
  CHECK(next_as<p::Unbound>(c).session_ident == 1);
  bind_and_ident(c, 4, "/r3");

  // /r1 has no session now: its file is closed after realm_idle_timeout.
  auto client = control(f);
  const auto realm_file = std::filesystem::canonical(f.root / "realms" / "r1.db");
  auto file_open = [&] {
    for (const auto& fd : std::filesystem::directory_iterator(
             "/proc/" + std::to_string(f.syncd->pid()) + "/fd")) {
      std::error_code ec;
      if (std::filesystem::read_symlink(fd.path(), ec) == realm_file) return true;
    }
    return false;
  };
  bool closed = false;
  for (int attempt = 0; attempt < 300 && !closed; ++attempt) {
    closed = !file_open();
    if (!closed) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(closed);
  auto stat = client.call("stat");
  REQUIRE(stat.ok());
  CHECK((*stat)["realms_open"] == 2);  // /r2 and /r3, bound
  // It opens again when needed (after another unbind makes room).
  c.send(wire(p::Unbind{2}));
  CHECK(next_as<p::Unbound>(c).session_ident == 2);
  bind_and_ident(c, 5, "/r1");
  CHECK(file_open());
}

TEST_CASE("syncd bounds: out of file descriptors, the acceptor pauses instead of spinning",
          "[syncd]") {
  ServerFixture f;
  const pid_t pid = f.syncd->pid();
  std::size_t open_fds = 0;
  for ([[maybe_unused]] const auto& fd :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    ++open_fds;
  }
  std::string soft_limit;
  {
    std::ifstream limits("/proc/" + std::to_string(pid) + "/limits");
    for (std::string line; std::getline(limits, line);) {
      if (line.rfind("Max open files", 0) == 0) {
        std::istringstream fields(line.substr(14));
        fields >> soft_limit;
      }
    }
  }
  REQUIRE(!soft_limit.empty());
  // Room for a few more descriptors only (the soft limit; the hard one stays).
  const std::string lower = "prlimit --pid " + std::to_string(pid) +
                            " --nofile=" + std::to_string(open_fds + 3) + ":";
  REQUIRE(std::system(lower.c_str()) == 0);
  std::vector<int> sockets;
  for (int i = 0; i < 16; ++i) {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(s >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(f.sync_port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    sockets.push_back(s);
  }
  // The connections beyond the limit wait in the kernel's queue: a spinning
  // acceptor fails thousands of times a second, and logs each.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  std::istringstream log(f.syncd->log());
  int accept_lines = 0;
  for (std::string line; std::getline(log, line);) {
    if (line.find("accept") != std::string::npos) ++accept_lines;
  }
  WARN(accept_lines << " log lines about accepting in 2 s without descriptors");
  CHECK(accept_lines >= 1);
  CHECK(accept_lines <= 3);

  for (int s : sockets) ::close(s);
  const std::string restore = "prlimit --pid " + std::to_string(pid) + " --nofile=" + soft_limit + ":";
  REQUIRE(std::system(restore.c_str()) == 0);
  // Serving again once descriptors are free.
  auto c = connect(f, f.admin_token());
  CHECK(c.status() == 101);
}
