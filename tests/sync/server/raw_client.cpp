#include "sync/server/raw_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace ros::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

const char* const kClientProtocolOffer =
    "com.mongodb.realm-sync#14, com.mongodb.realm-sync#13, com.mongodb.realm-sync#12, "
    "com.mongodb.realm-sync#11, com.mongodb.realm-sync#10, com.mongodb.realm-sync#9, "
    "com.mongodb.realm-sync#8, com.mongodb.realm-sync#7, com.mongodb.realm-sync#6, "
    "com.mongodb.realm-sync#5, com.mongodb.realm-sync#4, com.mongodb.realm-sync#3, "
    "com.mongodb.realm-sync#2";

struct RawSyncClient::Impl {
  net::io_context io;
  websocket::stream<tcp::socket> ws{io};
  beast::flat_buffer buffer;
  int status = 0;
  std::string protocol_header;
  std::string refusal_body;
  bool reading = false;
  bool done = false;  // a read completed
  bool closed = false;
  std::optional<int> close_code;
  std::string message;
};

RawSyncClient::RawSyncClient(std::uint16_t port, const Options& options)
    : impl_(std::make_unique<Impl>()) {
  tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
  impl_->ws.next_layer().connect(endpoint);
  impl_->ws.set_option(websocket::stream_base::decorator([options](websocket::request_type& r) {
    r.set(beast::http::field::user_agent, "ros-test");
    if (options.protocols) r.set(beast::http::field::sec_websocket_protocol, *options.protocols);
    if (options.authorization) r.set(beast::http::field::authorization, *options.authorization);
  }));
  impl_->ws.read_message_max(0);
  websocket::response_type response;
  beast::error_code ec;
  impl_->ws.handshake(response, "127.0.0.1:" + std::to_string(port), options.target, ec);
  impl_->status = static_cast<int>(response.result_int());
  if (auto it = response.find(beast::http::field::sec_websocket_protocol); it != response.end()) {
    impl_->protocol_header = std::string(it->value());
  }
  impl_->refusal_body = response.body();
  if (ec) impl_->closed = true;
  impl_->ws.binary(true);
}

RawSyncClient::~RawSyncClient() {
  if (!impl_) return;
  beast::error_code ignored;
  impl_->ws.next_layer().close(ignored);
}

RawSyncClient::RawSyncClient(RawSyncClient&&) noexcept = default;
RawSyncClient& RawSyncClient::operator=(RawSyncClient&&) noexcept = default;

int RawSyncClient::status() const { return impl_->status; }
const std::string& RawSyncClient::protocol_header() const { return impl_->protocol_header; }
const std::string& RawSyncClient::refusal_body() const { return impl_->refusal_body; }
bool RawSyncClient::closed() const { return impl_->closed; }
std::optional<int> RawSyncClient::close_code() const { return impl_->close_code; }

void RawSyncClient::send(const std::string& bytes) {
  beast::error_code ec;
  impl_->ws.write(net::buffer(bytes), ec);
  if (ec) impl_->closed = true;
}

std::optional<std::string> RawSyncClient::receive(std::chrono::milliseconds timeout) {
  Impl& s = *impl_;
  if (s.closed) return std::nullopt;
  if (!s.reading) {
    s.reading = true;
    s.done = false;
    s.ws.async_read(s.buffer, [&s](beast::error_code ec, std::size_t) {
      s.reading = false;
      s.done = true;
      if (ec) {
        s.closed = true;
        if (ec == websocket::error::closed) s.close_code = static_cast<int>(s.ws.reason().code);
        return;
      }
      s.message = beast::buffers_to_string(s.buffer.data());
      s.buffer.consume(s.buffer.size());
    });
  }
  s.io.restart();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!s.done && std::chrono::steady_clock::now() < deadline) {
    s.io.run_one_for(deadline - std::chrono::steady_clock::now());
  }
  if (!s.done || s.closed) return std::nullopt;
  s.done = false;
  return std::move(s.message);
}

}  // namespace ros::test
