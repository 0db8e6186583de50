#include "proxy/server.hpp"

#include <chrono>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "log/logger.hpp"
#include "proxy/session.hpp"

namespace ros::proxy {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

// One listening socket. Its handlers hold a shared_ptr to it, so it lives
// until its last accept has completed.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& io, std::shared_ptr<SharedState> state, const TlsCertificate* tls)
      : io_(io),
        acceptor_(asio::make_strand(io)),
        pause_(acceptor_.get_executor()),
        state_(std::move(state)),
        tls_(tls) {}

  Result<std::uint16_t> listen(const std::string& address, std::uint16_t port) {
    error_code ec;
    auto ip = asio::ip::make_address(address, ec);
    if (ec) return make_error(Errc::invalid_argument, "'" + address + "' is not an IP address");
    tcp::endpoint endpoint(ip, port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      error_code ignored;
      acceptor_.close(ignored);
      return make_error(Errc::unavailable, "cannot listen on " + address + " port " +
                                               std::to_string(port) + ": " + ec.message());
    }
    accept();
    auto bound = acceptor_.local_endpoint(ec);
    return static_cast<std::uint16_t>(ec ? port : bound.port());
  }

  void stop() {
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
      error_code ignored;
      self->acceptor_.close(ignored);
      self->pause_.cancel();
    });
  }

 private:
  void accept() {
    acceptor_.async_accept(asio::make_strand(io_), [self = shared_from_this()](
                                                       error_code ec, tcp::socket socket) {
      self->on_accept(ec, std::move(socket));
    });
  }

  void on_accept(error_code ec, tcp::socket socket) {
    if (!acceptor_.is_open()) return;
    if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
        ec == asio::error::no_memory) {
      warn_now_and_then("proxy: cannot accept (" + ec.message() + "); pausing 100 ms");
      pause_.expires_after(std::chrono::milliseconds(100));
      pause_.async_wait([self = shared_from_this()](error_code ec) {
        if (!ec) self->accept();
      });
      return;
    }
    if (ec) {
      if (ec != asio::error::operation_aborted) log::debug("proxy: accept failed: ", ec.message());
    } else if (state_->open.load() >= state_->settings.max_connections) {
      warn_now_and_then("proxy: connection limit (" +
                        std::to_string(state_->settings.max_connections) +
                        ", proxy.max_connections) reached; closing new connections");
      error_code ignored;
      socket.close(ignored);
    } else {
      state_->open.fetch_add(1);
      start_session(std::move(socket), state_, tls_ ? tls_->current() : nullptr);
    }
    accept();
  }

  // At most one such warning a minute, so a flood does not flood the log.
  void warn_now_and_then(const std::string& message) {
    auto now = std::chrono::steady_clock::now();
    if (now - last_warning_ < std::chrono::minutes(1) && warned_) return;
    warned_ = true;
    last_warning_ = now;
    log::warn(message);
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  asio::steady_timer pause_;
  const std::shared_ptr<SharedState> state_;
  const TlsCertificate* const tls_;  // null: plain; owned by the daemon, outlives the io_context run
  std::chrono::steady_clock::time_point last_warning_{};
  bool warned_ = false;
};

Server::Server(asio::io_context& io, Settings settings)
    : io_(io), state_(std::make_shared<SharedState>(std::move(settings))) {}

Server::~Server() = default;

Result<std::uint16_t> Server::listen(const std::string& address, std::uint16_t port,
                                     const TlsCertificate* tls) {
  auto listener = std::make_shared<Listener>(io_, state_, tls);
  auto listening = listener->listen(address, port);
  if (listening) listeners_.push_back(std::move(listener));
  return listening;
}

void Server::stop() {
  for (auto& listener : listeners_) listener->stop();
  state_->drain_all();
}

}  // namespace ros::proxy
