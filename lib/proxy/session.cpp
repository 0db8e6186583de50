#include "proxy/session.hpp"

#include <array>
#include <limits>
#include <list>
#include <optional>
#include <sstream>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "http/problem.hpp"
#include "log/logger.hpp"
#include "proxy/forwarding.hpp"
#include "proxy/route.hpp"

namespace ros::proxy {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using error_code = beast::error_code;

constexpr http::Problem kBadGateway{502, "bad-gateway",
                                    "The service behind the proxy is not available.", 0};
constexpr http::Problem kHeadersTooLarge{431, "request-header-fields-too-large",
                                         "The request headers are too large.", 0};

constexpr std::size_t kBufferBytes = 16 << 10;
constexpr std::size_t kMaxResponseHeaderBytes = 64 << 10;
constexpr std::chrono::seconds kConnectTimeout{10};
// After a refusal, what the client still sends is read and dropped for a
// while, so that closing does not reset the connection before the client
// has read the answer.
constexpr std::chrono::seconds kLingerTime{2};
constexpr std::size_t kLingerBytes = 1 << 20;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// Errors that mean "the peer went away": logged at debug, not as failures.
bool is_disconnect(const error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
         ec == asio::error::broken_pipe || ec == beast::error::timeout ||
         ec == ssl::error::stream_truncated;
}

template <class Stream>
class Session : public Connection, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

 public:
  Session(tcp::socket socket, std::shared_ptr<SharedState> state,
          std::shared_ptr<ssl::context> tls)
      : state_(std::move(state)),
        settings_(state_->settings),
        tls_(std::move(tls)),
        client_(make_stream(std::move(socket))),
        upstream_(lowest().get_executor()),
        watchdog_(lowest().get_executor()) {
    error_code ec;
    auto endpoint = lowest().socket().remote_endpoint(ec);
    peer_ = ec ? "unknown" : client_address(endpoint.address());
  }

  ~Session() override {
    if (enrolled_) state_->withdraw(where_);
    state_->open.fetch_sub(1);
  }

  void start() {
    if (!state_->enroll(this->shared_from_this(), where_)) return;  // stopping: drop it
    enrolled_ = true;
    asio::dispatch(lowest().get_executor(),
                   beast::bind_front_handler(&Session::on_start, this->shared_from_this()));
  }

  void drain() override {
    asio::post(lowest().get_executor(), [self = this->shared_from_this()] {
      self->draining_ = true;
      // Waiting for a request (or a handshake): nothing is lost by closing.
      if (self->phase_ == Phase::waiting) self->lowest().cancel();
    });
  }

 private:
  enum class Phase { waiting, busy, tunnel, closed };

  Stream make_stream(tcp::socket socket) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *tls_);
    } else {
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(client_); }
  const Backend& backend() const { return route_ == Route::sync ? settings_.sync : settings_.http; }
  std::shared_ptr<Session> self() { return this->shared_from_this(); }

  // --- The request head -------------------------------------------------

  void on_start() {
    phase_ = Phase::waiting;
    if constexpr (kTls) {
      lowest().expires_after(settings_.idle_timeout);
      client_.async_handshake(ssl::stream_base::server,
                              beast::bind_front_handler(&Session::on_handshake, self()));
    } else {
      do_read_header();
    }
  }

  void on_handshake(error_code ec) {
    if (ec) {
      log::debug("proxy: TLS handshake with ", peer_, " failed: ", ec.message());
      return close_now();
    }
    do_read_header();
  }

  void do_read_header() {
    phase_ = Phase::waiting;
    if (draining_) return close_gracefully();
    request_.emplace();
    request_->header_limit(static_cast<std::uint32_t>(settings_.max_header_bytes));
    request_->body_limit(std::numeric_limits<std::uint64_t>::max());
    lowest().expires_after(settings_.idle_timeout);
    bhttp::async_read_header(client_, client_buffer_, *request_,
                             beast::bind_front_handler(&Session::on_read_header, self()));
  }

  void on_read_header(error_code ec, std::size_t) {
    if (ec == bhttp::error::header_limit) {
      return refuse(http::problem_response(
          kHeadersTooLarge, "the request line and headers exceed " +
                                std::to_string(settings_.max_header_bytes) + " bytes"));
    }
    if (ec) {
      if (is_disconnect(ec) || draining_) {
        if (ec == beast::error::timeout) log::debug("proxy: ", peer_, " idle; closing");
        return close_now();
      }
      return refuse(http::problem_response(http::problems::kBadRequest, ec.message()));
    }
    phase_ = Phase::busy;
    auto& request = request_->get();
    keep_alive_ = request.version() == 11 && request.keep_alive();
    upgrade_ = beast::websocket::is_upgrade(request);
    head_request_ = request.method() == bhttp::verb::head;
    expect_continue_ = beast::iequals(request[bhttp::field::expect], "100-continue");
    const auto target = request.target();
    route_ = route_request(std::string_view(target.data(), target.size()), upgrade_);
    what_ = std::string(request.method_string()) + " " +
            std::string(request.target().substr(0, 200));
    prepare_request(request, peer_, kTls, upgrade_);
    do_connect();
  }

  // --- The back end -----------------------------------------------------

  void do_connect() {
    upstream_.expires_after(std::min<std::chrono::seconds>(kConnectTimeout, settings_.idle_timeout));
    upstream_.async_connect(backend().endpoint,
                            beast::bind_front_handler(&Session::on_connect, self()));
  }

  void on_connect(error_code ec) {
    if (ec) return backend_failed(ec, "cannot connect");
    if (!expect_continue_) return do_write_request_header();
    lowest().expires_after(settings_.idle_timeout);
    asio::async_write(client_, asio::buffer(kContinue.data(), kContinue.size()),
                      [self = self()](error_code ec, std::size_t) {
                        if (ec) return self->close_now();
                        self->do_write_request_header();
                      });
  }

  void do_write_request_header() {
    request_serializer_.emplace(request_->get());
    upstream_.expires_after(settings_.idle_timeout);
    bhttp::async_write_header(
        upstream_, *request_serializer_,
        beast::bind_front_handler(&Session::on_write_request_header, self()));
  }

  void on_write_request_header(error_code ec, std::size_t) {
    if (ec) return backend_failed(ec, "cannot send the request");
    relay_request_body();
  }

  // The relay loops follow Beast's buffer_body pattern: the parser fills the
  // buffer, the serializer drains it; need_buffer only means "the buffer is
  // used up", not an error.
  void relay_request_body() {
    auto& body = request_->get().body();
    if (request_->is_done()) {
      body.data = nullptr;
      body.size = 0;
      body.more = false;
      return write_request_body();
    }
    buffer_.resize(kBufferBytes);
    body.data = buffer_.data();
    body.size = buffer_.size();
    lowest().expires_after(settings_.idle_timeout);
    bhttp::async_read_some(client_, client_buffer_, *request_,
                           beast::bind_front_handler(&Session::on_read_request_body, self()));
  }

  void on_read_request_body(error_code ec, std::size_t) {
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) {
      log::debug("proxy: ", peer_, " stopped sending the body of ", what_, ": ", ec.message());
      return close_now();
    }
    auto& body = request_->get().body();
    body.size = buffer_.size() - body.size;
    body.more = !request_->is_done();
    // An empty buffer must not reach the serializer: chunked, it would be
    // the last chunk.
    body.data = body.size ? buffer_.data() : nullptr;
    if (body.size == 0 && body.more) return relay_request_body();
    write_request_body();
  }

  void write_request_body() {
    upstream_.expires_after(settings_.idle_timeout);
    bhttp::async_write(upstream_, *request_serializer_,
                       beast::bind_front_handler(&Session::on_write_request_body, self()));
  }

  void on_write_request_body(error_code ec, std::size_t) {
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) return backend_failed(ec, "cannot send the request body");
    if (!request_serializer_->is_done()) return relay_request_body();
    do_read_response_header();
  }

  void do_read_response_header() {
    response_.emplace();
    response_->header_limit(kMaxResponseHeaderBytes);
    response_->body_limit(std::numeric_limits<std::uint64_t>::max());
    if (head_request_) response_->skip(true);
    upstream_.expires_after(settings_.idle_timeout);
    bhttp::async_read_header(
        upstream_, upstream_buffer_, *response_,
        beast::bind_front_handler(&Session::on_read_response_header, self()));
  }

  void on_read_response_header(error_code ec, std::size_t) {
    if (ec) return backend_failed(ec, "no answer");
    auto& response = response_->get();
    status_ = response.result_int();
    if (status_ == 101) {
      if (!upgrade_) return backend_failed({}, "a 101 answer to a request that did not upgrade");
      return write_interim(true);
    }
    if (status_ / 100 == 1) return write_interim(false);
    // A body that ends when the back end closes can reach the client only
    // the same way.
    if (response_->need_eof()) keep_alive_ = false;
    if (draining_) keep_alive_ = false;
    prepare_response(response, keep_alive_);
    response_serializer_.emplace(response);
    lowest().expires_after(settings_.idle_timeout);
    bhttp::async_write_header(
        client_, *response_serializer_,
        beast::bind_front_handler(&Session::on_write_response_header, self()));
  }

  // A 1xx head goes to the client as it is; after 101 the tunnel starts,
  // after any other the final answer is still to come.
  void write_interim(bool switching) {
    auto& body = response_->get().body();
    body.data = nullptr;
    body.size = 0;
    body.more = false;
    response_serializer_.emplace(response_->get());
    lowest().expires_after(settings_.idle_timeout);
    bhttp::async_write(client_, *response_serializer_,
                       [self = self(), switching](error_code ec, std::size_t) {
                         if (ec == bhttp::error::need_buffer) ec = {};
                         if (ec) return self->close_now();
                         self->response_serializer_.reset();
                         if (switching) return self->start_tunnel();
                         self->do_read_response_header();
                       });
  }

  void on_write_response_header(error_code ec, std::size_t) {
    if (ec) return client_gone(ec);
    relay_response_body();
  }

  void relay_response_body() {
    auto& body = response_->get().body();
    if (response_->is_done()) {
      body.data = nullptr;
      body.size = 0;
      body.more = false;
      return write_response_body();
    }
    buffer_.resize(kBufferBytes);
    body.data = buffer_.data();
    body.size = buffer_.size();
    upstream_.expires_after(settings_.idle_timeout);
    bhttp::async_read_some(upstream_, upstream_buffer_, *response_,
                           beast::bind_front_handler(&Session::on_read_response_body, self()));
  }

  void on_read_response_body(error_code ec, std::size_t) {
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) {
      // Part of the answer is out: the client can only learn of the failure
      // by the connection closing early.
      log::warn("proxy: ", backend().name, " broke off its answer to ", what_, " from ", peer_,
                ": ", ec.message());
      return close_now();
    }
    auto& body = response_->get().body();
    body.size = buffer_.size() - body.size;
    body.more = !response_->is_done();
    // An empty buffer must not reach the serializer: chunked, it would be
    // the last chunk.
    body.data = body.size ? buffer_.data() : nullptr;
    if (body.size == 0 && body.more) return relay_response_body();
    write_response_body();
  }

  void write_response_body() {
    lowest().expires_after(settings_.idle_timeout);
    bhttp::async_write(client_, *response_serializer_,
                       beast::bind_front_handler(&Session::on_write_response_body, self()));
  }

  void on_write_response_body(error_code ec, std::size_t) {
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) return client_gone(ec);
    if (!response_serializer_->is_done()) return relay_response_body();
    finish_exchange();
  }

  void finish_exchange() {
    log::detail("proxy: ", peer_, " ", what_, " -> ", backend().name, " ", status_);
    close_upstream();
    response_serializer_.reset();
    response_.reset();
    request_serializer_.reset();
    request_.reset();
    upstream_buffer_.clear();
    if (keep_alive_ && !draining_) return do_read_header();
    close_gracefully();
  }

  void backend_failed(const error_code& ec, const std::string& what) {
    const Backend& b = backend();
    std::ostringstream where;  // "127.0.0.1:27080): cannot connect: ...; answering ..."
    where << b.endpoint << "): " << what << (ec ? ": " + ec.message() : std::string()) << "; answering "
          << what_ << " from " << peer_ << " with 502";
    if (state_->warn_now(route_ == Route::sync ? 1 : 0)) {
      log::warn("proxy: ", b.name, " (", b.key, ", ", where.str(),
                " (more within 10 s are logged at debug)");
    } else {
      log::debug("proxy: ", b.name, " (", b.key, ", ", where.str());
    }
    close_upstream();
    refuse(http::problem_response(kBadGateway, b.name == "ros-syncd"
                                                   ? "the sync service is not available"
                                                   : "the HTTP service is not available"));
  }

  void client_gone(const error_code& ec) {
    log::debug("proxy: ", peer_, " went away during ", what_, ": ", ec.message());
    close_now();
  }

  // --- The WebSocket tunnel ------------------------------------------------

  void start_tunnel() {
    phase_ = Phase::tunnel;
    log::detail("proxy: ", peer_, " ", what_, " -> ", backend().name, " 101 (tunnel)");
    // The deadlines of the HTTP phase no longer apply: the watchdog judges
    // the tunnel as a whole, so a quiet direction is fine while the other
    // one moves.
    lowest().expires_never();
    upstream_.expires_never();
    up_buffer_.resize(kBufferBytes);
    down_buffer_.resize(kBufferBytes);
    touch();
    arm_watchdog();
    // Bytes that came with the heads belong to the tunnel.
    if (client_buffer_.size() > 0) {
      asio::async_write(upstream_, client_buffer_.data(),
                        [self = self()](error_code ec, std::size_t n) {
                          self->client_buffer_.consume(n);
                          self->on_up_written(ec, n);
                        });
    } else {
      read_up();
    }
    if (upstream_buffer_.size() > 0) {
      asio::async_write(client_, upstream_buffer_.data(),
                        [self = self()](error_code ec, std::size_t n) {
                          self->upstream_buffer_.consume(n);
                          self->on_down_written(ec, n);
                        });
    } else {
      read_down();
    }
  }

  void read_up() {
    client_.async_read_some(asio::buffer(up_buffer_),
                            [self = self()](error_code ec, std::size_t n) {
                              if (ec) return self->end_tunnel("the client", ec);
                              self->touch();
                              self->bytes_up_ += n;
                              asio::async_write(self->upstream_, asio::buffer(self->up_buffer_, n),
                                                beast::bind_front_handler(&Session::on_up_written,
                                                                          self));
                            });
  }

  void on_up_written(error_code ec, std::size_t) {
    if (ec) return end_tunnel(backend().name, ec);
    touch();
    read_up();
  }

  void read_down() {
    upstream_.async_read_some(
        asio::buffer(down_buffer_), [self = self()](error_code ec, std::size_t n) {
          if (ec) return self->end_tunnel(self->backend().name, ec);
          self->touch();
          self->bytes_down_ += n;
          asio::async_write(self->client_, asio::buffer(self->down_buffer_, n),
                            beast::bind_front_handler(&Session::on_down_written, self));
        });
  }

  void on_down_written(error_code ec, std::size_t) {
    if (ec) return end_tunnel("the client", ec);
    touch();
    read_down();
  }

  void touch() { last_activity_ = std::chrono::steady_clock::now(); }

  void arm_watchdog() {
    watchdog_.expires_at(last_activity_ + settings_.websocket_idle_timeout);
    watchdog_.async_wait([self = self()](error_code ec) {
      if (ec || self->phase_ != Phase::tunnel) return;
      if (std::chrono::steady_clock::now() - self->last_activity_ >=
          self->settings_.websocket_idle_timeout) {
        return self->end_tunnel("the tunnel", beast::error::timeout);
      }
      self->arm_watchdog();
    });
  }

  void end_tunnel(const std::string& side, const error_code& ec) {
    if (phase_ != Phase::tunnel) return;
    log::detail("proxy: ", peer_, " tunnel to ", backend().name, " closed by ", side, " (",
                ec.message(), ") after ", bytes_up_, " bytes up, ", bytes_down_, " down");
    watchdog_.cancel();
    close_now();
  }

  // --- Answers of the proxy itself, and closing ------------------------------

  // Answers with `response` and closes, reading what the client still sends
  // for a moment first (see kLingerTime).
  void refuse(http::Response response) {
    phase_ = Phase::busy;
    auto out = std::make_shared<bhttp::response<bhttp::string_body>>();
    out->version(11);
    out->result(static_cast<unsigned>(response.status));
    out->set(bhttp::field::server, "ros-proxy");
    out->set(bhttp::field::content_type, response.content_type);
    out->body() = std::move(response.body);
    out->keep_alive(false);
    out->prepare_payload();
    lowest().expires_after(settings_.idle_timeout);
    bhttp::async_write(client_, *out, [self = self(), out](error_code ec, std::size_t) {
      if (ec) return self->close_now();
      self->linger();
    });
  }

  void linger() {
    if constexpr (kTls) {
      close_gracefully();
    } else {
      error_code ignored;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      lowest().expires_after(kLingerTime);
      buffer_.resize(kBufferBytes);
      discard();
    }
  }

  void discard() {
    lowest().async_read_some(asio::buffer(buffer_), [self = self()](error_code ec, std::size_t n) {
      self->lingered_ += n;
      if (ec || self->lingered_ > kLingerBytes) return self->close_now();
      self->discard();
    });
  }

  // Ends the connection politely: TLS sends its close_notify (bounded in
  // time), plain TCP sends FIN.
  void close_gracefully() {
    close_upstream();
    if constexpr (kTls) {
      phase_ = Phase::closed;
      lowest().expires_after(kLingerTime);
      client_.async_shutdown([self = self()](error_code) { self->close_now(); });
    } else {
      error_code ignored;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      close_now();
    }
  }

  void close_now() {
    phase_ = Phase::closed;
    close_upstream();
    watchdog_.cancel();
    lowest().close();
  }

  void close_upstream() {
    error_code ignored;
    if (upstream_.socket().is_open()) {
      upstream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      upstream_.close();
    }
  }

  // Constant after construction.
  const std::shared_ptr<SharedState> state_;
  const Settings& settings_;
  const std::shared_ptr<ssl::context> tls_;  // kept for as long as client_ uses it
  std::string peer_;

  // Strand-owned.
  Stream client_;
  beast::tcp_stream upstream_;
  asio::steady_timer watchdog_;
  std::list<std::weak_ptr<Connection>>::iterator where_;
  bool enrolled_ = false;
  Phase phase_ = Phase::waiting;
  bool draining_ = false;

  // The current exchange.
  beast::flat_buffer client_buffer_;
  beast::flat_buffer upstream_buffer_;
  std::optional<bhttp::request_parser<bhttp::buffer_body>> request_;
  std::optional<bhttp::request_serializer<bhttp::buffer_body>> request_serializer_;
  std::optional<bhttp::response_parser<bhttp::buffer_body>> response_;
  std::optional<bhttp::response_serializer<bhttp::buffer_body>> response_serializer_;
  std::vector<char> buffer_;
  Route route_ = Route::http;
  bool keep_alive_ = false;
  bool upgrade_ = false;
  bool head_request_ = false;
  bool expect_continue_ = false;
  unsigned status_ = 0;
  std::string what_;  // "METHOD target", for the log
  std::size_t lingered_ = 0;

  // The tunnel.
  std::vector<char> up_buffer_;
  std::vector<char> down_buffer_;
  std::chrono::steady_clock::time_point last_activity_;
  std::uint64_t bytes_up_ = 0;
  std::uint64_t bytes_down_ = 0;
};

}  // namespace

void start_session(tcp::socket socket, std::shared_ptr<SharedState> state,
                   std::shared_ptr<ssl::context> tls) {
  if (tls) {
    std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(std::move(socket),
                                                                    std::move(state),
                                                                    std::move(tls))
        ->start();
  } else {
    std::make_shared<Session<beast::tcp_stream>>(std::move(socket), std::move(state), nullptr)
        ->start();
  }
}

}  // namespace ros::proxy
