// SyncService: what ros-syncd serves, shared by every connection — the
// token verifier, admin.db for rights, the open Realms (one ServerRealm per
// path, created on first use), the connections, limits and counters — and
// the listener that turns HTTP upgrade requests into Connections
// (protocol.md section 1).
//
// The upgrade (1.1-1.5): a request whose target is not a sync path gets 404;
// one that is not a WebSocket upgrade 400; a bad, expired or refresh token
// 401 (never sync errors 202/203, which crash 14.x clients); no common
// protocol version 400; too many connections 503. Each answer has a text body
// saying why and closes the connection. The 101 carries exactly
// "Sec-WebSocket-Protocol: com.mongodb.realm-sync#<n>". A request from a
// loopback address with X-Forwarded-For (ros-proxy) is logged with the
// client's address.
//
// Thread safety: every public method may be called from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
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
};

class SyncService {
 public:
  struct Options {
    storage::Layout layout;
    SyncLimits limits;
    const auth::TokenVerifier* verifier = nullptr;  // required
    admin::AdminStore* admin = nullptr;             // may be null: no admin.db rights
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

  // The rights of `claims` on `realm_path` (rights.hpp).
  Result<admin::Rights> rights(const auth::TokenClaims& claims, std::string_view realm_path);

  // The ServerRealm of a resolved path, created on first use.
  Result<std::shared_ptr<ServerRealm>> realm(const std::string& resolved_path);

  void add_connection(const std::shared_ptr<Connection>& connection);
  void remove_connection(const Connection* connection);

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

  const storage::Layout& layout() const { return options_.layout; }

 private:
  void accept_next();

  boost::asio::io_context& io_;
  boost::asio::any_io_executor storage_;
  const Options options_;
  Stats stats_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;

  std::mutex mutex_;
  // Guarded by mutex_:
  std::map<std::string, std::shared_ptr<ServerRealm>> realms_;
  std::map<const Connection*, std::weak_ptr<Connection>> connections_;
  bool stopped_ = false;
};

}  // namespace ros::sync::server
