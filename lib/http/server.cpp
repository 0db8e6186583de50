#include "http/server.hpp"

#include <array>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "daemon/accept_backoff.hpp"
#include "http/problem.hpp"
#include "log/logger.hpp"

namespace ros::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

bool is_loopback(const asio::ip::address& address) {
  if (address.is_loopback()) return true;
  return address.is_v6() && address.to_v6().is_v4_mapped() &&
         asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).is_loopback();
}

// The client's address: a local proxy (ros-proxy) names it in X-Forwarded-For.
std::string client_address(const tcp::endpoint& peer, const std::string& forwarded_for) {
  if (is_loopback(peer.address()) && !forwarded_for.empty()) {
    std::string first = forwarded_for.substr(0, forwarded_for.find(','));
    auto start = first.find_first_not_of(' ');
    auto end = first.find_last_not_of(' ');
    if (start != std::string::npos) return first.substr(start, end - start + 1);
  }
  return peer.address().to_string();
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Server::State> state)
      : stream_(std::move(socket)), state_(std::move(state)) {
    beast::error_code ec;
    peer_ = stream_.socket().remote_endpoint(ec);
  }
  ~Session() { state_->open.fetch_sub(1); }

  void run() {
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&Session::do_read, shared_from_this()));
  }

 private:
  void do_read() {
    parser_.emplace();
    parser_->body_limit(state_->limits.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(state_->limits.max_header_bytes));
    stream_.expires_after(state_->limits.read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::eof) {
      return close();
    }
    if (ec == bhttp::error::body_limit) {
      return send_problem(problem_response(problems::kPayloadTooLarge,
                                           "the body exceeds " +
                                               std::to_string(state_->limits.max_body_bytes) +
                                               " bytes"));
    }
    if (ec == bhttp::error::header_limit) {
      Response r = problem_response(problems::kBadRequest, "the request headers are too large");
      r.status = 431;
      return send_problem(std::move(r));
    }
    if (ec) {
      return send_problem(problem_response(problems::kBadRequest, ec.message()));
    }

    const auto& in = parser_->get();
    Request request;
    request.method = std::string(in.method_string());
    request.target = std::string(in.target());
    for (const auto& field : in) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers[name] = std::string(field.value());
    }
    request.body = in.body();
    request.peer = client_address(peer_, request.header("x-forwarded-for"));

    Response response;
    try {
      response = state_->handler(request);
    } catch (const std::exception& e) {
      log::error("http: handler failed for ", request.method, " ", request.path(), ": ", e.what());
      response = problem_response(problems::kInternal);
    }
    send(std::move(response), in.keep_alive());
  }

  void send_problem(Response response) { send(std::move(response), false); }

  void send(Response response, bool keep_alive) {
    auto out = std::make_shared<bhttp::response<bhttp::string_body>>();
    out->version(11);
    out->result(static_cast<unsigned>(response.status));
    out->set(bhttp::field::server, "ros");
    // An empty content type means a body-less answer (clients that parse
    // every JSON-typed body would choke on an empty one).
    if (!response.content_type.empty()) out->set(bhttp::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) out->set(name, value);
    out->body() = std::move(response.body);
    out->keep_alive(keep_alive);
    out->prepare_payload();
    response_ = out;
    stream_.expires_after(state_->limits.read_timeout);
    bhttp::async_write(stream_, *out,
                       beast::bind_front_handler(&Session::on_write, shared_from_this(),
                                                 out->need_eof()));
  }

  void on_write(bool close_after, beast::error_code ec, std::size_t) {
    response_.reset();
    if (ec) return close();
    if (close_after) return parser_ && !parser_->is_done() ? linger() : close();
    do_read();
  }

  // After answering a request whose body was not read (too large, say), the
  // client may still be sending it: closing now would reset the connection
  // and lose our answer in flight. So stop sending, then read and discard
  // what comes, bounded in bytes and time, before closing.
  void linger() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTime);
    discard();
  }

  void discard() {
    stream_.async_read_some(asio::buffer(discard_buffer_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->discarded_ += n;
                              if (ec || self->discarded_ > kLingerBytes) return self->close();
                              self->discard();
                            });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  std::shared_ptr<Server::State> state_;
  tcp::endpoint peer_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<bhttp::response<bhttp::string_body>> response_;
  static constexpr std::chrono::seconds kLingerTime{5};
  static constexpr std::size_t kLingerBytes = 64 << 20;
  std::array<char, 16384> discard_buffer_{};
  std::size_t discarded_ = 0;
};

}  // namespace

Server::Server(asio::io_context& io, Handler handler, ServerLimits limits)
    : io_(io),
      acceptor_(asio::make_strand(io)),
      accept_pause_(acceptor_.get_executor()),
      state_(std::make_shared<State>()) {
  state_->handler = std::move(handler);
  state_->limits = limits;
}

Server::~Server() {
  beast::error_code ignored;
  acceptor_.close(ignored);
}

Result<void> Server::listen(const std::string& address, std::uint16_t port) {
  beast::error_code ec;
  auto ip = asio::ip::make_address(address, ec);
  if (ec) return make_error(Errc::invalid_argument, "'" + address + "' is not an IP address");
  tcp::endpoint endpoint(ip, port);
  const std::string where = address + ":" + std::to_string(port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    acceptor_.close(ignored);
    return make_error(Errc::unavailable, "cannot listen on " + where + ": " + ec.message());
  }
  accept();
  return {};
}

std::uint16_t Server::port() const {
  beast::error_code ec;
  auto endpoint = acceptor_.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

void Server::stop() {
  asio::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
    accept_pause_.cancel();
  });
}

void Server::accept() {
  acceptor_.async_accept(asio::make_strand(io_), [this, state = state_](beast::error_code ec,
                                                                       tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (daemon::accept_should_pause(ec)) {
      // Accepting again at once would fail again at once: spin.
      if (daemon::accept_warn_due(accept_warned_)) {
        log::warn("http: cannot accept (", ec.message(), "); pausing accepts for ",
                  daemon::kAcceptPause.count(), " ms");
      }
      accept_pause_.expires_after(daemon::kAcceptPause);
      accept_pause_.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec) accept();
      });
      return;
    }
    if (!ec) {
      if (state->open.load() >= state->limits.max_connections) {
        log::warn("http: connection limit (", state->limits.max_connections,
                  ") reached; closing a new connection");
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        state->open.fetch_add(1);
        std::make_shared<Session>(std::move(socket), state)->run();
      }
    } else {
      log::warn("http: accept failed: ", ec.message());
    }
    accept();
  });
}

}  // namespace ros::http
