#include "sync/client/transport.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <openssl/ssl.h>

namespace ros::sync::client {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

template <class Stream>
class WsTransport final : public Transport, public std::enable_shared_from_this<WsTransport<Stream>> {
 public:
  template <class... Args>
  WsTransport(asio::io_context& io, TransportOptions options, Args&&... args)
      : options_(std::move(options)), resolver_(io), ws_(std::forward<Args>(args)...) {}

  void open(OpenHandler handler) override {
    handler_ = std::move(handler);
    beast::get_lowest_layer(ws_).expires_after(options_.connect_timeout);
    auto self = this->shared_from_this();
    resolver_.async_resolve(options_.url.host, std::to_string(options_.url.port),
                            [self](error_code ec, tcp::resolver::results_type results) {
                              if (ec) return self->finish_open(ec);
                              beast::get_lowest_layer(self->ws_).async_connect(
                                  results, [self](error_code ec2, const tcp::endpoint&) {
                                    if (ec2) return self->finish_open(ec2);
                                    self->after_connect();
                                  });
                            });
  }

  void read(ReadHandler handler) override {
    auto self = this->shared_from_this();
    buffer_.clear();
    ws_.async_read(buffer_, [self, handler = std::move(handler)](error_code ec, std::size_t) mutable {
      if (ec) return handler(ec, std::string());
      if (!self->ws_.got_binary()) return self->read(std::move(handler));  // text: ignored
      handler(ec, beast::buffers_to_string(self->buffer_.data()));
    });
  }

  void write(std::string message, WriteHandler handler) override {
    auto self = this->shared_from_this();
    auto data = std::make_shared<std::string>(std::move(message));
    ws_.binary(true);
    ws_.async_write(asio::buffer(*data), [self, data, handler = std::move(handler)](error_code ec, std::size_t) {
      handler(ec);
    });
  }

  void close() override {
    error_code ignored;
    resolver_.cancel();
    auto& socket = beast::get_lowest_layer(ws_).socket();
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

 private:
  void after_connect() {
    auto self = this->shared_from_this();
    if constexpr (std::is_same_v<Stream, websocket::stream<beast::ssl_stream<beast::tcp_stream>>>) {
      auto& ssl = ws_.next_layer();
      const std::string& host = options_.url.host;
      error_code ec;
      asio::ip::make_address(host, ec);
      if (ec) {  // SNI only for names, as RFC 6066 asks
        if (!SSL_set_tlsext_host_name(ssl.native_handle(), host.c_str())) {
          return finish_open(error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()));
        }
      }
      if (options_.verify_peer) {
        ssl.set_verify_mode(asio::ssl::verify_peer);
        ssl.set_verify_callback(asio::ssl::host_name_verification(host));
      } else {
        ssl.set_verify_mode(asio::ssl::verify_none);
      }
      ssl.async_handshake(asio::ssl::stream_base::client, [self](error_code ec2) {
        if (ec2) return self->finish_open(ec2);
        self->upgrade();
      });
    } else {
      upgrade();
    }
  }

  void upgrade() {
    auto self = this->shared_from_this();
    // The connect deadline keeps running through the upgrade; the websocket
    // layer's own timer is not used (it would send WebSocket pings).
    ws_.set_option(websocket::stream_base::timeout{options_.connect_timeout,
                                                   websocket::stream_base::none(), false});
    ws_.set_option(websocket::stream_base::decorator([ua = options_.user_agent](websocket::request_type& req) {
      req.set(beast::http::field::sec_websocket_protocol, offered_protocols());
      req.set(beast::http::field::user_agent, ua);
    }));
    ws_.read_message_max(options_.max_message_size);
    ws_.auto_fragment(false);
    ws_.async_handshake(response_, options_.url.host_header(), options_.target, [self](error_code ec) {
      beast::get_lowest_layer(self->ws_).expires_never();
      // A response was read when the handshake succeeded or failed on its
      // contents (websocket errors); not on a timeout or a reset.
      self->got_response_ =
          !ec || ec.category() == make_error_code(websocket::error::upgrade_declined).category();
      self->finish_open(ec);
    });
  }

  void finish_open(error_code ec) {
    HandshakeResult result;
    result.status = got_response_ ? static_cast<int>(response_.result_int()) : 0;
    auto it = response_.find(beast::http::field::sec_websocket_protocol);
    if (it != response_.end()) result.protocol = std::string(it->value());
    result.body = response_.body();
    if (handler_) {
      auto h = std::move(handler_);
      handler_ = nullptr;
      h(ec, std::move(result));
    }
  }

  TransportOptions options_;
  tcp::resolver resolver_;
  Stream ws_;
  beast::flat_buffer buffer_;
  websocket::response_type response_;
  OpenHandler handler_;
  bool got_response_ = false;
};

}  // namespace

std::shared_ptr<Transport> make_transport(asio::io_context& io, TransportOptions options) {
  if (options.url.tls) {
    using S = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;
    auto* tls = options.tls;
    return std::make_shared<WsTransport<S>>(io, std::move(options), io, *tls);
  }
  using S = websocket::stream<beast::tcp_stream>;
  return std::make_shared<WsTransport<S>>(io, std::move(options), io);
}

}  // namespace ros::sync::client
