// SyncService: what ros-syncd serves, shared by every connection — the
// token verifier, admin.db for rights, the open Realms (one ServerRealm per
// path, created on first use), the connections, limits and counters — and
// the listener that turns HTTP upgrade requests into Connections
// (protocol.md section 1).
//
// The upgrade (1.1-1.5): a request whose target is not a sync path gets 404;
// one that is not a WebSocket upgrade 400; a bad, expired or refresh token
// 401 (never sync errors 202/203, which crash 14.x clients); no common
// protocol version 400; too many connections 503 (in all, or from one client
// address: sync.max_connections_per_address). Each answer has a text body
// saying why and closes the connection. The 101 carries exactly
// "Sec-WebSocket-Protocol: com.mongodb.realm-sync#<n>". A request from a
// loopback address with X-Forwarded-For (ros-proxy) is logged with the
// client's address.
//
// Resources (issue 14): a Realm without sessions closes its file after
// realm_idle_timeout (a sweep every few seconds asks each); one identity may
// have at most max_realms_per_user Realms bound at once (claim_realm); an
// accept that fails for want of descriptors or memory pauses the acceptor
// (daemon/accept_backoff.hpp) instead of spinning.
//
// Thread safety: every public method may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "admin/store.hpp"
#include "auth/token.hpp"
#include "common/result.hpp"
#include "storage/layout.hpp"
#include "sync/server/server_realm.hpp"
#include "sync/server/stats.hpp"

namespace ros::sync::server {

class Connection;

struct SyncLimits {
  std::uint64_t max_message_bytes = 64 * 1024 * 1024;
  std::uint64_t max_sessions_per_connection = 1000;
  std::uint64_t max_connections = 10000;
  std::uint64_t max_download_bytes = 16 * 1024 * 1024;
  std::chrono::seconds idle_timeout{1800};
  std::chrono::seconds handshake_timeout{30};
  std::uint64_t max_upload_bytes = 32 * 1024 * 1024;
  std::uint64_t max_connection_buffer_bytes = 32 * 1024 * 1024;
  std::uint64_t max_realms_per_user = 100;
  std::chrono::seconds realm_idle_timeout{60};
  std::chrono::seconds bind_timeout{20};
  std::uint64_t unauthenticated_message_bytes = 64 * 1024;
  std::uint64_t max_connections_per_address = 500;
  store::StoreLimits store;  // per upload: instructions, merge work
};

class SyncService {
 public:
  struct Options {
    storage::Layout layout;
    SyncLimits limits;
    const auth::TokenVerifier* verifier = nullptr;  // required
    admin::AdminStore* admin = nullptr;             // may be null: no admin.db rights
    // Called after each commit of a Realm that created versions (ServerRealm's
    // on_commit); may be empty.
    std::function<void(const std::string& path)> on_commit;
  };

  // Network work runs on `io`; Realm strands on `storage`.
  SyncService(boost::asio::io_context& io, boost::asio::any_io_executor storage, Options options);
  ~SyncService();

  // Starts accepting on address:port (port 0: any free port).
  Result<void> listen(const std::string& address, std::uint16_t port);
  std::uint16_t port() const { return port_; }

  // Stops accepting and closes every connection.
  void stop();

  // --- for connections

  const SyncLimits& limits() const { return options_.limits; }
  const auth::TokenVerifier& verifier() const { return *options_.verifier; }
  Stats& stats() { return stats_; }

  // Whether admin.db still lets `claims` act (rights.hpp, check_token):
  // permission_denied with the reason when not.
  Result<void> check_token(const auth::TokenClaims& claims);

  // The rights of `claims` on `realm_path` (rights.hpp).
  Result<admin::Rights> rights(const auth::TokenClaims& claims, std::string_view realm_path);

  // The ServerRealm of a resolved path, created on first use.
  Result<std::shared_ptr<ServerRealm>> realm(const std::string& resolved_path);

  void add_connection(const std::shared_ptr<Connection>& connection);
  void remove_connection(const Connection* connection);

  // Counts a session of `identity` on `resolved_path` against
  // max_realms_per_user (sessions on one path count once) until the
  // returned handle is dropped. Error: unavailable, naming the limit.
  Result<std::shared_ptr<void>> claim_realm(const std::string& identity,
                                            const std::string& resolved_path);

  // Counts a connection from `address` until the handle is dropped; null
  // when max_connections_per_address are open from it.
  std::shared_ptr<void> claim_address(const std::string& address);

  // --- for control ops and the permission feed

  // Re-decides rights of the sessions of `identity` (all when nullopt) on
  // `realm_path` (every open Realm when nullopt).
  void recheck(std::optional<std::string> identity, std::optional<std::string> realm_path);

  // The open Realms' sessions, and how many are bound per path.
  std::vector<nlohmann::json> sessions();
  std::map<std::string, std::int64_t> sessions_per_realm();

  // The open ServerRealm of a path, if any (no file is created).
  std::shared_ptr<ServerRealm> open_realm(const std::string& resolved_path);

  // Ends a Realm's sessions, closes it and forgets it (realm.rm).
  void close_realm(const std::string& resolved_path, const std::string& reason);

  // The same without blocking the caller (control ops run on network
  // threads): `done` runs on a Realm strand once every Realm answered.
  void sessions_async(std::function<void(std::vector<nlohmann::json>)> done);
  void close_realm_async(const std::string& resolved_path, const std::string& reason,
                         std::function<void()> done);

  const storage::Layout& layout() const { return options_.layout; }

 private:
  void accept_next();
  void sweep_idle_realms();

  boost::asio::io_context& io_;
  boost::asio::any_io_executor storage_;
  const Options options_;
  Stats stats_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_pause_;  // on the acceptor's strand
  std::chrono::steady_clock::time_point accept_warned_{};  // acceptor's strand
  boost::asio::steady_timer sweep_timer_;
  std::uint16_t port_ = 0;

  std::mutex mutex_;
  // Guarded by mutex_:
  std::map<std::string, std::shared_ptr<ServerRealm>> realms_;
  std::map<const Connection*, std::weak_ptr<Connection>> connections_;
  bool stopped_ = false;

  // What claim_realm() and claim_address() count; shared with the handles,
  // which may outlive the service in a handler the io_context still holds.
  struct Claims {
    std::mutex mutex;
    // Guarded by mutex:
    std::map<std::string, std::map<std::string, std::uint64_t>> realms_per_user;
    std::map<std::string, std::uint64_t> connections_per_address;
  };
  const std::shared_ptr<Claims> claims_ = std::make_shared<Claims>();
};

}  // namespace ros::sync::server
