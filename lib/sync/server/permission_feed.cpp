#include "sync/server/permission_feed.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

#include "log/logger.hpp"

namespace ros::sync::server {

namespace net = boost::asio;
using local = net::local::stream_protocol;
using nlohmann::json;

struct PermissionFeed::State : std::enable_shared_from_this<PermissionFeed::State> {
  State(net::io_context& io, std::filesystem::path path, Recheck recheck)
      : strand(net::make_strand(io)),
        socket(strand),
        timer(strand),
        path(std::move(path)),
        recheck(std::move(recheck)) {}

  net::strand<net::io_context::executor_type> strand;
  local::socket socket;
  net::steady_timer timer;
  net::streambuf buffer;
  const std::filesystem::path path;
  const Recheck recheck;
  bool stopped = false;
  bool reported_down = false;

  bool connect_now() {
    boost::system::error_code ec;
    socket = local::socket(strand);
    socket.connect(local::endpoint(path.string()), ec);
    if (!ec) {
      static const std::string request = R"({"id":1,"op":"perm.changed","args":{}})" "\n";
      net::write(socket, net::buffer(request), ec);
    }
    if (ec) {
      if (!reported_down) {
        log::warn("cannot follow permission changes on '", path.string(), "': ", ec.message(),
                     " (is ros-authd running?); trying every second");
        reported_down = true;
      }
      boost::system::error_code ignored;
      socket.close(ignored);
      return false;
    }
    log::info("following permission changes on '", path.string(), "'");
    reported_down = false;
    buffer.consume(buffer.size());
    recheck(std::nullopt, std::nullopt);  // anything may have changed meanwhile
    return true;
  }

  void retry_later() {
    if (stopped) return;
    timer.expires_after(std::chrono::seconds(1));
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->stopped) return;
      if (self->connect_now()) {
        self->read_next();
      } else {
        self->retry_later();
      }
    });
  }

  void read_next() {
    net::async_read_until(socket, buffer, '\n',
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                            if (self->stopped) return;
                            if (ec) {
                              log::warn("permission change feed from ros-authd ended: ",
                                           ec.message());
                              self->retry_later();
                              return;
                            }
                            std::string line(net::buffers_begin(self->buffer.data()),
                                             net::buffers_begin(self->buffer.data()) + n);
                            self->buffer.consume(n);
                            self->on_line(line);
                            self->read_next();
                          });
  }

  void on_line(const std::string& line) {
    json reply = json::parse(line, nullptr, false);
    if (reply.is_discarded() || !reply.is_object()) return;
    if (!reply.value("ok", false)) {
      log::warn("ros-authd refused the permission change feed: ", line);
      return;
    }
    const json& notice = reply.contains("result") ? reply["result"] : json();
    if (!notice.is_object()) return;
    if (notice.contains("lost")) {
      recheck(std::nullopt, std::nullopt);
      return;
    }
    if (!notice.contains("event")) return;  // the "subscribed" line
    std::optional<std::string> identity;
    std::optional<std::string> realm;
    if (notice.contains("user") && notice["user"].is_string() && notice["user"] != "*") {
      identity = notice["user"].get<std::string>();
    }
    if (notice.contains("realm") && notice["realm"].is_string()) {
      realm = notice["realm"].get<std::string>();
    }
    log::debug("permission change: ", notice.dump());
    recheck(identity, realm);
  }
};

PermissionFeed::PermissionFeed(net::io_context& io, std::filesystem::path authd_socket,
                               Recheck recheck)
    : state_(std::make_shared<State>(io, std::move(authd_socket), std::move(recheck))) {}

PermissionFeed::~PermissionFeed() { stop(); }

void PermissionFeed::start() {
  if (state_->connect_now()) {
    net::post(state_->strand, [s = state_] { s->read_next(); });
  } else {
    net::post(state_->strand, [s = state_] { s->retry_later(); });
  }
}

void PermissionFeed::stop() {
  net::post(state_->strand, [s = state_] {
    s->stopped = true;
    boost::system::error_code ignored;
    s->timer.cancel();
    s->socket.close(ignored);
  });
}

}  // namespace ros::sync::server
