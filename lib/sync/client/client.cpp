#include "sync/client/client.hpp"

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "sync/client/transport.hpp"
#include "sync/protocol/codec.hpp"

namespace ros::sync::client {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

std::string head_of(const std::string& bytes) { return bytes.substr(0, bytes.find('\n')); }

Error to_api_error(const SyncError& e) {
  bool denied = (e.kind == SyncError::Kind::http && (e.code == 401 || e.code == 403)) ||
                ((e.kind == SyncError::Kind::server_error ||
                  e.kind == SyncError::Kind::server_json_error) &&
                 e.code == 206);
  bool transient = e.kind == SyncError::Kind::connect || e.kind == SyncError::Kind::connection_lost;
  return make_error(denied ? Errc::permission_denied : transient ? Errc::unavailable : Errc::conflict,
                    e.to_string());
}

}  // namespace

namespace detail {

struct SessionState {
  enum class Phase { idle, bind_sent, bound, error, unbinding, closed };
  SessionState(std::uint64_t id, std::string path) : ident(id), realm(std::move(path)) {}
  std::uint64_t ident;
  LocalRealm realm;
  Phase phase = Phase::idle;
  bool want_bound = true;
  bool got_download = false;
  bool uploads_active = false;
  bool was_active = false;  // uploads were active when the last connection ended
  Clock::time_point disconnected_at{};
  std::uint64_t mark_counter = 0;  // highest MARK request ident asked for
  std::uint64_t last_mark_sent = 0;
  std::uint64_t last_mark_received = 0;
  std::uint64_t activation_mark = 0;
  std::optional<SyncError> error;
  // JSON_ERROR sent after an integration failure (4.6): no UPLOAD or MARK,
  // DOWNLOADs ignored. realm-core resumes after a re-bind because its
  // integration is one transaction; ours may have applied part of the
  // DOWNLOAD, so the session is never bound again.
  bool stalled = false;
  bool drop_after_upload = false;
  Session::DownloadObserver observer;
  std::unique_ptr<asio::steady_timer> rebind_timer;
  unsigned rebind_attempts = 0;
};

struct Outgoing {
  std::string bytes;
  bool drop_after = false;
};

struct ClientImpl : std::enable_shared_from_this<ClientImpl> {
  enum class Conn { down, connecting, up };

  ClientOptions options;
  SyncUrl url;
  std::string target;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::optional<asio::ssl::context> tls;
  std::thread thread;

  mutable std::mutex m;
  std::condition_variable cv;
  bool closed = false;
  bool stopped = false;  // no more reconnects (fatal error)
  Conn conn = Conn::down;
  std::uint64_t generation = 0;  // bumped per connection; stale handlers check it
  std::shared_ptr<Transport> transport;
  std::deque<Outgoing> outbox;
  bool writing = false;
  std::map<std::uint64_t, std::shared_ptr<SessionState>> sessions;
  std::uint64_t next_session_ident = 1;
  std::optional<SyncError> last_error;
  std::optional<SyncError> fatal;
  ClientStats stats;
  unsigned failed_attempts = 0;
  // A 401 after a refresh for this attempt is not refreshed again at once
  // (no upgrade-401-refresh loop when the server refuses fresh tokens).
  bool refreshed_for_attempt = false;
  asio::steady_timer reconnect_timer{io};
  asio::steady_timer ping_timer{io};
  asio::steady_timer pong_timer{io};
  std::optional<std::int64_t> ping_outstanding;
  std::int64_t last_rtt = 0;
  std::mt19937_64 rng{std::random_device{}()};

  // ---- helpers (all with m held) -------------------------------------------

  void trace(const std::string& line) {
    if (options.trace) options.trace(line);
  }

  void record(SyncError e) {
    trace("! " + e.to_string());
    last_error = std::move(e);
    cv.notify_all();
  }

  milliseconds jittered(milliseconds d) {
    std::uniform_int_distribution<std::int64_t> dist(0, d.count() / 4);
    return d - milliseconds(dist(rng));
  }

  std::int64_t now_ms() const {
    return std::chrono::duration_cast<milliseconds>(Clock::now().time_since_epoch()).count();
  }

  template <class F>
  void post(F f) {
    asio::post(io, [self = shared_from_this(), f = std::move(f)]() mutable {
      std::lock_guard lock(self->m);
      f();
    });
  }

  // ---- connection ------------------------------------------------------------

  void start_connect() {
    if (closed || stopped || conn != Conn::down) return;
    conn = Conn::connecting;
    auto gen = ++generation;
    TransportOptions topts;
    topts.url = url;
    topts.target = target;
    topts.user_agent = options.user_agent;
    topts.connect_timeout = options.connect_timeout;
    topts.tls = tls ? &*tls : nullptr;
    topts.verify_peer = options.verify_peer;
    transport = make_transport(io, std::move(topts));
    trace("connecting to " + options.url);
    transport->open([self = shared_from_this(), gen](boost::system::error_code ec, HandshakeResult hs) {
      std::lock_guard lock(self->m);
      if (gen != self->generation) return;
      self->on_open(ec, std::move(hs));
    });
  }

  void on_open(boost::system::error_code ec, HandshakeResult hs) {
    if (ec) {
      SyncError e;
      if (hs.status != 0 && hs.status != 101) {
        e.kind = SyncError::Kind::http;
        e.code = hs.status;
        e.message = "the server answered the upgrade with HTTP " + std::to_string(hs.status) +
                    (hs.body.empty() ? "" : ": " + hs.body.substr(0, 400));
      } else {
        e.kind = SyncError::Kind::connect;
        e.message = "cannot connect to " + options.url + ": " + ec.message();
      }
      if (hs.status == 401 && options.refresh_token && !refreshed_for_attempt) {
        trace("upgrade answered 401: refreshing the access token");
        auto fresh = options.refresh_token();
        if (!fresh) {
          e.message += " (and the access token could not be refreshed)";
          connection_failed(std::move(e), true);
          return;
        }
        options.token = *fresh;
        target = request_target(url.path, options.token);
        refreshed_for_attempt = true;
        teardown();
        record(std::move(e));
        start_connect();
        return;
      }
      refreshed_for_attempt = false;
      // A 403 logs the user out in 14.x: no retries.
      connection_failed(std::move(e), hs.status == 403);
      return;
    }
    auto version = check_server_protocol(hs.protocol);
    if (!version) {
      SyncError e;
      e.kind = SyncError::Kind::negotiation;
      e.message = version.error().message;
      connection_failed(std::move(e), true);
      return;
    }
    conn = Conn::up;
    failed_attempts = 0;
    refreshed_for_attempt = false;
    ++stats.connects;
    stats.protocol_version = *version;
    trace("connected, protocol " + std::to_string(*version));
    start_read(generation);
    for (auto& [id, s] : sessions) {
      if (s->want_bound && !s->stalled && s->phase == SessionState::Phase::idle) send_bind(*s);
    }
    schedule_ping(true);
    cv.notify_all();
  }

  void connection_failed(SyncError e, bool fatal_error) {
    ++stats.connect_failures;
    teardown();
    if (fatal_error) stop(e);
    record(std::move(e));
    schedule_reconnect();
  }

  void stop(const SyncError& e) {
    stopped = true;
    fatal = e;
  }

  void teardown() {
    if (transport) transport->close();
    transport.reset();
    ++generation;
    conn = Conn::down;
    outbox.clear();
    writing = false;
    ping_timer.cancel();
    pong_timer.cancel();
    ping_outstanding.reset();
    auto now = Clock::now();
    for (auto& [id, s] : sessions) {
      using P = SessionState::Phase;
      if (s->phase == P::bind_sent || s->phase == P::bound) {
        s->was_active = s->uploads_active;
        s->disconnected_at = now;
        s->phase = P::idle;
      } else if (s->phase == P::unbinding) {
        s->phase = P::closed;
      } else if (s->phase == P::error && s->error && s->error->try_again) {
        s->phase = P::idle;
      }
      s->uploads_active = false;
      s->got_download = false;
      // MARKs in flight are lost with the connection: ask again.
      s->last_mark_sent = s->last_mark_received;
    }
    cv.notify_all();
  }

  void schedule_reconnect() {
    if (closed || stopped || !options.reconnect) {
      if (!options.reconnect && !fatal && last_error) fatal = last_error;
      cv.notify_all();
      return;
    }
    auto delay = options.reconnect_delay;
    for (unsigned i = 0; i < failed_attempts && delay < options.max_reconnect_delay; ++i) delay *= 2;
    delay = std::min(delay, options.max_reconnect_delay);
    ++failed_attempts;
    reconnect_timer.expires_after(jittered(delay));
    reconnect_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return;
      std::lock_guard lock(self->m);
      self->start_connect();
    });
  }

  void connection_lost(const std::string& why) {
    SyncError e;
    e.kind = SyncError::Kind::connection_lost;
    e.message = why;
    teardown();
    record(std::move(e));
    schedule_reconnect();
  }

  void violation(std::string why, std::uint64_t session = 0) {
    SyncError e;
    e.kind = SyncError::Kind::protocol_violation;
    e.session_ident = session;
    e.message = std::move(why);
    violation(std::move(e));
  }

  void violation(SyncError e) {
    // realm-core drops the connection and marks the error fatal.
    teardown();
    stop(e);
    if (e.session_ident != 0) {
      if (auto it = sessions.find(e.session_ident); it != sessions.end()) it->second->error = e;
    }
    record(std::move(e));
  }

  void start_read(std::uint64_t gen) {
    transport->read([self = shared_from_this(), gen](boost::system::error_code ec, std::string bytes) {
      std::lock_guard lock(self->m);
      if (gen != self->generation) return;
      if (ec) return self->connection_lost("reading from " + self->options.url + ": " + ec.message());
      ++self->stats.messages_received;
      self->trace("< " + head_of(bytes));
      self->handle(bytes);
      if (gen == self->generation && self->conn == Conn::up) self->start_read(gen);
    });
  }

  void send(const protocol::ClientMessage& message, bool drop_after = false) {
    if (conn != Conn::up) return;
    outbox.push_back({protocol::format(message), drop_after});
    pump();
  }

  void pump() {
    if (writing || outbox.empty() || conn != Conn::up) return;
    writing = true;
    auto gen = generation;
    ++stats.messages_sent;
    trace("> " + head_of(outbox.front().bytes));
    transport->write(outbox.front().bytes, [self = shared_from_this(), gen](boost::system::error_code ec) {
      std::lock_guard lock(self->m);
      if (gen != self->generation) return;
      self->writing = false;
      if (ec) return self->connection_lost("writing to " + self->options.url + ": " + ec.message());
      bool drop = self->outbox.front().drop_after;
      self->outbox.pop_front();
      if (drop) return self->connection_lost("connection dropped after an UPLOAD (test hook)");
      self->pump();
    });
  }

  void schedule_ping(bool first) {
    auto period = options.ping_period;
    std::uniform_int_distribution<std::int64_t> dist(first ? 0 : period.count() * 9 / 10, period.count());
    ping_timer.expires_after(milliseconds(dist(rng)));
    auto gen = generation;
    ping_timer.async_wait([self = shared_from_this(), gen](boost::system::error_code ec) {
      if (ec) return;
      std::lock_guard lock(self->m);
      if (gen != self->generation || self->conn != Conn::up) return;
      self->send_ping(gen);
    });
  }

  void send_ping(std::uint64_t gen) {
    if (!ping_outstanding) {
      std::int64_t ts = now_ms();
      ping_outstanding = ts;
      ++stats.pings_sent;
      send(protocol::Ping{ts, last_rtt});
      pong_timer.expires_after(options.pong_timeout);
      pong_timer.async_wait([self = shared_from_this(), gen, ts](boost::system::error_code ec) {
        if (ec) return;
        std::lock_guard lock(self->m);
        if (gen != self->generation || self->ping_outstanding != ts) return;
        self->connection_lost("no PONG within " + std::to_string(self->options.pong_timeout.count()) + " ms");
      });
    }
    schedule_ping(false);
  }

  // ---- sessions ----------------------------------------------------------------

  void send_bind(SessionState& s) {
    s.phase = SessionState::Phase::bind_sent;
    s.got_download = false;
    send(s.realm.bind_message(s.ident));
    if (s.realm.has_ident()) send_ident(s);
  }

  void send_ident(SessionState& s) {
    send(s.realm.ident_message(s.ident));
    s.phase = SessionState::Phase::bound;
    s.realm.start_session();
    bool fast = s.was_active && Clock::now() - s.disconnected_at < options.fast_reconnect_limit;
    if (fast) {
      s.uploads_active = true;
    } else {
      s.uploads_active = false;
      s.activation_mark = ++s.mark_counter;
    }
    send_pending_mark(s);
    flush_uploads(s);
  }

  void send_pending_mark(SessionState& s) {
    if (s.phase != SessionState::Phase::bound || s.stalled || s.mark_counter <= s.last_mark_sent) return;
    s.last_mark_sent = s.mark_counter;
    send(protocol::ClientMark{s.ident, s.mark_counter});
  }

  void flush_uploads(SessionState& s) {
    if (conn != Conn::up || s.phase != SessionState::Phase::bound || !s.uploads_active || s.stalled) return;
    while (auto up = s.realm.next_upload(s.ident)) {
      bool drop = s.drop_after_upload && !up->changesets.empty();
      if (drop) s.drop_after_upload = false;
      send(*up, drop);
      if (conn != Conn::up) return;
    }
  }

  void session_error(SessionState& s, SyncError e) {
    using P = SessionState::Phase;
    if (s.phase == P::error || s.phase == P::closed || s.phase == P::idle) {
      return violation("ERROR for session " + std::to_string(s.ident) + " that is not active", s.ident);
    }
    bool unbinding = s.phase == P::unbinding;
    s.error = e;
    record(e);
    send(protocol::Unbind{s.ident});
    if (unbinding) {
      s.phase = P::closed;
      return;
    }
    s.phase = P::error;
    s.uploads_active = false;
    if (e.try_again && s.want_bound) {
      auto delay = e.code == 200 ? milliseconds(1000) : options.reconnect_delay;
      for (unsigned i = 0; i < s.rebind_attempts && delay < options.max_reconnect_delay; ++i) delay *= 2;
      ++s.rebind_attempts;
      s.rebind_timer = std::make_unique<asio::steady_timer>(io, jittered(std::min(delay, options.max_reconnect_delay)));
      auto gen = generation;
      std::weak_ptr<SessionState> weak = sessions.at(s.ident);
      s.rebind_timer->async_wait([self = shared_from_this(), gen, weak](boost::system::error_code ec) {
        if (ec) return;
        std::lock_guard lock(self->m);
        auto sp = weak.lock();
        if (!sp || gen != self->generation || sp->phase != SessionState::Phase::error) return;
        sp->phase = SessionState::Phase::idle;
        if (sp->want_bound && self->conn == Conn::up) self->send_bind(*sp);
      });
    }
  }

  SessionState* find_session(std::uint64_t ident, const char* what) {
    auto it = sessions.find(ident);
    if (it == sessions.end() || it->second->phase == SessionState::Phase::closed ||
        it->second->phase == SessionState::Phase::idle) {
      violation(std::string(what) + " for unknown session " + std::to_string(ident), ident);
      return nullptr;
    }
    return it->second.get();
  }

  // ---- incoming messages -------------------------------------------------------

  void handle(const std::string& bytes) {
    auto parsed = protocol::parse_server_message(bytes);
    if (!parsed) return violation("unparsable server message: " + parsed.error().message);
    std::visit([this](auto& msg) { on(msg); }, parsed.value());
  }

  void on(protocol::ServerIdent& m) {
    auto* s = find_session(m.session_ident, "IDENT");
    if (!s) return;
    if (s->phase == SessionState::Phase::unbinding) return;
    if (s->phase != SessionState::Phase::bind_sent || s->realm.has_ident()) {
      return violation("IDENT for session " + std::to_string(m.session_ident) + " that did not ask for one",
                       m.session_ident);
    }
    if (auto r = s->realm.set_ident(m.client_file_ident, m.client_file_ident_salt); !r) {
      return violation(r.error().message, m.session_ident);
    }
    send_ident(*s);
    cv.notify_all();
  }

  void on(protocol::Download& m) {
    auto* s = find_session(m.session_ident, "DOWNLOAD");
    if (!s) return;
    if (s->phase == SessionState::Phase::unbinding) return;
    if (s->phase != SessionState::Phase::bound) {
      return violation("DOWNLOAD before IDENT or after an error", m.session_ident);
    }
    if (s->stalled) return;
    auto failed = s->realm.integrate(m);
    if (failed) {
      if (failed->kind == SyncError::Kind::protocol_violation) return violation(std::move(*failed));
      // 4.6: JSON_ERROR 212, then the session stalls until it is re-bound.
      nlohmann::json body = {{"message", failed->message}};
      send(protocol::ClientJsonError{212, m.session_ident, body.dump()});
      s->error = *failed;
      s->stalled = true;
      record(std::move(*failed));
      return;
    }
    s->got_download = true;
    if (s->observer) {
      for (const auto& entry : m.changesets) s->observer(entry);
    }
    flush_uploads(*s);
    cv.notify_all();
  }

  void on(protocol::ServerMark& m) {
    auto* s = find_session(m.session_ident, "MARK");
    if (!s) return;
    if (s->phase == SessionState::Phase::unbinding || s->stalled) return;
    if (s->phase != SessionState::Phase::bound || m.request_ident <= s->last_mark_received ||
        m.request_ident > s->last_mark_sent) {
      return violation("MARK " + std::to_string(m.request_ident) + " was not asked for (last sent " +
                           std::to_string(s->last_mark_sent) + ", last answered " +
                           std::to_string(s->last_mark_received) + ")",
                       m.session_ident);
    }
    s->last_mark_received = m.request_ident;
    if (!s->uploads_active && m.request_ident >= s->activation_mark) {
      s->uploads_active = true;
      flush_uploads(*s);
    }
    cv.notify_all();
  }

  void on(protocol::Unbound& m) {
    auto it = sessions.find(m.session_ident);
    if (it == sessions.end() || it->second->phase != SessionState::Phase::unbinding) {
      return violation("UNBOUND without UNBIND", m.session_ident);
    }
    it->second->phase = SessionState::Phase::closed;
    cv.notify_all();
  }

  void on_error(SyncError e) {
    if (e.session_ident == 0) {
      // Connection level: the connection is over.
      teardown();
      if (!e.try_again) stop(e);
      record(e);
      schedule_reconnect();
      return;
    }
    auto* s = find_session(e.session_ident, "ERROR");
    if (!s) return;
    session_error(*s, std::move(e));
  }

  void on(protocol::ServerError& m) {
    SyncError e;
    e.kind = SyncError::Kind::server_error;
    e.code = m.error_code;
    e.message = m.message;
    e.try_again = m.try_again;
    e.session_ident = m.session_ident;
    on_error(std::move(e));
  }

  void on(protocol::ServerJsonError& m) {
    SyncError e;
    e.kind = SyncError::Kind::server_json_error;
    e.code = m.error_code;
    e.session_ident = m.session_ident;
    auto body = nlohmann::json::parse(m.body, nullptr, false);
    auto str = [&](const char* key) -> std::optional<std::string> {
      if (!body.is_object() || !body.contains(key) || !body[key].is_string()) return std::nullopt;
      return body[key].get<std::string>();
    };
    auto flag = [&](const char* key) -> std::optional<bool> {
      if (!body.is_object() || !body.contains(key) || !body[key].is_boolean()) return std::nullopt;
      return body[key].get<bool>();
    };
    auto message = str("message");
    auto action = str("action");
    auto try_again = flag("tryAgain");
    if (!message || !action || !try_again || !flag("isRecoveryModeDisabled") ||
        !flag("shouldClientReset") || !str("logURL")) {
      return violation("JSON_ERROR " + std::to_string(m.error_code) +
                           " body lacks a required key (message, tryAgain, isRecoveryModeDisabled, "
                           "shouldClientReset, logURL, action): " + m.body.substr(0, 200),
                       m.session_ident);
    }
    e.message = *message;
    e.action = *action;
    e.try_again = *try_again;
    on_error(std::move(e));
  }

  void on(protocol::Pong& m) {
    if (!ping_outstanding || *ping_outstanding != m.timestamp) {
      return violation("PONG " + std::to_string(m.timestamp) + " without a matching PING");
    }
    last_rtt = now_ms() - *ping_outstanding;
    ping_outstanding.reset();
    pong_timer.cancel();
    ++stats.pongs_received;
    cv.notify_all();
  }

  void on(protocol::LogMessage& m) {
    auto body = nlohmann::json::parse(m.body, nullptr, false);
    if (!body.is_object()) return violation("LOG_MESSAGE body is not a JSON object");
  }

  // ---- waiting -----------------------------------------------------------------

  milliseconds timeout_or_default(std::optional<milliseconds> t) const { return t.value_or(options.timeout); }

  template <class Pred>
  Result<void> wait(std::unique_lock<std::mutex>& lock, milliseconds timeout, const std::string& what,
                    SessionState* s, Pred done) {
    auto deadline = Clock::now() + timeout;
    while (true) {
      if (done()) return {};
      if (s && s->error && (s->stalled || ((s->phase == SessionState::Phase::error ||
                                            s->phase == SessionState::Phase::closed) &&
                                           !s->error->try_again))) {
        return to_api_error(*s->error);
      }
      if (fatal) return to_api_error(*fatal);
      if (closed) return make_error(Errc::unavailable, what + ": the client was closed");
      if (cv.wait_until(lock, deadline) == std::cv_status::timeout && !done()) {
        std::string detail = last_error ? " (last error: " + last_error->to_string() + ")" : "";
        return make_error(Errc::unavailable, "timed out after " + std::to_string(timeout.count()) +
                                                 " ms waiting " + what + detail);
      }
    }
  }

  void ensure_connecting() {
    if (conn == Conn::down && !closed && !stopped) {
      // Timers are touched on the network thread only.
      post([this] {
        reconnect_timer.cancel();
        start_connect();
      });
    }
  }

  void shutdown() {
    {
      std::lock_guard lock(m);
      if (closed) return;
      closed = true;
      cv.notify_all();
    }
    asio::post(io, [self = shared_from_this()] {
      std::lock_guard lock(self->m);
      self->teardown();
      self->reconnect_timer.cancel();
      for (auto& [id, s] : self->sessions) {
        if (s->rebind_timer) s->rebind_timer->cancel();
      }
      self->work.reset();
      self->io.stop();
    });
    if (thread.joinable()) {
      if (thread.get_id() == std::this_thread::get_id()) {
        thread.detach();
        return;
      }
      thread.join();
    }
    // Run what is left (aborted operations) so that no handler keeps this
    // object alive through the io_context's queue.
    io.restart();
    io.poll();
  }
};

}  // namespace detail

using detail::ClientImpl;
using detail::SessionState;

// ---- Client ---------------------------------------------------------------------

Result<Client> Client::make(ClientOptions options) {
  auto url = parse_sync_url(options.url);
  if (!url) return url.error();
  auto impl = std::make_shared<ClientImpl>();
  impl->options = std::move(options);
  impl->url = *url;
  if (impl->options.app_id) impl->url.path = app_sync_path(*impl->options.app_id);
  impl->target = request_target(impl->url.path, impl->options.token);
  if (impl->url.tls) {
    impl->tls.emplace(asio::ssl::context::tls_client);
    boost::system::error_code ec;
    if (impl->options.ca_file.empty()) {
      impl->tls->set_default_verify_paths(ec);
    } else {
      impl->tls->load_verify_file(impl->options.ca_file.string(), ec);
    }
    if (ec) {
      return make_error(Errc::invalid_argument, "cannot load the CA file '" +
                                                    impl->options.ca_file.string() + "': " + ec.message());
    }
  }
  impl->thread = std::thread([raw = impl.get()] { raw->io.run(); });
  return Client(std::move(impl));
}

Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&& other) noexcept {
  if (this != &other) {
    close();
    impl_ = std::move(other.impl_);
  }
  return *this;
}
Client::~Client() { close(); }

Result<void> Client::connect(std::optional<milliseconds> timeout) {
  if (!impl_) return make_error(Errc::unavailable, "the client was closed");
  std::unique_lock lock(impl_->m);
  if (impl_->conn == ClientImpl::Conn::up) return {};
  auto failures = impl_->stats.connect_failures;
  impl_->ensure_connecting();
  auto r = impl_->wait(lock, impl_->timeout_or_default(timeout), "for the connection to " + impl_->options.url,
                       nullptr, [&] {
                         return impl_->conn == ClientImpl::Conn::up ||
                                impl_->stats.connect_failures > failures;
                       });
  if (!r) return r;
  if (impl_->conn != ClientImpl::Conn::up) {
    return impl_->last_error ? to_api_error(*impl_->last_error)
                             : make_error(Errc::unavailable, "cannot connect to " + impl_->options.url);
  }
  return {};
}

bool Client::connected() const {
  if (!impl_) return false;
  std::lock_guard lock(impl_->m);
  return impl_->conn == ClientImpl::Conn::up;
}

Session Client::bind(const std::string& server_path) {
  std::lock_guard lock(impl_->m);
  auto id = impl_->next_session_ident++;
  auto s = std::make_shared<SessionState>(id, server_path);
  impl_->sessions.emplace(id, s);
  if (impl_->conn == ClientImpl::Conn::up) {
    impl_->post([impl = impl_.get(), id] {
      auto& st = *impl->sessions.at(id);
      if (st.phase == SessionState::Phase::idle && st.want_bound && impl->conn == ClientImpl::Conn::up) {
        impl->send_bind(st);
      }
    });
  } else {
    impl_->ensure_connecting();
  }
  return Session(impl_, id);
}

void Client::drop_connection() {
  if (!impl_) return;
  impl_->post([impl = impl_.get()] {
    if (impl->conn != ClientImpl::Conn::down) impl->connection_lost("connection dropped by the application");
  });
}

void Client::close() {
  if (impl_) impl_->shutdown();
}

std::optional<SyncError> Client::last_error() const {
  std::lock_guard lock(impl_->m);
  return impl_->last_error;
}

ClientStats Client::stats() const {
  std::lock_guard lock(impl_->m);
  return impl_->stats;
}

const ClientOptions& Client::options() const { return impl_->options; }

// ---- Session ----------------------------------------------------------------------

namespace {

SessionState& state_of(ClientImpl& c, std::uint64_t id) { return *c.sessions.at(id); }

}  // namespace

std::string Session::path() const {
  std::lock_guard lock(client_->m);
  return state_of(*client_, ident_).realm.server_path();
}

Result<std::uint64_t> Session::write(const changeset::Changeset& cs) {
  std::lock_guard lock(client_->m);
  if (client_->closed) return make_error(Errc::unavailable, "the client was closed");
  auto& s = state_of(*client_, ident_);
  auto version = s.realm.write(cs);
  if (version) client_->post([c = client_.get(), id = ident_] { c->flush_uploads(state_of(*c, id)); });
  return version;
}

Result<std::uint64_t> Session::write_bytes(std::string_view bytes) {
  std::lock_guard lock(client_->m);
  if (client_->closed) return make_error(Errc::unavailable, "the client was closed");
  auto& s = state_of(*client_, ident_);
  auto version = s.realm.write_bytes(bytes);
  if (version) client_->post([c = client_.get(), id = ident_] { c->flush_uploads(state_of(*c, id)); });
  return version;
}

Result<void> Session::wait_bound(std::optional<milliseconds> timeout) {
  std::unique_lock lock(client_->m);
  auto& s = state_of(*client_, ident_);
  client_->ensure_connecting();
  return client_->wait(lock, client_->timeout_or_default(timeout),
                       "for session " + std::to_string(ident_) + " ('" + s.realm.server_path() + "') to be bound",
                       &s, [&] { return s.phase == SessionState::Phase::bound && s.got_download; });
}

Result<void> Session::wait_uploaded(std::optional<milliseconds> timeout) {
  std::unique_lock lock(client_->m);
  auto& s = state_of(*client_, ident_);
  client_->ensure_connecting();
  auto target = s.realm.newest_local_change();
  return client_->wait(lock, client_->timeout_or_default(timeout),
                       "for the upload of client version " + std::to_string(target) + " of '" +
                           s.realm.server_path() + "'",
                       &s, [&] { return s.realm.uploaded_through(target); });
}

Result<void> Session::wait_downloaded(std::optional<milliseconds> timeout) {
  std::unique_lock lock(client_->m);
  auto& s = state_of(*client_, ident_);
  client_->ensure_connecting();
  auto request = ++s.mark_counter;
  client_->post([c = client_.get(), id = ident_] { c->send_pending_mark(state_of(*c, id)); });
  return client_->wait(lock, client_->timeout_or_default(timeout),
                       "for download completion (MARK " + std::to_string(request) + ") of '" +
                           s.realm.server_path() + "'",
                       &s, [&] { return s.last_mark_received >= request; });
}

Result<void> Session::unbind(std::optional<milliseconds> timeout) {
  std::unique_lock lock(client_->m);
  auto& s = state_of(*client_, ident_);
  s.want_bound = false;
  client_->post([c = client_.get(), id = ident_] {
    auto& st = state_of(*c, id);
    if (st.rebind_timer) st.rebind_timer->cancel();
    using P = SessionState::Phase;
    if (st.phase == P::bind_sent || st.phase == P::bound) {
      c->send(protocol::Unbind{st.ident});
      st.phase = P::unbinding;
    } else if (st.phase != P::unbinding) {
      st.phase = P::closed;  // idle or after an ERROR (UNBIND already sent)
    }
    c->cv.notify_all();
  });
  return client_->wait(lock, client_->timeout_or_default(timeout),
                       "for UNBOUND of session " + std::to_string(ident_), nullptr,
                       [&] { return s.phase == SessionState::Phase::closed; });
}

Result<changeset::Json> Session::state_json() const {
  std::lock_guard lock(client_->m);
  return state_of(*client_, ident_).realm.state_json();
}

RealmProgress Session::progress() const {
  std::lock_guard lock(client_->m);
  return state_of(*client_, ident_).realm.progress();
}

std::optional<SyncError> Session::last_error() const {
  std::lock_guard lock(client_->m);
  return state_of(*client_, ident_).error;
}

void Session::set_download_observer(DownloadObserver observer) {
  std::lock_guard lock(client_->m);
  state_of(*client_, ident_).observer = std::move(observer);
}

void Session::drop_connection_after_next_upload() {
  std::lock_guard lock(client_->m);
  state_of(*client_, ident_).drop_after_upload = true;
}

}  // namespace ros::sync::client
