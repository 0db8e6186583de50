#include "proxy/echo_backend.hpp"

#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

namespace ros::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;

class WsEcho : public std::enable_shared_from_this<WsEcho> {
 public:
  explicit WsEcho(beast::tcp_stream stream) : ws_(std::move(stream)) {}

  void accept(bhttp::request<bhttp::string_body> request) {
    request_ = std::move(request);
    ws_.read_message_max(64 << 20);
    ws_.async_accept(request_, [self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }

 private:
  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->ws_.text(self->ws_.got_text());
      self->ws_.async_write(self->buffer_.data(),
                            [self](beast::error_code ec, std::size_t) {
                              if (ec) return;
                              self->buffer_.consume(self->buffer_.size());
                              self->read();
                            });
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  bhttp::request<bhttp::string_body> request_;
  beast::flat_buffer buffer_;
};

class HttpEcho : public std::enable_shared_from_this<HttpEcho> {
 public:
  explicit HttpEcho(tcp::socket socket) : stream_(std::move(socket)) {}

  void read() {
    parser_.emplace();
    parser_->body_limit(256 << 20);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return;
                        self->on_request();
                      });
  }

 private:
  void on_request() {
    auto request = parser_->release();
    if (websocket::is_upgrade(request)) {
      std::make_shared<WsEcho>(std::move(stream_))->accept(std::move(request));
      return;
    }
    auto response = std::make_shared<bhttp::response<bhttp::string_body>>(bhttp::status::ok, 11);
    if (request.target() == "/headers") {
      nlohmann::json headers = nlohmann::json::object();
      for (const auto& field : request) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        headers[name] = std::string(field.value());
      }
      response->set(bhttp::field::content_type, "application/json");
      response->body() = nlohmann::json{{"method", std::string(request.method_string())},
                                         {"target", std::string(request.target())},
                                         {"headers", headers},
                                         {"body_size", request.body().size()}}
                             .dump();
    } else {
      response->set(bhttp::field::content_type, "application/octet-stream");
      response->body() = std::move(request.body());
    }
    response->keep_alive(request.keep_alive());
    if (request.target() == "/chunked") {
      response->chunked(true);
    } else {
      response->prepare_payload();
    }
    bhttp::async_write(stream_, *response,
                       [self = shared_from_this(), response](beast::error_code ec, std::size_t) {
                         if (ec || !response->keep_alive()) {
                           beast::error_code ignored;
                           self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                           return;
                         }
                         self->read();
                       });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
};

}  // namespace

struct EchoBackend::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::thread thread;

  void accept() {
    acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      std::make_shared<HttpEcho>(std::move(socket))->read();
      accept();
    });
  }
};

EchoBackend::EchoBackend() : impl_(std::make_unique<Impl>()) {
  impl_->accept();
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

EchoBackend::~EchoBackend() {
  impl_->io.stop();
  impl_->thread.join();
}

std::uint16_t EchoBackend::port() const { return impl_->acceptor.local_endpoint().port(); }

}  // namespace ros::test
