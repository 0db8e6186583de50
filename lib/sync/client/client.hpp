// Client: a Realm sync client that behaves on the wire like a realm-core
// 14.x partition-based sync client (protocol.md sections 1-3), for tests,
// benches and scripts. It owns one network thread and one connection, and
// multiplexes the sessions of several Realms on it.
//
// What it promises:
// - The connection: ws:// or wss:// (TLS with the CA file given, the host
//   name checked), request path `/api/client/v2.0/app/<app_id>/realm-sync`
//   when an app id is given, else the URL's path (default `/realm-sync`), the
//   token raw in `?baas_at=`, the 14.x Sec-WebSocket-Protocol list; a 101
//   without `com.mongodb.realm-sync#2..14` is refused. Keep-alive with the
//   protocol's own PING/PONG; a missing PONG drops the connection.
// - Per Realm (Session): BIND (need an identifier when the local file has
//   none), the server's IDENT remembered with its salt, IDENT with the
//   persisted cursors, MARK right after IDENT and no UPLOAD until it is
//   answered (except on a fast reconnect of a session whose uploads were
//   active, 3.13), UPLOADs of local changesets (compressed above 1024 bytes
//   by the codec), DOWNLOADs checked (3.11), merged and applied (LocalRealm),
//   progress-only UPLOADs after each DOWNLOAD that moves the cursor,
//   UNBIND/UNBOUND. Session idents count from 1 per Client and are kept across
//   reconnects and re-binds; MARK request idents continue across them.
// - Errors are values: every ERROR/JSON_ERROR, HTTP refusal, failed handshake,
//   protocol violation and integration failure becomes a SyncError, kept as
//   last_error() of the Client (connection level) or of the Session. A
//   session ERROR is answered with UNBIND, and re-bound after a delay when
//   try_again is set. A protocol violation or a connection ERROR without
//   try_again stops the client (no more reconnects), as in realm-core.
// - Reconnects: when the connection is lost (or drop_connection() is called)
//   the client reconnects after a backoff (reconnect_delay, doubled per
//   failure up to max_reconnect_delay, minus up to 25% jitter) and re-binds
//   every session with the same idents, identifiers, salts and cursors; each
//   session re-sends what the server had not acknowledged and the server
//   skips what it already integrated.
// - Every blocking helper takes a timeout (default options.timeout) and
//   returns an Error instead of waiting longer: unavailable for a timeout or
//   a lost connection, permission_denied for HTTP 401/403 and ERROR 206,
//   conflict for other server errors; the message names what was awaited.
//
// Thread safety: Client and Session may be used from any threads; one mutex
// guards all state. Local state lives in memory only: a Client that is
// destroyed forgets its files.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "sync/changeset/instruction.hpp"
#include "sync/changeset/value_json.hpp"
#include "sync/client/local_realm.hpp"
#include "sync/client/sync_error.hpp"
#include "sync/protocol/messages.hpp"

namespace ros::sync::client {

struct ClientOptions {
  std::string url = "ws://127.0.0.1:27800";  // ws://, wss://, realm://, realms://
  std::string token;                         // access token, sent as baas_at
  // When the upgrade is answered 401 (an expired token; realm-core's
  // RefreshUser): returns a fresh access token, which replaces `token`, and
  // the client reconnects at once; nullopt stops the client (a refused
  // refresh logs the user out in 14.x). Unset: 401 is retried with backoff.
  // Runs on the network thread with the client's lock held: it may block
  // (an HTTP request, see app_user.hpp) but must not call into the Client.
  std::function<std::optional<std::string>()> refresh_token;
  std::optional<std::string> app_id;         // use the App request path
  std::filesystem::path ca_file;             // wss: trusted CAs (empty: system store)
  bool verify_peer = true;                   // wss: check chain and host name
  std::string user_agent = "ros-sync-client";
  std::chrono::milliseconds timeout{15000};          // default for blocking helpers
  std::chrono::milliseconds connect_timeout{15000};  // DNS+TCP+TLS+upgrade
  bool reconnect = true;
  std::chrono::milliseconds reconnect_delay{1000};
  std::chrono::milliseconds max_reconnect_delay{300000};
  std::chrono::milliseconds ping_period{60000};  // first PING after a random share of it
  std::chrono::milliseconds pong_timeout{120000};
  std::chrono::milliseconds fast_reconnect_limit{60000};
  // Called on the network thread with one line per message sent ("> head")
  // and received ("< head"), and per connection event; for debugging. It
  // runs with the client's lock held: it must not call into the Client.
  std::function<void(const std::string&)> trace;
};

struct ClientStats {
  std::uint64_t connects = 0;
  std::uint64_t connect_failures = 0;
  std::uint64_t pings_sent = 0;
  std::uint64_t pongs_received = 0;
  std::uint64_t messages_sent = 0;
  std::uint64_t messages_received = 0;
  int protocol_version = 0;  // negotiated on the current/last connection
};

namespace detail {
struct ClientImpl;
}

// A handle on one Realm's session; cheap to copy; valid while its Client
// lives (calls after that fail with unavailable).
class Session {
 public:
  std::uint64_t ident() const { return ident_; }
  std::string path() const;

  // Applies locally and queues for upload; the new client version.
  Result<std::uint64_t> write(const changeset::Changeset& changeset);
  Result<std::uint64_t> write_bytes(std::string_view bytes);

  // Until the session is bound: IDENT sent and the first DOWNLOAD integrated.
  Result<void> wait_bound(std::optional<std::chrono::milliseconds> timeout = {});
  // Until the server acknowledged every local change made before the call.
  Result<void> wait_uploaded(std::optional<std::chrono::milliseconds> timeout = {});
  // A MARK round trip: until everything the server had when it got the MARK
  // is integrated locally.
  Result<void> wait_downloaded(std::optional<std::chrono::milliseconds> timeout = {});
  // UNBIND and wait for UNBOUND (or the end of the connection).
  Result<void> unbind(std::optional<std::chrono::milliseconds> timeout = {});

  Result<changeset::Json> state_json() const;
  RealmProgress progress() const;
  std::optional<SyncError> last_error() const;

  // Called on the network thread, with the client's lock held, for each
  // changeset of a DOWNLOAD right after the DOWNLOAD was integrated (for
  // benches measuring write-to-visible latency). It must be quick and must
  // not call back into the Client or its Sessions.
  using DownloadObserver = std::function<void(const protocol::DownloadChangeset&)>;
  void set_download_observer(DownloadObserver observer);

  // For tests: close the connection right after the next UPLOAD that carries
  // changesets has been written, before the server can acknowledge it.
  void drop_connection_after_next_upload();

 private:
  friend class Client;
  Session(std::shared_ptr<detail::ClientImpl> client, std::uint64_t ident)
      : client_(std::move(client)), ident_(ident) {}
  std::shared_ptr<detail::ClientImpl> client_;
  std::uint64_t ident_ = 0;
};

class Client {
 public:
  // Checks the options (URL, CA file) and starts the network thread; does
  // not connect yet.
  static Result<Client> make(ClientOptions options);

  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  ~Client();  // close()

  // Connects now (if not connected) and waits for the 101.
  Result<void> connect(std::optional<std::chrono::milliseconds> timeout = {});
  bool connected() const;

  // A new session for `server_path`, with a new, empty local Realm file.
  // BIND goes out as soon as the connection is up (connect() is called
  // implicitly).
  Session bind(const std::string& server_path);

  // Ends the connection at once (plain TCP close, as a killed client would);
  // reconnects later if options.reconnect.
  void drop_connection();

  // Ends everything: no UNBIND, plain TCP close, the thread stops.
  void close();

  std::optional<SyncError> last_error() const;
  ClientStats stats() const;
  const ClientOptions& options() const;

 private:
  explicit Client(std::shared_ptr<detail::ClientImpl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<detail::ClientImpl> impl_;
};

}  // namespace ros::sync::client
