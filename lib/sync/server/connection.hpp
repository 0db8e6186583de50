// Connection: one client's WebSocket connection after the upgrade, carrying
// any number of sessions (protocol.md 1.9), each bound to one Realm.
//
// It owns the protocol's per-connection state machine (3.1, 3.2): it parses
// every message (codec.hpp), answers PING at once, checks message order per
// session ident and answers violations with the connection-level ERROR the
// reference uses (103, 106-109; never 104), then half-closes; it decides BIND
// (path 204, rights 206 via rights.hpp) and hands IDENT, UPLOAD, MARK and
// UNBIND to the session's ServerRealm. What the Realms send back arrives
// through SessionSink and is written in order, one protocol message per
// binary WebSocket message, PONGs ahead of queued messages.
//
// Limits: a message above max_message_bytes and one BIND beyond
// max_sessions_per_connection end the connection with ERROR 103. Nothing a
// client sends can stop the daemon: every failure ends this connection only.
// Until a token was verified (the upgrade's or a BIND's), a message above
// unauthenticated_message_bytes ends the connection with 103, and a
// connection without a BIND after bind_timeout is closed.
//
// Backpressure (issue 14): a session's next DOWNLOAD is asked from its Realm
// (download_written) only after the previous one was written, and only while
// fewer than max_connection_buffer_bytes wait to be written; a first DOWNLOAD
// (at IDENT) waits as well while those bytes plus one max_download_bytes per
// first DOWNLOAD still to come would pass the bound. A client that does not
// read so holds about max_connection_buffer_bytes plus one DOWNLOAD per
// session; at four times the bound the connection is closed.
//
// Thread safety: everything runs on the connection's strand (the executor of
// its socket); SessionSink calls may come from any thread and are posted.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "auth/token.hpp"
#include "sync/server/server_realm.hpp"
#include "sync/server/session_sink.hpp"

namespace ros::sync::server {

class SyncService;

class Connection : public SessionSink, public std::enable_shared_from_this<Connection> {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  // `claims`: the token of the upgrade request, if it had one (otherwise
  // every BIND must carry its own). `protocol_version`: the negotiated one.
  Connection(SyncService& service, boost::beast::tcp_stream stream, std::string peer,
             std::optional<auth::TokenClaims> claims, int protocol_version);
  ~Connection() override;

  // Completes the upgrade (101 with `protocol_header`) and starts reading.
  void start(Request request, std::string protocol_header);

  // Closes the connection at once (daemon stopping).
  void close();

  // Keeps `claim` (the count of its client address) until the connection ends.
  void hold(std::shared_ptr<void> claim) { address_claim_ = std::move(claim); }

  // SessionSink
  void deliver(std::uint64_t session_ident, std::uint64_t binding,
               protocol::ServerMessage message) override;
  void fail_session(std::uint64_t session_ident, std::uint64_t binding,
                    protocol::ProtocolError code, std::string message, bool try_again) override;
  void close_as_zombie() override;
  const std::string& peer() const override { return peer_; }

 private:
  enum class State { allocating, wait_for_ident, bound, errored };
  struct Session {
    State state = State::wait_for_ident;
    std::uint64_t binding = 0;
    std::shared_ptr<ServerRealm> realm;
    SessionAccess access;
    std::uint64_t client_file_ident = 0;  // from the client's IDENT
    std::shared_ptr<void> realm_claim;    // counts for sync.max_realms_per_user
    bool first_download_due = false;      // leave given for the first DOWNLOAD, not yet here
    bool got_download = false;            // a DOWNLOAD of this session was queued
  };
  // A queued message; DOWNLOADs name their session, to ask for the next.
  struct Out {
    std::string bytes;
    std::uint64_t session_ident = 0;  // 0: not a DOWNLOAD
    std::uint64_t binding = 0;
  };

  void read_next();
  void on_message();
  void handle(protocol::Bind& m);
  void handle(protocol::ClientIdent& m);
  void handle(protocol::Upload& m);
  void handle(protocol::ClientMark& m);
  void handle(protocol::Unbind& m);
  void handle(protocol::Ping& m);
  void handle(protocol::ClientJsonError& m);

  SessionKey key(std::uint64_t session_ident, const Session& session);
  // Looks the session up for a message other than BIND; answers 106 or 109
  // and returns null when the message may not come now; null without an
  // answer for a session in the error state (ignored, 3.2).
  Session* session_for(std::uint64_t session_ident, const char* what);
  void send_session_error(std::uint64_t session_ident, Session& session,
                          protocol::ProtocolError code, const std::string& message,
                          bool try_again);
  void fail_connection(protocol::ProtocolError code, const std::string& message);
  void send(const protocol::ServerMessage& message, bool urgent = false,
            std::uint64_t download_session = 0, std::uint64_t download_binding = 0);
  // Room for another DOWNLOAD: below the buffer bound, counting the first
  // DOWNLOADs still to come.
  bool has_room() const;
  // Gives the waiting sessions leave for their next DOWNLOAD while there is room.
  void release_waiting();
  void forget_first_download(Session& session);
  void on_bind_deadline();
  // Closes the connection with 4001 when the upgrade's token expires.
  void watch_token_expiry();
  void on_token_expired();
  void close_expired();
  void write_next();
  void shutdown_after_error();
  void finish();

  SyncService& service_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  const std::string peer_;
  const std::optional<auth::TokenClaims> claims_;
  const int protocol_version_;

  // Strand only:
  std::array<char, 64 * 1024> chunk_{};
  std::string message_;  // the message being read, frame by frame
  std::map<std::uint64_t, Session> sessions_;
  std::uint64_t next_binding_ = 1;
  std::deque<Out> outbox_;
  std::uint64_t queued_bytes_ = 0;     // bytes in outbox_
  std::uint64_t first_downloads_due_ = 0;  // sessions with first_download_due
  // Sessions (ident, binding) whose next DOWNLOAD waits for room.
  std::deque<std::pair<std::uint64_t, std::uint64_t>> waiting_;
  bool authenticated_ = false;  // a token was verified
  bool bound_once_ = false;     // a BIND arrived
  bool writing_ = false;
  bool failed_ = false;    // a connection-level ERROR was queued: read and discard
  bool finished_ = false;  // sessions detached, counted out
  boost::asio::steady_timer linger_timer_;
  boost::asio::steady_timer bind_timer_;
  boost::asio::steady_timer expiry_timer_;  // the upgrade token's expiry
  bool expired_ = false;  // the token expired: closing with 4001, nothing more is sent
  bool close_sent_ = false;
  std::shared_ptr<void> address_claim_;
};

}  // namespace ros::sync::server
