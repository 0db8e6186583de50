#include "proxy/clients.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace ros::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

struct WsClient::Impl {
  asio::io_context io;
  ssl::context tls{ssl::context::tls_client};
  std::unique_ptr<websocket::stream<beast::tcp_stream>> plain;
  std::unique_ptr<websocket::stream<beast::ssl_stream<beast::tcp_stream>>> secure;
  beast::flat_buffer buffer;

  template <class F>
  auto with(F f) {
    return plain ? f(*plain) : f(*secure);
  }
};

WsClient::WsClient(std::uint16_t port, const std::string& target,
                   std::optional<std::filesystem::path> ca)
    : impl_(std::make_unique<Impl>()) {
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  if (ca) {
    impl_->tls.load_verify_file(ca->string());
    impl_->tls.set_verify_mode(ssl::verify_peer);
    impl_->secure = std::make_unique<websocket::stream<beast::ssl_stream<beast::tcp_stream>>>(
        impl_->io, impl_->tls);
    auto& layer = beast::get_lowest_layer(*impl_->secure);
    layer.expires_after(std::chrono::seconds(30));
    layer.connect(endpoint);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(impl_->secure->next_layer().native_handle()),
                                  "127.0.0.1");
    impl_->secure->next_layer().handshake(ssl::stream_base::client);
    layer.expires_never();
  } else {
    impl_->plain = std::make_unique<websocket::stream<beast::tcp_stream>>(impl_->io);
    beast::get_lowest_layer(*impl_->plain).connect(endpoint);
  }
  impl_->with([&](auto& ws) {
    ws.read_message_max(64 << 20);
    ws.handshake("127.0.0.1:" + std::to_string(port), target);
    return 0;
  });
}

WsClient::~WsClient() {
  impl_->with([](auto& ws) {
    beast::error_code ignored;
    beast::get_lowest_layer(ws).socket().close(ignored);
    return 0;
  });
}

void WsClient::send(const std::string& message, bool binary) {
  impl_->with([&](auto& ws) {
    ws.binary(binary);
    ws.write(asio::buffer(message));
    return 0;
  });
}

std::string WsClient::receive() {
  return impl_->with([&](auto& ws) {
    beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(30));
    impl_->buffer.clear();
    ws.read(impl_->buffer);
    beast::get_lowest_layer(ws).expires_never();
    return beast::buffers_to_string(impl_->buffer.data());
  });
}

bool WsClient::wait_closed() {
  return impl_->with([&](auto& ws) {
    beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(30));
    beast::error_code ec;
    impl_->buffer.clear();
    while (!ec) ws.read(impl_->buffer, ec);
    return ec != beast::error::timeout;
  });
}

std::string tls_handshake(std::uint16_t port, int min_version, int max_version,
                          const std::filesystem::path& ca) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  // Level 0 lets this client offer old versions, so that a refusal is the
  // server's, not the client library's.
  SSL_CTX_set_security_level(ctx, 0);
  SSL_CTX_set_min_proto_version(ctx, min_version);
  SSL_CTX_set_max_proto_version(ctx, max_version);
  SSL_CTX_load_verify_locations(ctx, ca.c_str(), nullptr);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string result;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    result = "connect failed";
  } else {
    SSL* ssl = SSL_new(ctx);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1");
    SSL_set_fd(ssl, fd);
    ERR_clear_error();
    if (SSL_connect(ssl) != 1) {
      unsigned long code = ERR_get_error();
      const char* reason = code ? ERR_reason_error_string(code) : nullptr;
      result = reason ? reason : "handshake failed";
    } else {
      SSL_shutdown(ssl);
    }
    SSL_free(ssl);
  }
  ::close(fd);
  SSL_CTX_free(ctx);
  ERR_clear_error();
  return result;
}

RawConnection::RawConnection(std::uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    throw std::runtime_error("connect failed");
  }
}

RawConnection::~RawConnection() { ::close(fd_); }

void RawConnection::send(const std::string& bytes) {
  if (::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(bytes.size())) {
    throw std::runtime_error("send failed");
  }
}

bool RawConnection::wait_closed(std::string* received) {
  timeval timeout{30, 0};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  char buffer[4096];
  for (;;) {
    ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;
    if (received) received->append(buffer, static_cast<std::size_t>(n));
  }
}

bool RawConnection::read_until(const std::string& marker, std::string* received) {
  timeval timeout{30, 0};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  char c = 0;
  // One byte at a time: nothing after the marker is taken from the socket.
  while (received->find(marker) == std::string::npos) {
    if (::recv(fd_, &c, 1, 0) != 1) return false;
    received->push_back(c);
  }
  return true;
}

}  // namespace ros::test
