#include "simulation.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>

#include "sync/changeset/applier.hpp"
#include "sync/changeset/changeset_json.hpp"
#include "sync/changeset/memory_state.hpp"
#include "sync/changeset/parser.hpp"
#include "sync/changeset/state_json.hpp"
#include "sync/client/local_realm.hpp"
#include "sync/random_changes.hpp"
#include "sync/server/download_builder.hpp"
#include "sync/server/session_cursors.hpp"
#include "sync/store/realm_store.hpp"

namespace ros::sync::simulation {
namespace {

using Json = changeset::Json;
using test::item_objects;
using test::random_item_change;
using test::random_item_schema;

// A failure of the simulated system (not of the simulation itself).
struct Failed {
  std::string what;
};

template <class T>
T must(Result<T> r, const std::string& what) {
  if (!r) throw Failed{what + ": " + r.error().message};
  return std::move(r.value());
}
void must(Result<void> r, const std::string& what) {
  if (!r) throw Failed{what + ": " + r.error().message};
}

// A changeset's instructions in one line of JSON.
std::string show(std::string_view bytes) {
  auto parsed = changeset::parse(bytes);
  if (!parsed) return "<unparsable: " + parsed.error().message + ">";
  return changeset::to_json(parsed->changeset)["instructions"].dump();
}

// One client: its LocalRealm, and what the server keeps of its session.
struct Client {
  explicit Client(std::string path) : realm(std::move(path)) {}
  client::LocalRealm realm;
  store::ClientFile file;
  std::uint64_t session = 0;
  bool bound = false;  // the server has a session for it
  // The server's session state (ServerRealm::Session's cursors).
  server::SessionCursors cursors;
  // Messages in flight.
  std::deque<protocol::Upload> to_server;
  std::deque<protocol::Download> to_client;
};

class Sim {
 public:
  Sim(std::uint64_t seed, const Options& options, const std::filesystem::path& file)
      : rng_(seed), options_(options), file_(file) {
    states_.push_back(replayed_);
  }

  Outcome run() {
    Outcome out;
    try {
      setup();
      for (int step = 0; step < options_.steps; ++step) this->step();
      quiesce();
      final_check();
    } catch (const Failed& f) {
      out.ok = false;
      out.failure = f.what;
    }
    out.trace = std::move(trace_);
    return out;
  }

 private:
  // Tracing costs more than the rest of a step: a seed runs without it
  // and, when it fails, again with it (the run is deterministic).
  bool tracing() const { return options_.trace; }
  void log(std::string line) { trace_.push_back(std::move(line)); }
  std::string name(std::size_t k) const { return "c" + std::to_string(k); }

  void setup() {
    store_ = must(store::RealmStore::open(file_), "open the store");
    // Durability is not under test here; fsyncs would make seeds slow.
    sqlite3_exec(store_->test_db(), "PRAGMA synchronous=OFF", nullptr, nullptr, nullptr);
    for (int i = 0; i < options_.clients; ++i) {
      auto c = std::make_unique<Client>("/sim");
      c->file = must(store_->allocate_client_file(), "allocate a client file");
      // Origin timestamps decide ties in the merge: simulated time, so
      // that a seed is one history (and changes may share a millisecond).
      c->realm.set_clock([this] { return now_; });
      must(c->realm.set_ident(c->file.ident, static_cast<std::int64_t>(c->file.salt)), "set_ident");
      c->session = static_cast<std::uint64_t>(i) + 1;
      clients_.push_back(std::move(c));
      bind(clients_.size() - 1);
    }
    if (tracing())
      log("setup: " + std::to_string(options_.clients) + " clients, eager uploads " +
          (options_.eager_uploads ? "on" : "off") + ", reconnects " +
          (options_.reconnects ? "on" : "off") + ", DOWNLOADs split at " +
          std::to_string(options_.max_download_bytes) + " bytes");
    write(0, random_item_schema());
    for (int i = 0; i < 3; ++i) write(0, random_item_change(rng_, state_of(0), options_.objects));
    quiesce();
  }

  // IDENT of a (new) session: ServerRealm::ident.
  void bind(std::size_t k) {
    Client& c = *clients_[k];
    flush_pending_of(c.file.ident);
    c.bound = true;
    auto ident = c.realm.ident_message(c.session);
    auto record = must(store_->check_ident(server::SessionCursors::ident_request(ident)),
                       name(k) + " IDENT");
    c.cursors = server::SessionCursors::bound(ident, record);
    c.realm.start_session();
    pump(k, true);
  }

  Json state_of(std::size_t k) { return must(clients_[k]->realm.state_json(), name(k) + " state"); }

  void write(std::size_t k, const Json& change) {
    auto cs = must(changeset::from_json(change), "changeset from JSON");
    auto version = must(clients_[k]->realm.write(cs), name(k) + " write " + change.dump());
    if (tracing())
      log(name(k) + " write cv " + std::to_string(version) + " (base sv " +
          std::to_string(clients_[k]->realm.progress().download.server_version) +
          "): " + change["instructions"].dump());
    if (options_.eager_uploads) send_uploads(k);
  }

  void send_uploads(std::size_t k) {
    Client& c = *clients_[k];
    while (auto up = c.realm.next_upload(c.session)) {
      if (tracing()) {
        std::ostringstream line;
        line << name(k) << " > upload progress (" << up->progress_client_version << ", "
             << up->progress_server_version << ") locked " << up->locked_server_version;
        for (const auto& e : up->changesets) {
          line << " [cv " << e.client_version << " base " << e.last_integrated_server_version
               << "]";
        }
        log(line.str());
      }
      c.to_server.push_back(std::move(*up));
    }
  }

  // ServerRealm::upload: checks, threshold filter, queueing.
  void server_receive(std::size_t k) {
    Client& c = *clients_[k];
    protocol::Upload up = std::move(c.to_server.front());
    c.to_server.pop_front();
    const std::size_t sent = up.changesets.size();
    auto outcome = c.cursors.accept_upload(std::move(up));
    if (outcome.violation) {
      throw Failed{name(k) + " UPLOAD refused: " + outcome.violation->message};
    }
    if (tracing())
      log("server < " + name(k) + " upload, " + std::to_string(sent) + " changesets" +
          (outcome.to_integrate ? ", queued " + std::to_string(outcome.to_integrate->entries.size())
                                : ", dropped"));
    if (!outcome.to_integrate) return;
    pending_.push_back(std::move(*outcome.to_integrate));
  }

  void flush_pending_of(std::uint64_t ident) {
    if (std::any_of(pending_.begin(), pending_.end(),
                    [&](const store::Upload& u) { return u.client_file_ident == ident; })) {
      integrate_pending();
    }
  }

  // ServerRealm::integrate_pending: one group, then DOWNLOADs to everyone.
  void integrate_pending() {
    if (pending_.empty()) return;
    auto batch = std::move(pending_);
    pending_.clear();
    // As ServerRealm: client by client, in ascending file identifier order.
    std::stable_sort(batch.begin(), batch.end(),
                     [](const store::Upload& a, const store::Upload& b) {
                       return a.client_file_ident < b.client_file_ident;
                     });
    auto results = must(store_->integrate_group(batch), "integrate_group");
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (!results[i]) {
        throw Failed{"the server refused an upload of client file " +
                     std::to_string(batch[i].client_file_ident) + ": " +
                     results[i].error().message};
      }
      if (!tracing()) continue;
      std::ostringstream line;
      line << "server integrates file " << batch[i].client_file_ident << " progress ("
           << batch[i].progress_client_version << ", " << batch[i].progress_server_version << ")";
      for (std::size_t e = 0; e < batch[i].entries.size(); ++e) {
        line << " [cv " << batch[i].entries[e].client_version << " base "
             << batch[i].entries[e].last_integrated_server_version << "]";
      }
      line << " -> versions";
      for (auto v : results[i]->versions) line << " " << v;
      if (tracing()) log(line.str());
    }
    replay_history();
    for (std::size_t k = 0; k < clients_.size(); ++k) pump(k, false);
  }

  // Keeps states_[v] = the server's state at version v, by replaying the
  // history into a MemoryState (copies are cheap at these sizes; JSON is
  // made only when compared).
  void replay_history() {
    auto entries = must(store_->history_since(states_.size() - 1, UINT64_MAX), "history_since");
    for (const auto& e : entries) {
      auto parsed = changeset::parse(e.changeset);
      if (!parsed) throw Failed{"history entry " + std::to_string(e.version) + " does not parse"};
      must(changeset::apply(replayed_, parsed->changeset),
           "history entry " + std::to_string(e.version) + " does not replay");
      states_.push_back(replayed_);
      if (tracing())
        log("  sv " + std::to_string(e.version) + " from file " +
            std::to_string(e.origin_file_ident) + " cv " + std::to_string(e.client_version) +
            " base " + std::to_string(e.base_server_version) + ": " + show(e.changeset));
    }
  }

  Json server_state_at(std::uint64_t version) {
    return must(changeset::state_to_json(states_.at(version)), "replayed state");
  }

  // ServerRealm::pump, through the server's own DOWNLOAD builder.
  void pump(std::size_t k, bool first) {
    Client& c = *clients_[k];
    if (!c.bound) return;
    auto latest = must(store_->latest(), "latest");
    auto record = must(store_->client_file(c.file.ident, c.file.salt), "client_file");
    while (first || c.cursors.download_server_version < latest.version) {
      server::DownloadRequest request;
      request.session_ident = c.session;
      request.download_server_version = c.cursors.download_server_version;
      request.download_client_version = c.cursors.download_client_version;
      request.latest = latest;
      request.record = record;
      request.max_bytes = options_.max_download_bytes;
      auto download = must(server::build_download(*store_, request), "build_download");
      c.cursors.download_server_version = download.download_server_version;
      c.cursors.download_client_version = download.download_client_version;
      first = false;
      c.to_client.push_back(std::move(download));
    }
  }

  void client_receive(std::size_t k) {
    Client& c = *clients_[k];
    protocol::Download d = std::move(c.to_client.front());
    c.to_client.pop_front();
    if (tracing()) {
      std::ostringstream line;
      line << name(k) << " < download (" << d.download_server_version << ", "
           << d.download_client_version << ") upload (" << d.upload_client_version << ", "
           << d.upload_server_version << ")";
      for (const auto& e : d.changesets) {
        line << "\n    sv " << e.server_version << " c " << e.last_integrated_client_version
             << " from " << e.origin_file_ident << ": " << show(e.changeset);
      }
      log(line.str());
    }
    if (auto failed = c.realm.integrate(d)) {
      throw Failed{name(k) + " cannot integrate the DOWNLOAD up to server version " +
                   std::to_string(d.download_server_version) + ": " + failed->message};
    }
    if (c.realm.progress().pending_local == 0) {
      const auto expected = server_state_at(d.download_server_version);
      auto state = state_of(k);
      if (state != expected) {
        throw Failed{name(k) +
                     " has no local change left after the DOWNLOAD up to server version " +
                     std::to_string(d.download_server_version) +
                     " but its state differs from the server's there:\nclient: " + state.dump() +
                     "\nserver: " + expected.dump()};
      }
    }
    if (options_.eager_uploads) send_uploads(k);
  }

  // The state is read, a DOWNLOAD comes in, then the change made for the
  // older state is written, as a program that reads and writes in two
  // transactions does. The client may refuse it (then nothing happened);
  // what it accepts must be a valid change of the newer state.
  void stale_write(std::size_t k) {
    Client& c = *clients_[k];
    const Json change = random_item_change(rng_, state_of(k), options_.objects);
    client_receive(k);
    auto cs = must(changeset::from_json(change), "changeset from JSON");
    if (auto written = c.realm.write(cs); !written) {
      if (tracing())
        log(name(k) + " stale write refused (" + written.error().message +
            "): " + change["instructions"].dump());
      return;
    }
    if (tracing())
      log(name(k) + " stale write cv " + std::to_string(c.realm.progress().client_version) + ": " +
          change["instructions"].dump());
    if (options_.eager_uploads) send_uploads(k);
  }

  void step() {
    now_ += rng_() % 3;
    const std::size_t k = rng_() % clients_.size();
    Client& c = *clients_[k];
    const int roll = static_cast<int>(rng_() % 100);
    if (options_.reconnects && roll < 2) {
      reconnect(k);
    } else if (options_.stale_writes && roll < 17 && !c.to_client.empty()) {
      stale_write(k);
    } else if (roll < 25) {
      write(k, random_item_change(rng_, state_of(k), options_.objects));
    } else if (roll < 35) {
      send_uploads(k);
    } else if (roll < 60) {
      if (!c.to_server.empty()) server_receive(k);
    } else if (roll < 72) {
      integrate_pending();
    } else {
      if (!c.to_client.empty()) client_receive(k);
    }
  }

  // The connection drops: what is in flight is lost both ways; the uploads
  // the server has received stay queued (ServerRealm integrates them
  // anyway). Then a new session binds.
  void reconnect(std::size_t k) {
    Client& c = *clients_[k];
    if (tracing())
      log(name(k) + " reconnects, losing " + std::to_string(c.to_server.size()) + " UPLOADs and " +
          std::to_string(c.to_client.size()) + " DOWNLOADs in flight");
    c.to_server.clear();
    c.to_client.clear();
    c.bound = false;  // the server detaches the old session
    c.session = ++next_session_;
    bind(k);
    if (options_.eager_uploads) send_uploads(k);
  }

  // Delivers everything, in rounds, until nothing moves.
  void quiesce() {
    for (int round = 0; round < 100; ++round) {
      bool moved = false;
      for (std::size_t k = 0; k < clients_.size(); ++k) send_uploads(k);
      for (std::size_t k = 0; k < clients_.size(); ++k) {
        while (!clients_[k]->to_server.empty()) {
          server_receive(k);
          moved = true;
        }
      }
      if (!pending_.empty()) {
        integrate_pending();
        moved = true;
      }
      for (std::size_t k = 0; k < clients_.size(); ++k) {
        while (!clients_[k]->to_client.empty()) {
          client_receive(k);
          moved = true;
        }
      }
      if (!moved) return;
    }
    throw Failed{"the messages never settled"};
  }

  void final_check() {
    auto server = must(changeset::state_to_json(store_->state()), "store state");
    if (auto replayed = server_state_at(states_.size() - 1); server != replayed) {
      throw Failed{"the store's state differs from its history replayed:\nstore:    " +
                   server.dump() + "\nreplayed: " + replayed.dump()};
    }
    for (std::size_t k = 0; k < clients_.size(); ++k) {
      if (clients_[k]->realm.progress().pending_local != 0) {
        throw Failed{name(k) + " still has local changes after everything was delivered"};
      }
      auto state = state_of(k);
      if (state != server) {
        throw Failed{name(k) + " diverged from the server:\nclient: " + state.dump() +
                     "\nserver: " + server.dump()};
      }
    }
    if (tracing()) log("converged at server version " + std::to_string(states_.size() - 1));
  }

  std::mt19937_64 rng_;
  Options options_;
  std::filesystem::path file_;
  std::unique_ptr<store::RealmStore> store_;
  std::vector<std::unique_ptr<Client>> clients_;
  std::vector<store::Upload> pending_;
  changeset::MemoryState replayed_;
  std::vector<changeset::MemoryState> states_;  // [v]: the server's state at version v
  std::uint64_t next_session_ = 1000;
  std::uint64_t now_ = 360'000'000'000;  // ms since 2015-01-01, simulated
  std::vector<std::string> trace_;
};

}  // namespace

Outcome run(std::uint64_t seed, const Options& options, const std::filesystem::path& file) {
  Sim sim(seed, options, file);
  return sim.run();
}

}  // namespace ros::sync::simulation
