#include "sync/client/scripted_server.hpp"

#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace ros::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

struct ScriptedServer::State {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::optional<asio::ssl::context> tls;
  mutable std::mutex m;
  std::vector<std::string> received;
  std::string target;
  std::map<std::string, std::string> headers;
  std::vector<std::weak_ptr<tcp::socket>> sockets;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
};

namespace {

template <class Stream>
void serve_upgraded(Stream& ws, ScriptedServer::State& st, const ScriptedServer::Options& options) {
  ws.binary(true);
  for (;;) {
    beast::flat_buffer buffer;
    beast::error_code ec;
    ws.read(buffer, ec);
    if (ec) return;
    std::string message = beast::buffers_to_string(buffer.data());
    {
      std::lock_guard lock(st.m);
      st.received.push_back(message);
    }
    if (!options.reply) continue;
    for (const auto& out : options.reply(message)) {
      ws.write(asio::buffer(out), ec);
      if (ec) return;
    }
  }
}

template <class Stream>
void serve(Stream& stream, ScriptedServer::State& st, const ScriptedServer::Options& options) {
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  beast::error_code ec;
  http::read(stream, buffer, req, ec);
  if (ec) return;
  {
    std::lock_guard lock(st.m);
    st.target = std::string(req.target());
    st.headers.clear();
    for (const auto& field : req) st.headers[std::string(field.name_string())] = std::string(field.value());
  }
  if (options.status != 101) {
    http::response<http::string_body> res{static_cast<http::status>(options.status), 11};
    res.set(http::field::content_type, "text/plain");
    res.set(http::field::connection, "close");
    res.body() = options.refusal_body;
    res.prepare_payload();
    http::write(stream, res, ec);
    return;
  }
  websocket::stream<Stream&> ws(stream);
  ws.set_option(websocket::stream_base::decorator([&](websocket::response_type& res) {
    if (options.protocol) res.set(http::field::sec_websocket_protocol, *options.protocol);
  }));
  ws.accept(req, ec);
  if (ec) return;
  serve_upgraded(ws, st, options);
}

}  // namespace

ScriptedServer::ScriptedServer(Options options) : options_(std::move(options)), state_(std::make_shared<State>()) {
  auto& st = *state_;
  if (!options_.cert_file.empty()) {
    st.tls.emplace(asio::ssl::context::tls_server);
    st.tls->use_certificate_chain_file(options_.cert_file.string());
    st.tls->use_private_key_file(options_.key_file.string(), asio::ssl::context::pem);
  }
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  st.acceptor.open(ep.protocol());
  st.acceptor.set_option(tcp::acceptor::reuse_address(true));
  st.acceptor.bind(ep);
  st.acceptor.listen();
  port_ = st.acceptor.local_endpoint().port();
  accept_thread_ = std::thread([this, state = state_] {
    for (;;) {
      auto socket = std::make_shared<tcp::socket>(state->io);
      beast::error_code ec;
      state->acceptor.accept(*socket, ec);
      if (ec || state->stopping) return;
      ++connections_;
      std::lock_guard lock(state->m);
      state->sockets.push_back(socket);
      state->threads.emplace_back([this, state, socket] {
        if (state->tls) {
          beast::ssl_stream<tcp::socket&> tls_stream(*socket, *state->tls);
          beast::error_code hs;
          tls_stream.handshake(asio::ssl::stream_base::server, hs);
          if (!hs) serve(tls_stream, *state, options_);
        } else {
          serve(*socket, *state, options_);
        }
        // Closed under the lock: drop_connections() shuts sockets down from
        // another thread and must not race with the close.
        std::lock_guard done(state->m);
        beast::error_code ignored;
        socket->close(ignored);
      });
    }
  });
}

ScriptedServer::~ScriptedServer() {
  state_->stopping = true;
  beast::error_code ignored;
  state_->acceptor.cancel(ignored);
  // Wake the blocking accept() with a connection of our own.
  {
    tcp::socket poke(state_->io);
    poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ignored);
  }
  if (accept_thread_.joinable()) accept_thread_.join();
  state_->acceptor.close(ignored);
  drop_connections();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(state_->m);
    threads.swap(state_->threads);
  }
  for (auto& t : threads) t.join();
}

std::vector<std::string> ScriptedServer::received() const {
  std::lock_guard lock(state_->m);
  return state_->received;
}

std::string ScriptedServer::last_target() const {
  std::lock_guard lock(state_->m);
  return state_->target;
}

std::map<std::string, std::string> ScriptedServer::last_headers() const {
  std::lock_guard lock(state_->m);
  return state_->headers;
}

void ScriptedServer::drop_connections() {
  std::lock_guard lock(state_->m);
  for (auto& weak : state_->sockets) {
    // shutdown(2) on the descriptor only: the serving thread, blocked in a
    // read, wakes up and closes the socket itself.
    if (auto s = weak.lock(); s && s->is_open()) ::shutdown(s->native_handle(), SHUT_RDWR);
  }
}

}  // namespace ros::test
