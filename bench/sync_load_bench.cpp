// ros-bench-sync: a load generator for ros-syncd over lib/sync/client.
// C clients (one connection each) spread over R Realms write T transactions
// each; every client watches its Realm's DOWNLOADs. Prints one JSON object:
// uploads integrated per second (acknowledged by the server) and
// write-to-visible latency percentiles (from a write on one client to its
// integration on each other client of the same Realm).
// Usage: ros-bench-sync --url ws://127.0.0.1:27800 --token-key KEY [--clients 10] ...
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "auth/mint.hpp"
#include "auth/token.hpp"
#include "sync/changeset/changeset_json.hpp"
#include "sync/changeset/parser.hpp"
#include "sync/client/client.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace ros::sync;

// Write times by object key, shared by all clients.
struct Ledger {
  std::mutex m;
  std::map<std::int64_t, Clock::time_point> written;
  std::vector<double> latencies_ms;
  std::atomic<std::uint64_t> seen{0};

  void wrote(std::int64_t key) {
    std::lock_guard lock(m);
    written[key] = Clock::now();
  }
  void saw(const std::string& changeset_bytes) {
    auto parsed = changeset::parse(changeset_bytes);
    if (!parsed) return;
    auto now = Clock::now();
    std::lock_guard lock(m);
    for (const auto& instr : parsed->changeset.instructions) {
      const auto* create = std::get_if<changeset::CreateObject>(&instr);
      if (!create) continue;
      const auto* key = std::get_if<std::int64_t>(&create->object);
      if (!key) continue;
      auto it = written.find(*key);
      if (it == written.end()) continue;
      latencies_ms.push_back(std::chrono::duration<double, std::milli>(now - it->second).count());
      ++seen;
    }
  }
};

changeset::Changeset schema() {
  return changeset::from_json(changeset::Json::parse(R"({"instructions": [
    {"type": "AddTable", "table": "BenchItem", "embedded": false, "primaryKey": {"field": "_id", "type": "Int", "nullable": false}, "asymmetric": false},
    {"type": "AddColumn", "table": "BenchItem", "field": "payload", "valueType": "String", "nullable": false, "collectionType": "Single"}],
    "internStrings": ["BenchItem", "_id", "payload", ""]})"))
      .value();
}

changeset::Changeset transaction(std::int64_t key, const std::string& payload) {
  auto j = changeset::Json::parse(R"({"instructions": [
    {"type": "CreateObject", "table": "BenchItem", "object": {"int": 0}},
    {"type": "Update", "table": "BenchItem", "object": {"int": 0}, "field": "payload", "path": [], "value": {"string": ""}, "isDefault": false}],
    "internStrings": ["BenchItem", "payload"]})");
  j["instructions"][0]["object"]["int"] = key;
  j["instructions"][1]["object"]["int"] = key;
  j["instructions"][1]["value"]["string"] = payload;
  return changeset::from_json(j).value();
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::size_t idx = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(idx), v.end());
  return v[idx];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ros-bench-sync: load generator for ros-syncd; prints JSON results"};
  std::string url = "ws://127.0.0.1:27800";
  std::string token, token_key, identity = "bench", app_id, ca_file, prefix = "/bench";
  int clients = 10, realms = 1, transactions = 100, interval_ms = 10, payload_bytes = 64, timeout_s = 120;
  app.add_option("--url", url, "sync server URL (ws:// or wss://)")->capture_default_str();
  app.add_option("--token", token, "access token sent as baas_at");
  app.add_option("--token-key", token_key,
                 "sign a path-less admin access token with this RSA private key instead of --token");
  app.add_option("--identity", identity, "identity of the token made with --token-key")->capture_default_str();
  app.add_option("--app-id", app_id, "use the /api/client/v2.0/app/<id>/realm-sync path");
  app.add_option("--ca-file", ca_file, "trusted CA certificates for wss://");
  app.add_option("--clients", clients, "number of clients (one connection each)")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--realms", realms, "number of Realms the clients are spread over")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--transactions", transactions, "transactions written by each client")->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--interval-ms", interval_ms, "pause between a client's transactions")->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--payload-bytes", payload_bytes, "size of each transaction's string value")->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--realm-prefix", prefix, "Realm paths are <prefix>-<n>")->capture_default_str();
  app.add_option("--timeout", timeout_s, "seconds to wait for uploads and downloads")->capture_default_str()->check(CLI::PositiveNumber);
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

  client::ClientOptions options;
  options.url = url;
  options.token = token;
  if (!app_id.empty()) options.app_id = app_id;
  options.ca_file = ca_file;
  options.user_agent = "ros-bench-sync";
  options.timeout = std::chrono::seconds(timeout_s);
  options.reconnect_delay = std::chrono::milliseconds(200);

  Ledger ledger;
  std::vector<client::Client> conns;
  std::vector<client::Session> sessions;
  std::vector<int> realm_of;
  std::vector<int> clients_in_realm(static_cast<std::size_t>(realms), 0);
  std::string run_id = std::to_string(std::time(nullptr));
  for (int i = 0; i < clients; ++i) {
    auto c = client::Client::make(options);
    if (!c) {
      std::fprintf(stderr, "ros-bench-sync: %s\n", c.error().message.c_str());
      return 1;
    }
    conns.push_back(std::move(c.value()));
    // Fail fast when the server is not there (the client itself would keep retrying).
    if (auto r = conns.back().connect(); !r) {
      std::fprintf(stderr, "ros-bench-sync: %s\n", r.error().message.c_str());
      return 1;
    }
    int realm = i % realms;
    realm_of.push_back(realm);
    ++clients_in_realm[static_cast<std::size_t>(realm)];
    sessions.push_back(conns.back().bind(prefix + "-" + run_id + "-" + std::to_string(realm)));
    sessions.back().set_download_observer(
        [&ledger](const ros::sync::protocol::DownloadChangeset& e) { ledger.saw(e.changeset); });
  }
  int errors = 0;
  auto report_error = [&](const std::string& what, const ros::Error& e) {
    ++errors;
    std::fprintf(stderr, "ros-bench-sync: %s: %s\n", what.c_str(), e.message.c_str());
  };
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    if (auto r = sessions[i].wait_bound(); !r) report_error("client " + std::to_string(i), r.error());
    (void)sessions[i].write(schema());
  }

  const std::string payload(static_cast<std::size_t>(payload_bytes), 'x');
  auto start = Clock::now();
  std::vector<std::thread> writers;
  for (int i = 0; i < clients; ++i) {
    writers.emplace_back([&, i] {
      for (int t = 0; t < transactions; ++t) {
        std::int64_t key = static_cast<std::int64_t>(i) * 1000000000LL + t;
        ledger.wrote(key);
        if (auto w = sessions[static_cast<std::size_t>(i)].write(transaction(key, payload)); !w) {
          std::fprintf(stderr, "ros-bench-sync: write: %s\n", w.error().message.c_str());
        }
        if (interval_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
      }
    });
  }
  for (auto& w : writers) w.join();
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    if (auto r = sessions[i].wait_uploaded(); !r) report_error("upload of client " + std::to_string(i), r.error());
  }
  auto uploaded = Clock::now();

  // Every write should become visible on every other client of its Realm.
  std::uint64_t expected = 0;
  for (int r = 0; r < realms; ++r) {
    auto n = static_cast<std::uint64_t>(clients_in_realm[static_cast<std::size_t>(r)]);
    expected += n * (n - 1) * static_cast<std::uint64_t>(transactions);
  }
  auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
  while (ledger.seen < expected && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto visible = Clock::now();

  double upload_seconds = std::chrono::duration<double>(uploaded - start).count();
  std::uint64_t total = static_cast<std::uint64_t>(clients) * static_cast<std::uint64_t>(transactions);
  std::vector<double> lat;
  {
    std::lock_guard lock(ledger.m);
    lat = ledger.latencies_ms;
  }
  auto round3 = [](double v) { return static_cast<double>(static_cast<long long>(v * 1000 + 0.5)) / 1000; };
  nlohmann::json out = {
      {"url", url},
      {"clients", clients},
      {"realms", realms},
      {"transactions", total},
      {"upload_seconds", round3(upload_seconds)},
      {"uploads_per_second", round3(upload_seconds > 0 ? static_cast<double>(total) / upload_seconds : 0)},
      {"visible_seconds", round3(std::chrono::duration<double>(visible - start).count())},
      {"write_to_visible_ms",
       {{"samples", lat.size()},
        {"expected", expected},
        {"p50", round3(percentile(lat, 50))},
        {"p90", round3(percentile(lat, 90))},
        {"p99", round3(percentile(lat, 99))},
        {"max", round3(lat.empty() ? 0 : *std::max_element(lat.begin(), lat.end()))}}},
      {"errors", errors},
  };
  std::printf("%s\n", out.dump(2).c_str());
  for (auto& c : conns) c.close();
  return errors == 0 && lat.size() >= expected ? 0 : 1;
}
