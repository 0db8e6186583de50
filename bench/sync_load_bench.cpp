// ros-bench-sync: a load generator for ros-syncd over lib/sync/client.
//
// Two loads, each printing one JSON object:
// - live (default): C clients (one connection each) spread over R Realms
//   write T transactions each (one new object and an increment of the
//   Realm's shared counter); every client watches its Realm's DOWNLOADs.
//   Reported: uploads integrated per second (acknowledged by the server) and
//   write-to-visible latency percentiles (from a write on one client to its
//   integration on each other client of the same Realm).
// - offline (--offline-transactions N): one client binds, goes offline,
//   writes N transactions locally and reconnects, uploading them at once,
//   while C writers keep writing to the same Realm: the merge-heavy case.
// With --server-pid, the server's CPU seconds (utime + stime of every thread,
// from /proc/<pid>/stat) over the measured phase, per 1,000 uploads, and its
// resident set size (/proc/<pid>/status). --idle-connections N then also
// opens N bound, idle sessions and reports the server's RSS with them.
// Usage: ros-bench-sync --url ws://127.0.0.1:27800 --token-key KEY [--clients 10] ...
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "auth/mint.hpp"
#include "auth/token.hpp"
#include "sync/changeset/parser.hpp"
#include "sync/client/client.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace ros::sync;
namespace cs = ros::sync::changeset;

// Object keys: writer i's transaction t is i * kKeyStride + t.
constexpr std::int64_t kKeyStride = 1000000000LL;

// Write times by object key, shared by all clients. Keys at or above
// `offline_from` belong to the offline client: counted, not timed (their
// latency is the offline period by design).
struct Ledger {
  std::mutex m;
  std::map<std::int64_t, Clock::time_point> written;
  std::vector<double> latencies_ms;
  std::atomic<std::uint64_t> seen{0};
  std::atomic<std::uint64_t> offline_seen{0};
  std::int64_t offline_from = INT64_MAX;

  void wrote(std::int64_t key) {
    std::lock_guard lock(m);
    written[key] = Clock::now();
  }
  void saw(const std::string& changeset_bytes) {
    auto parsed = cs::parse(changeset_bytes);
    if (!parsed) return;
    auto now = Clock::now();
    std::lock_guard lock(m);
    for (const auto& instr : parsed->changeset.instructions) {
      const auto* create = std::get_if<cs::CreateObject>(&instr);
      if (!create) continue;
      const auto* key = std::get_if<std::int64_t>(&create->object);
      if (!key) continue;
      if (*key >= offline_from) {
        ++offline_seen;
        continue;
      }
      auto it = written.find(*key);
      if (it == written.end()) continue;
      latencies_ms.push_back(std::chrono::duration<double, std::milli>(now - it->second).count());
      ++seen;
    }
  }
};

// Interned strings of both changesets (built as structs: JSON would cost the
// bench, which shares the CPUs with the server, more than the server's work).
enum Str : std::uint32_t { kItem, kId, kPayload, kCounter, kValue, kEmpty };
const std::vector<std::string> kStrings = {"BenchItem", "_id", "payload", "BenchCounter", "value", ""};

cs::Changeset schema() {
  cs::Changeset c;
  c.strings = kStrings;
  auto table = [](Str name) {
    cs::AddTable t;
    t.table = {name};
    t.pk_field = {kId};
    t.pk_type = cs::Type::Int;
    return t;
  };
  auto column = [](Str table, Str field, cs::Type type) {
    cs::AddColumn col;
    col.table = {table};
    col.field = {field};
    col.type = type;
    return col;
  };
  c.instructions.emplace_back(table(kItem));
  c.instructions.emplace_back(column(kItem, kPayload, cs::Type::String));
  c.instructions.emplace_back(table(kCounter));
  c.instructions.emplace_back(column(kCounter, kValue, cs::Type::Int));
  // Every client creates the one counter; concurrent creations of one
  // primary key are the same object.
  c.instructions.emplace_back(cs::CreateObject{{kCounter}, std::int64_t{0}});
  return c;
}

// One new object with a string payload, and the counter incremented.
cs::Changeset transaction(std::int64_t key, const std::string& payload) {
  cs::Changeset c;
  c.strings = kStrings;
  c.instructions.emplace_back(cs::CreateObject{{kItem}, key});
  cs::Update update;
  update.prefix = {{kItem}, key, {kPayload}, {}};
  update.value.type = cs::Type::String;
  update.value.bytes = payload;
  c.instructions.emplace_back(std::move(update));
  cs::AddInteger add;
  add.prefix = {{kCounter}, std::int64_t{0}, {kValue}, {}};
  add.value = 1;
  c.instructions.emplace_back(std::move(add));
  return c;
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::size_t idx = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(idx), v.end());
  return v[idx];
}

double round3(double v) { return static_cast<double>(static_cast<long long>(v * 1000 + 0.5)) / 1000; }

// The server process seen through /proc (all its threads).
struct ServerProbe {
  int pid = 0;

  // utime + stime in seconds; nullopt when the process is gone.
  std::optional<double> cpu_seconds() const {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line)) return std::nullopt;
    // The command name may hold spaces: fields are counted after its ')'.
    auto close = line.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream fields(line.substr(close + 1));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int n = 3; fields >> field; ++n) {
      if (n == 14) utime = std::stoull(field);
      if (n == 15) {
        stime = std::stoull(field);
        break;
      }
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }

  // A "VmRSS"/"VmHWM" line of /proc/<pid>/status, in KiB.
  std::optional<long> status_kib(const std::string& key) const {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind(key + ":", 0) == 0) return std::stol(line.substr(key.size() + 1));
    }
    return std::nullopt;
  }
};

struct Options {
  client::ClientOptions client;
  std::string prefix = "/bench";
  int clients = 10, realms = 1, transactions = 100, interval_ms = 10, payload_bytes = 64;
  int timeout_s = 120, offline_transactions = 0, idle_connections = 0, server_pid = 0;
};

class Bench {
 public:
  explicit Bench(const Options& o) : o_(o), payload_(static_cast<std::size_t>(o.payload_bytes), 'x') {
    probe_.pid = o.server_pid;
  }

  int run() {
    const bool offline = o_.offline_transactions > 0;
    const int realms = offline ? 1 : o_.realms;
    const std::string run_id = std::to_string(std::time(nullptr));
    std::vector<int> clients_in_realm(static_cast<std::size_t>(realms), 0);
    for (int i = 0; i < o_.clients; ++i) {
      const int realm = i % realms;
      ++clients_in_realm[static_cast<std::size_t>(realm)];
      auto s = open(o_.prefix + "-" + run_id + "-" + std::to_string(realm), o_.client);
      if (!s) return 1;
      s->set_download_observer(
          [this](const protocol::DownloadChangeset& e) { ledger_.saw(e.changeset); });
      writers_.push_back(*s);
    }
    std::optional<client::Session> late;
    if (offline) {
      // Never reconnects by itself: it comes back when the bench says so.
      auto options = o_.client;
      options.reconnect_delay = std::chrono::hours(24);
      options.max_reconnect_delay = std::chrono::hours(24);
      late = open(o_.prefix + "-" + run_id + "-0", options);
      if (!late) return 1;
      ledger_.offline_from = static_cast<std::int64_t>(o_.clients) * kKeyStride;
    }
    for (std::size_t i = 0; i < writers_.size(); ++i) {
      if (auto r = writers_[i].wait_bound(); !r) error("client " + std::to_string(i), r.error());
      (void)writers_[i].write(schema());
    }
    if (late) {
      if (auto r = late->wait_bound(); !r) error("offline client", r.error());
      (void)late->write(schema());
      wait_uploaded(*late, "offline client");
      conns_.back().drop_connection();
      while (conns_.back().connected()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    for (std::size_t i = 0; i < writers_.size(); ++i) wait_uploaded(writers_[i], "client " + std::to_string(i));

    const auto cpu_before = probe_.pid ? probe_.cpu_seconds() : std::nullopt;
    const auto start = Clock::now();
    std::atomic<std::uint64_t> written{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < o_.clients; ++i) {
      threads.emplace_back([&, i] {
        for (int t = 0; t < o_.transactions; ++t) {
          const std::int64_t key = static_cast<std::int64_t>(i) * kKeyStride + t;
          ledger_.wrote(key);
          if (auto w = writers_[static_cast<std::size_t>(i)].write(transaction(key, payload_)); !w) {
            std::fprintf(stderr, "ros-bench-sync: write: %s\n", w.error().message.c_str());
          }
          ++written;
          if (o_.interval_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(o_.interval_ms));
        }
      });
    }
    double offline_upload_seconds = 0;
    if (late) {
      // Offline writes first, then back online half way through the
      // writers' transactions: the upload meets both a long history and
      // concurrent writes.
      const std::int64_t first = ledger_.offline_from;
      for (int t = 0; t < o_.offline_transactions; ++t) {
        if (auto w = late->write(transaction(first + t, payload_)); !w) {
          std::fprintf(stderr, "ros-bench-sync: offline write: %s\n", w.error().message.c_str());
        }
      }
      const auto half = static_cast<std::uint64_t>(o_.clients) * static_cast<std::uint64_t>(o_.transactions) / 2;
      while (written < half) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      const auto back = Clock::now();
      if (auto r = conns_.back().connect(); !r) error("offline client reconnect", r.error());
      wait_uploaded(*late, "offline client");
      offline_upload_seconds = std::chrono::duration<double>(Clock::now() - back).count();
    }
    for (auto& t : threads) t.join();
    for (std::size_t i = 0; i < writers_.size(); ++i) wait_uploaded(writers_[i], "client " + std::to_string(i));
    const auto uploaded = Clock::now();

    // Every write should become visible on every other writer of its Realm.
    std::uint64_t expected = 0;
    for (int r = 0; r < realms; ++r) {
      auto n = static_cast<std::uint64_t>(clients_in_realm[static_cast<std::size_t>(r)]);
      expected += n * (n - 1) * static_cast<std::uint64_t>(o_.transactions);
    }
    const std::uint64_t offline_expected =
        static_cast<std::uint64_t>(o_.clients) * static_cast<std::uint64_t>(o_.offline_transactions);
    const auto deadline = Clock::now() + std::chrono::seconds(o_.timeout_s);
    while ((ledger_.seen < expected || ledger_.offline_seen < offline_expected) && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const auto visible = Clock::now();
    const auto cpu_after = probe_.pid ? probe_.cpu_seconds() : std::nullopt;

    const double upload_seconds = std::chrono::duration<double>(uploaded - start).count();
    const std::uint64_t uploads =
        static_cast<std::uint64_t>(o_.clients) * static_cast<std::uint64_t>(o_.transactions) +
        static_cast<std::uint64_t>(o_.offline_transactions);
    std::vector<double> lat;
    {
      std::lock_guard lock(ledger_.m);
      lat = ledger_.latencies_ms;
    }
    nlohmann::json out = {
        {"mode", offline ? "offline" : "live"},
        {"url", o_.client.url},
        {"clients", o_.clients},
        {"realms", realms},
        {"transactions", uploads},
        {"upload_seconds", round3(upload_seconds)},
        {"uploads_per_second", round3(upload_seconds > 0 ? static_cast<double>(uploads) / upload_seconds : 0)},
        {"visible_seconds", round3(std::chrono::duration<double>(visible - start).count())},
        {"write_to_visible_ms",
         {{"samples", lat.size()},
          {"expected", expected},
          {"p50", round3(percentile(lat, 50))},
          {"p90", round3(percentile(lat, 90))},
          {"p99", round3(percentile(lat, 99))},
          {"max", round3(lat.empty() ? 0 : *std::max_element(lat.begin(), lat.end()))}}},
    };
    if (offline) {
      out["offline"] = {{"transactions", o_.offline_transactions},
                        {"upload_seconds", round3(offline_upload_seconds)},
                        {"seen", ledger_.offline_seen.load()},
                        {"expected", offline_expected}};
    }
    if (probe_.pid) {
      nlohmann::json server = {{"pid", probe_.pid}};
      if (cpu_before && cpu_after) {
        const double cpu = *cpu_after - *cpu_before;
        server["cpu_seconds"] = round3(cpu);
        server["cpu_seconds_per_1000_uploads"] = round3(uploads ? cpu * 1000.0 / static_cast<double>(uploads) : 0);
      } else {
        error("server probe", ros::make_error(ros::Errc::unavailable, "cannot read /proc/" +
                                                                          std::to_string(probe_.pid) + "/stat"));
      }
      if (auto rss = probe_.status_kib("VmRSS")) server["rss_kib"] = *rss;
      if (auto hwm = probe_.status_kib("VmHWM")) server["peak_rss_kib"] = *hwm;
      out["server"] = server;
    }
    if (o_.idle_connections > 0) out["idle"] = idle(run_id);
    out["errors"] = errors_;
    std::printf("%s\n", out.dump(2).c_str());
    for (auto& c : conns_) c.close();
    return errors_ == 0 && lat.size() >= expected && ledger_.offline_seen >= offline_expected ? 0 : 1;
  }

 private:
  // A new connection with one session bound to `path`.
  std::optional<client::Session> open(const std::string& path, const client::ClientOptions& options) {
    auto c = client::Client::make(options);
    if (!c) {
      std::fprintf(stderr, "ros-bench-sync: %s\n", c.error().message.c_str());
      return std::nullopt;
    }
    conns_.push_back(std::move(c.value()));
    // Fail fast when the server is not there (the client itself would keep retrying).
    if (auto r = conns_.back().connect(); !r) {
      std::fprintf(stderr, "ros-bench-sync: %s\n", r.error().message.c_str());
      return std::nullopt;
    }
    return conns_.back().bind(path);
  }

  void wait_uploaded(client::Session& s, const std::string& who) {
    if (auto r = s.wait_uploaded(); !r) error("upload of " + who, r.error());
  }

  void error(const std::string& what, const ros::Error& e) {
    ++errors_;
    std::fprintf(stderr, "ros-bench-sync: %s: %s\n", what.c_str(), e.message.c_str());
  }

  // N more connections, each with a session bound to one of the Realms,
  // left idle; the server's RSS before and with them.
  nlohmann::json idle(const std::string& run_id) {
    const auto before = probe_.pid ? probe_.status_kib("VmRSS") : std::nullopt;
    std::vector<client::Session> sessions;
    for (int i = 0; i < o_.idle_connections; ++i) {
      auto s = open(o_.prefix + "-" + run_id + "-idle-" + std::to_string(i % 4), o_.client);
      if (!s) {
        ++errors_;
        break;
      }
      sessions.push_back(*s);
    }
    for (auto& s : sessions) {
      if (auto r = s.wait_bound(); !r) error("idle session", r.error());
    }
    nlohmann::json j = {{"connections", sessions.size()}};
    if (probe_.pid) {
      if (before) j["server_rss_kib_before"] = *before;
      if (auto rss = probe_.status_kib("VmRSS")) j["server_rss_kib"] = *rss;
    }
    return j;
  }

  Options o_;
  std::string payload_;
  ServerProbe probe_;
  Ledger ledger_;
  std::vector<client::Client> conns_;  // the writers', then the offline client's, then idle ones
  std::vector<client::Session> writers_;
  int errors_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ros-bench-sync: load generator for ros-syncd; prints JSON results"};
  Options o;
  std::string url = "ws://127.0.0.1:27800";
  std::string token, token_key, identity = "bench", app_id, ca_file;
  app.add_option("--url", url, "sync server URL (ws:// or wss://)")->capture_default_str();
  app.add_option("--token", token, "access token sent as baas_at");
  app.add_option("--token-key", token_key,
                 "sign a path-less admin access token with this RSA private key instead of --token");
  app.add_option("--identity", identity, "identity of the token made with --token-key")->capture_default_str();
  app.add_option("--app-id", app_id, "use the /api/client/v2.0/app/<id>/realm-sync path");
  app.add_option("--ca-file", ca_file, "trusted CA certificates for wss://");
  app.add_option("--clients", o.clients, "number of writing clients (one connection each)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--realms", o.realms, "number of Realms the clients are spread over (live load)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--transactions", o.transactions, "transactions written by each client")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--interval-ms", o.interval_ms, "pause between a client's transactions")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--payload-bytes", o.payload_bytes, "size of each transaction's string value")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--offline-transactions", o.offline_transactions,
                 "offline load: one more client writes this many transactions offline, then uploads them "
                 "while the writers write (one Realm)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--server-pid", o.server_pid, "the server's process id: report its CPU time and memory")
      ->check(CLI::PositiveNumber);
  app.add_option("--idle-connections", o.idle_connections,
                 "at the end, open this many idle bound connections and report the server's RSS")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--realm-prefix", o.prefix, "Realm paths are <prefix>-<run>-<n>")->capture_default_str();
  app.add_option("--timeout", o.timeout_s, "seconds to wait for uploads and downloads")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  if (token.empty() == token_key.empty()) {
    std::fprintf(stderr, "ros-bench-sync: give exactly one of --token and --token-key\n");
    return 2;
  }
  if (!token_key.empty()) {
    auto signer = ros::auth::TokenSigner::load(token_key);
    if (!signer) {
      std::fprintf(stderr, "ros-bench-sync: %s\n", signer.error().message.c_str());
      return 1;
    }
    auto claims = ros::auth::access_claims(identity, std::nullopt, {"download", "upload"}, std::time(nullptr),
                                           24 * 3600);
    claims.admin = true;
    token = signer->sign(claims);
  }

  o.client.url = url;
  o.client.token = token;
  if (!app_id.empty()) o.client.app_id = app_id;
  o.client.ca_file = ca_file;
  o.client.user_agent = "ros-bench-sync";
  o.client.timeout = std::chrono::seconds(o.timeout_s);
  o.client.reconnect_delay = std::chrono::milliseconds(200);
  return Bench(o).run();
}
