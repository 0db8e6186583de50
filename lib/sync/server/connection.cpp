#include "sync/server/connection.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "log/logger.hpp"
#include "sync/protocol/codec.hpp"
#include "sync/protocol/json_bodies.hpp"
#include "sync/server/bind_path.hpp"
#include "sync/server/sync_service.hpp"
#include "sync/server/upgrade.hpp"

namespace ros::sync::server {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using protocol::ProtocolError;

namespace {

// How long a connection that got a connection-level ERROR waits for the
// client to close before closing itself (the reference waits up to 10 min).
constexpr std::chrono::seconds kLingerAfterError{10};

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Connection::Connection(SyncService& service, beast::tcp_stream stream, std::string peer,
                       std::optional<auth::TokenClaims> claims, int protocol_version)
    : service_(service),
      ws_(std::move(stream)),
      peer_(std::move(peer)),
      claims_(std::move(claims)),
      protocol_version_(protocol_version),
      linger_timer_(ws_.get_executor()),
      bind_timer_(ws_.get_executor()),
      expiry_timer_(ws_.get_executor()) {
  authenticated_ = claims_.has_value();
  ++service_.stats().connections;
  ++service_.stats().connections_total;
}

Connection::~Connection() { --service_.stats().connections; }

void Connection::start(Request request, std::string protocol_header) {
  beast::get_lowest_layer(ws_).expires_never();
  websocket::stream_base::timeout timeouts;
  timeouts.handshake_timeout = service_.limits().handshake_timeout;
  timeouts.idle_timeout = service_.limits().idle_timeout;
  // Realm clients never answer WebSocket pings (protocol.md 1.6): the
  // idle timeout alone closes a silent connection.
  timeouts.keep_alive_pings = false;
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator(
      [protocol_header](websocket::response_type& response) {
        response.set(beast::http::field::server, "ros-syncd/" ROS_VERSION);
        response.set(beast::http::field::sec_websocket_protocol, protocol_header);
      }));
  // 0 = no limit in Beast: the limit is ours (read_next), because Beast
  // would answer an oversize message with close code 1009, which makes SDKs
  // reset their Realm.
  ws_.read_message_max(0);
  ws_.auto_fragment(false);
  ws_.binary(true);
  ws_.async_accept(request, [self = shared_from_this()](beast::error_code ec) {
    if (ec) {
      log::debug("WebSocket handshake with ", self->peer_, " failed: ", ec.message());
      self->finish();
      return;
    }
    log::debug("sync connection from ", self->peer_, " (protocol ", self->protocol_version_,
               ")");
    if (self->protocol_version_ >= 10) {
      // As the reference: the first message of every connection (2.4).
      self->send(protocol::make_log_message(0, protocol::LogLevel::info,
                                            "Client connection established with server",
                                            "ros-syncd"));
    }
    // A connection is for sessions: one without a BIND soon holds a slot
    // for nothing (an unauthenticated one could otherwise stay for the
    // whole idle timeout).
    self->bind_timer_.expires_after(self->service_.limits().bind_timeout);
    self->bind_timer_.async_wait([self](beast::error_code ec) {
      if (!ec) self->on_bind_deadline();
    });
    self->watch_token_expiry();
    self->read_next();
  });
}

void Connection::watch_token_expiry() {
  if (!claims_ || !claims_->expires) return;
  // Clients keep a connected session's token (app-services.md 2.3): only the
  // server can act on its expiry. Past a few years a timer would overflow;
  // such a token outlives any connection anyway.
  const std::int64_t left = std::max<std::int64_t>(0, *claims_->expires - unix_now() + 1);
  if (left > 10LL * 365 * 24 * 3600) return;
  expiry_timer_.expires_after(std::chrono::seconds(left));
  expiry_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->on_token_expired();
  });
}

void Connection::on_token_expired() {
  if (finished_ || expired_) return;
  expired_ = true;
  log::info("sync connection from ", peer_, " closed: its access token expired (close 4001)");
  // What is queued is for a client whose right to it has ended.
  while (outbox_.size() > (writing_ ? 1 : 0)) {
    queued_bytes_ -= outbox_.back().bytes.size();
    outbox_.pop_back();
  }
  if (!writing_) close_expired();  // else write_next() does, after the write in flight
}

void Connection::close_expired() {
  if (close_sent_) return;
  close_sent_ = true;
  // 4001: the close code on which the SDK refreshes its access token and
  // reconnects at once (app-services.md 2.3).
  const websocket::close_reason reason(static_cast<websocket::close_code>(4001),
                                       "access token expired");
  ws_.async_close(reason, [self = shared_from_this()](beast::error_code) { self->finish(); });
}

void Connection::on_bind_deadline() {
  if (bound_once_ || finished_) return;
  log::info("sync connection from ", peer_, " closed: no BIND within ",
            service_.limits().bind_timeout.count(), " s (sync.bind_timeout)");
  close();
}

void Connection::read_next() {
  ws_.async_read_some(
      net::buffer(chunk_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
        if (ec) {
          if (ec != websocket::error::closed && ec != net::error::eof &&
              ec != net::error::operation_aborted) {
            log::debug("sync connection from ", self->peer_, " ended: ", ec.message());
          }
          self->finish();
          return;
        }
        if (self->failed_) {  // discarding after a connection-level ERROR
          self->message_.clear();
          self->read_next();
          return;
        }
        self->service_.stats().bytes_in += n;
        const auto& limits = self->service_.limits();
        // Before a valid token only a BIND (path and token: a few KiB) has
        // any business here.
        const std::uint64_t limit =
            self->authenticated_ ? limits.max_message_bytes
                                 : std::min(limits.max_message_bytes,
                                            limits.unauthenticated_message_bytes);
        if (self->message_.size() + n > limit) {
          self->message_.clear();
          self->fail_connection(
              ProtocolError::bad_syntax,
              "message larger than the server's limit of " + std::to_string(limit) + " bytes" +
                  (self->authenticated_ ? std::string()
                                        : " before a valid token (sync.unauthenticated_message_bytes)"));
          self->read_next();
          return;
        }
        self->message_.append(self->chunk_.data(), n);
        if (self->ws_.is_message_done()) self->on_message();
        if (!self->finished_) self->read_next();
      });
}

void Connection::on_message() {
  std::string bytes = std::move(message_);
  message_.clear();
  ++service_.stats().messages_in;
  if (expired_) return;  // closing with 4001: the token no longer speaks for anyone
  if (ws_.got_text()) {
    fail_connection(ProtocolError::bad_syntax, "text WebSocket messages are not part of the protocol");
    return;
  }
  protocol::ParseLimits limits;
  // The inflated changesets of one UPLOAD (what the Realm will parse), and
  // a message after decompression: both bounds hold.
  const auto& bounds = service_.limits();
  limits.max_decompressed_body_size = std::min(bounds.max_message_bytes, bounds.max_upload_bytes);
  if (!authenticated_) {
    limits.max_decompressed_body_size =
        std::min<std::uint64_t>(limits.max_decompressed_body_size,
                                bounds.unauthenticated_message_bytes);
  }
  try {
    auto parsed = protocol::parse_client_message(bytes, limits);
    if (!parsed) {
      std::string message = parsed.error().message;
      if (message.find("'uncompressed_body_size'") != std::string::npos &&
          message.find("is above the limit") != std::string::npos) {
        message += " (sync.max_upload_bytes, sync.max_message_bytes)";
      }
      fail_connection(parsed.error().code, message);
      return;
    }
    std::visit([this](auto& m) { handle(m); }, parsed.value());
  } catch (const std::bad_alloc&) {
    // Bad input from the network ends this connection, never the daemon.
    fail_connection(ProtocolError::other_error, "the server ran out of memory for this message");
  }
}

SessionKey Connection::key(std::uint64_t session_ident, const Session& session) {
  SessionKey k;
  k.sink = std::weak_ptr<SessionSink>(shared_from_this());
  k.connection = this;
  k.session_ident = session_ident;
  k.binding = session.binding;
  return k;
}

Connection::Session* Connection::session_for(std::uint64_t session_ident, const char* what) {
  auto it = sessions_.find(session_ident);
  if (it == sessions_.end()) {
    fail_connection(ProtocolError::bad_session_ident,
                    std::string(what) + " for session " + std::to_string(session_ident) +
                        ", which is not bound");
    return nullptr;
  }
  if (it->second.state == State::errored) return nullptr;  // ignored after an ERROR
  return &it->second;
}

void Connection::handle(protocol::Bind& m) {
  if (!bound_once_) {
    bound_once_ = true;
    bind_timer_.cancel();
  }
  if (m.session_ident == 0) {
    fail_connection(ProtocolError::bad_session_ident, "session ident 0 is not allowed");
    return;
  }
  if (sessions_.count(m.session_ident) != 0) {
    fail_connection(ProtocolError::reuse_of_session_ident,
                    "BIND for session " + std::to_string(m.session_ident) +
                        ", which is already in use on this connection");
    return;
  }
  if (sessions_.size() >= service_.limits().max_sessions_per_connection) {
    fail_connection(ProtocolError::bad_syntax,
                    "too many sessions on one connection (the limit is " +
                        std::to_string(service_.limits().max_sessions_per_connection) + ")");
    return;
  }
  Session& session = sessions_[m.session_ident];
  session.binding = next_binding_++;
  session.state = State::wait_for_ident;

  // The token: the upgrade's, else BIND's own (very old clients).
  std::optional<auth::TokenClaims> claims = claims_;
  if (!m.signed_user_token.empty()) {
    auto verified = authorize_upgrade(service_.verifier(), m.signed_user_token, unix_now());
    if (!verified) {
      send_session_error(m.session_ident, session, ProtocolError::permission_denied,
                         "bad access token: " + verified.error().message, false);
      return;
    }
    claims = std::move(*verified);
    authenticated_ = true;
  }
  if (!claims) {
    send_session_error(m.session_ident, session, ProtocolError::permission_denied,
                       "no access token: connect with ?baas_at=<token>", false);
    return;
  }
  if (m.is_subserver) {
    send_session_error(m.session_ident, session, ProtocolError::permission_denied,
                       "subserver sessions are not supported", false);
    return;
  }
  auto path = resolve_bind_path(m.server_path, claims->identity);
  if (!path) {
    send_session_error(m.session_ident, session, ProtocolError::illegal_realm_path,
                       path.error().message, false);
    return;
  }
  auto rights = service_.rights(*claims, *path);
  if (!rights || !rights->read) {
    std::string why = rights ? "no permission to read the Realm '" + *path + "'"
                             : rights.error().message;
    log::info("BIND of '", *path, "' by '", claims->identity, "' from ", peer_, " refused: ", why);
    send_session_error(m.session_ident, session, ProtocolError::permission_denied, why, false);
    return;
  }
  auto claim = service_.claim_realm(claims->identity, *path);
  if (!claim) {
    log::info("BIND of '", *path, "' by '", claims->identity, "' from ", peer_, " refused: ",
              claim.error().message);
    send_session_error(m.session_ident, session, ProtocolError::other_session_error,
                       claim.error().message, true);
    return;
  }
  session.realm_claim = std::move(*claim);
  auto realm = service_.realm(*path);
  if (!realm) {
    send_session_error(m.session_ident, session, ProtocolError::other_session_error,
                       realm.error().message, true);
    return;
  }
  session.realm = std::move(*realm);
  session.access = SessionAccess{std::move(*claims), *rights};
  if (m.need_client_file_ident) {
    session.state = State::allocating;
    session.realm->allocate_ident(key(m.session_ident, session));
  }
}

void Connection::handle(protocol::ClientIdent& m) {
  Session* session = session_for(m.session_ident, "IDENT");
  if (session == nullptr) return;
  if (session->state != State::wait_for_ident) {
    fail_connection(ProtocolError::bad_message_order,
                    "IDENT for session " + std::to_string(m.session_ident) + " at the wrong time");
    return;
  }
  for (const auto& [ident, other] : sessions_) {
    if (ident != m.session_ident && other.state == State::bound &&
        other.client_file_ident == m.client_file_ident && other.realm == session->realm) {
      fail_connection(ProtocolError::bound_in_other_session,
                      "client file " + std::to_string(m.client_file_ident) +
                          " is already bound in session " + std::to_string(ident) +
                          " of this connection");
      return;
    }
  }
  session->state = State::bound;
  session->client_file_ident = m.client_file_ident;
  const bool may_send = has_room();
  if (may_send) {
    session->first_download_due = true;
    ++first_downloads_due_;
  } else {
    waiting_.emplace_back(m.session_ident, session->binding);
  }
  session->realm->ident(key(m.session_ident, *session), m, session->access, may_send);
}

void Connection::handle(protocol::Upload& m) {
  Session* session = session_for(m.session_ident, "UPLOAD");
  if (session == nullptr) return;
  if (session->state != State::bound) {
    fail_connection(ProtocolError::bad_message_order,
                    "UPLOAD for session " + std::to_string(m.session_ident) + " before its IDENT");
    return;
  }
  session->realm->upload(key(m.session_ident, *session), std::move(m));
}

void Connection::handle(protocol::ClientMark& m) {
  Session* session = session_for(m.session_ident, "MARK");
  if (session == nullptr) return;
  if (session->state != State::bound) {
    fail_connection(ProtocolError::bad_message_order,
                    "MARK for session " + std::to_string(m.session_ident) + " before its IDENT");
    return;
  }
  session->realm->mark(key(m.session_ident, *session), m.request_ident);
}

void Connection::handle(protocol::Unbind& m) {
  auto it = sessions_.find(m.session_ident);
  if (it == sessions_.end()) {
    fail_connection(ProtocolError::bad_session_ident,
                    "UNBIND for session " + std::to_string(m.session_ident) +
                        ", which is not bound");
    return;
  }
  Session& session = it->second;
  forget_first_download(session);
  if (session.state != State::errored) {
    if (session.realm) session.realm->detach(key(m.session_ident, session));
    send(protocol::Unbound{m.session_ident});
  }
  // After an ERROR the UNBIND is not answered (3.14); either way the ident
  // is free again.
  sessions_.erase(it);
}

void Connection::handle(protocol::Ping& m) { send(protocol::Pong{m.timestamp}, true); }

void Connection::handle(protocol::ClientJsonError& m) {
  Session* session = session_for(m.session_ident, "JSON_ERROR");
  if (session == nullptr) return;
  auto text = protocol::json_error_message(m);
  log::warn("client ", peer_, " reports error ", m.error_code, " in session ",
               m.session_ident, ": ", text ? *text : m.body);
  // protocol.md 4.6: end the session so that the client binds again and
  // retries, rather than leaving it stalled.
  send_session_error(m.session_ident, *session, ProtocolError::other_session_error,
                     "the client could not integrate a download (error " +
                         std::to_string(m.error_code) + "); bind again",
                     true);
}

void Connection::send_session_error(std::uint64_t session_ident, Session& session,
                                    ProtocolError code, const std::string& message,
                                    bool try_again) {
  std::int64_t number = protocol::to_int(code);
  if (protocol::crashes_14x_client(number)) {  // never: 4.5
    log::error("refusing to send sync error ", number, " (it crashes clients); sending 201");
    number = protocol::to_int(ProtocolError::other_session_error);
  }
  if (session.realm && session.state != State::errored) {
    session.realm->detach(key(session_ident, session));
  }
  forget_first_download(session);
  session.realm_claim.reset();
  session.state = State::errored;
  send(protocol::ServerError{number, message, try_again, session_ident});
}

void Connection::fail_connection(ProtocolError code, const std::string& message) {
  if (failed_) return;
  log::info("sync connection from ", peer_, ": error ", protocol::to_int(code), ": ", message);
  send(protocol::ServerError{protocol::to_int(code), message, false, 0});
  failed_ = true;
  for (auto& [ident, session] : sessions_) {
    if (session.realm && session.state != State::errored) {
      session.realm->detach(key(ident, session));
    }
  }
  sessions_.clear();
  waiting_.clear();
  first_downloads_due_ = 0;
}

void Connection::send(const protocol::ServerMessage& message, bool urgent,
                      std::uint64_t download_session, std::uint64_t download_binding) {
  Out out{protocol::format(message), download_session, download_binding};
  queued_bytes_ += out.bytes.size();
  if (urgent) {
    // First in line, behind the message being written (if any).
    outbox_.insert(outbox_.begin() + (writing_ ? 1 : 0), std::move(out));
  } else {
    outbox_.push_back(std::move(out));
  }
  const std::uint64_t bound = service_.limits().max_connection_buffer_bytes;
  if (queued_bytes_ > 4 * bound && !finished_) {
    // DOWNLOADs wait for room, so only a client that sends without ever
    // reading (PINGs, say) gets here.
    log::warn("sync connection from ", peer_, " closed: ", queued_bytes_,
              " bytes wait to be written (4 x sync.max_connection_buffer_bytes)");
    close();
    return;
  }
  if (!writing_) write_next();
}

bool Connection::has_room() const {
  const auto& limits = service_.limits();
  if (queued_bytes_ == 0 && first_downloads_due_ == 0) return true;
  return queued_bytes_ + (first_downloads_due_ + 1) * limits.max_download_bytes <=
         limits.max_connection_buffer_bytes;
}

void Connection::forget_first_download(Session& session) {
  if (!session.first_download_due) return;
  session.first_download_due = false;
  --first_downloads_due_;
}

void Connection::release_waiting() {
  while (!waiting_.empty() && has_room() && !finished_ && !failed_) {
    auto [ident, binding] = waiting_.front();
    waiting_.pop_front();
    auto it = sessions_.find(ident);
    if (it == sessions_.end() || it->second.binding != binding) continue;
    Session& session = it->second;
    if (session.state != State::bound || !session.realm) continue;
    if (!session.got_download) {
      session.first_download_due = true;
      ++first_downloads_due_;
    }
    session.realm->download_written(key(ident, session));
  }
}

void Connection::write_next() {
  if (expired_ && !finished_) {
    writing_ = false;
    close_expired();
    return;
  }
  if (outbox_.empty() || finished_) {
    writing_ = false;
    if (failed_ && outbox_.empty() && !finished_) shutdown_after_error();
    return;
  }
  writing_ = true;
  ws_.async_write(net::buffer(outbox_.front().bytes),
                  [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                    if (ec) {
                      self->writing_ = false;
                      self->finish();
                      return;
                    }
                    ++self->service_.stats().messages_out;
                    self->service_.stats().bytes_out += n;
                    Out done = std::move(self->outbox_.front());
                    self->outbox_.pop_front();
                    self->queued_bytes_ -= done.bytes.size();
                    if (done.session_ident != 0) {
                      // Written: the session may have its next DOWNLOAD, now
                      // or when there is room.
                      self->waiting_.emplace_back(done.session_ident, done.binding);
                    }
                    self->release_waiting();
                    self->write_next();
                  });
}

void Connection::shutdown_after_error() {
  // As the reference: end our side (plain TCP, no close frame), keep reading
  // and discarding until the client closes, or close after a while.
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
  linger_timer_.expires_after(kLingerAfterError);
  linger_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->close();
  });
}

void Connection::close() {
  net::post(ws_.get_executor(), [self = shared_from_this()] {
    beast::error_code ignored;
    beast::get_lowest_layer(self->ws_).socket().shutdown(net::ip::tcp::socket::shutdown_both,
                                                          ignored);
    beast::get_lowest_layer(self->ws_).socket().close(ignored);
    self->finish();
  });
}

void Connection::finish() {
  if (finished_) return;
  finished_ = true;
  linger_timer_.cancel();
  bind_timer_.cancel();
  expiry_timer_.cancel();
  for (auto& [ident, session] : sessions_) {
    if (session.realm && session.state != State::errored) {
      session.realm->detach(key(ident, session));
    }
  }
  sessions_.clear();
  outbox_.clear();
  queued_bytes_ = 0;
  waiting_.clear();
  first_downloads_due_ = 0;
  address_claim_.reset();
  service_.remove_connection(this);
}

// --- SessionSink: called from Realm strands, run on ours.

void Connection::deliver(std::uint64_t session_ident, std::uint64_t binding,
                         protocol::ServerMessage message) {
  net::post(ws_.get_executor(), [self = shared_from_this(), session_ident, binding,
                                 message = std::move(message)]() mutable {
    if (self->finished_ || self->failed_) return;
    auto it = self->sessions_.find(session_ident);
    if (it == self->sessions_.end() || it->second.binding != binding) return;
    Session& session = it->second;
    if (std::holds_alternative<protocol::ServerIdent>(message)) {
      if (session.state != State::allocating) return;
      session.state = State::wait_for_ident;
    } else if (session.state != State::bound) {
      return;
    }
    if (std::holds_alternative<protocol::LogMessage>(message) && self->protocol_version_ < 10) {
      return;
    }
    if (std::holds_alternative<protocol::Download>(message)) {
      session.got_download = true;
      self->forget_first_download(session);
      self->send(message, false, session_ident, binding);
      return;
    }
    self->send(message);
  });
}

void Connection::fail_session(std::uint64_t session_ident, std::uint64_t binding,
                              ProtocolError code, std::string message, bool try_again) {
  net::post(ws_.get_executor(), [self = shared_from_this(), session_ident, binding, code,
                                 message = std::move(message), try_again] {
    if (self->finished_ || self->failed_) return;
    auto it = self->sessions_.find(session_ident);
    if (it == self->sessions_.end() || it->second.binding != binding) return;
    if (it->second.state == State::errored) return;
    self->send_session_error(session_ident, it->second, code, message, try_again);
  });
}

void Connection::close_as_zombie() { close(); }

}  // namespace ros::sync::server
