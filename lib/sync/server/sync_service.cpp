#include "sync/server/sync_service.hpp"

#include <algorithm>
#include <chrono>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "daemon/accept_backoff.hpp"
#include "log/logger.hpp"
#include "sync/protocol/negotiation.hpp"
#include "sync/server/connection.hpp"
#include "sync/server/rights.hpp"
#include "sync/server/upgrade.hpp"

namespace ros::sync::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The address a connection counts against for max_connections_per_address:
// the peer's, or for a request relayed by ros-proxy from loopback, the last
// address in X-Forwarded-For.
std::string client_key(const tcp::endpoint& peer, const http::request<http::string_body>& req) {
  std::string address = peer.address().to_string();
  if (peer.address().is_loopback()) {
    auto forwarded = req["X-Forwarded-For"];
    if (!forwarded.empty()) {
      auto comma = forwarded.rfind(',');
      auto last = comma == beast::string_view::npos ? forwarded : forwarded.substr(comma + 1);
      while (!last.empty() && last.front() == ' ') last.remove_prefix(1);
      return std::string(last);
    }
  }
  return address;
}

// The client's address for the log: client_key, naming the proxy when relayed.
std::string client_address(const tcp::endpoint& peer, const http::request<http::string_body>& req) {
  std::string key = client_key(peer, req);
  std::string address = peer.address().to_string();
  return key == address ? key : key + " (via " + address + ")";
}

// One HTTP request on a new connection: the upgrade, or a refusal.
class UpgradeRequest : public std::enable_shared_from_this<UpgradeRequest> {
 public:
  UpgradeRequest(SyncService& service, tcp::socket socket)
      : service_(service), stream_(std::move(socket)) {}

  void start(bool over_capacity) {
    over_capacity_ = over_capacity;
    beast::error_code ec;
    peer_ = stream_.socket().remote_endpoint(ec);
    parser_.header_limit(64 * 1024);  // request lines with long tokens (1.1)
    parser_.body_limit(64 * 1024);
    stream_.expires_after(service_.limits().handshake_timeout);
    http::async_read(stream_, buffer_, parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return;  // the client went away or sent garbage
                       self->handle();
                     });
  }

 private:
  void refuse(http::status status, std::string text) {
    ++service_.stats().upgrades_refused;
    auto response = std::make_shared<http::response<http::string_body>>(status, 11);
    response->set(http::field::server, "ros-syncd/" ROS_VERSION);
    response->set(http::field::content_type, "text/plain");
    response->set(http::field::connection, "close");
    response->body() = std::move(text) + "\n";
    response->prepare_payload();
    http::async_write(stream_, *response,
                      [self = shared_from_this(), response](beast::error_code, std::size_t) {
                        beast::error_code ignored;
                        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
                      });
  }

  void handle() {
    auto request = parser_.release();
    const std::string address = client_address(peer_, request);
    std::string target(request.target());
    auto sync_target = parse_sync_target(target);
    if (!sync_target) {
      refuse(http::status::not_found, "not found: ros-syncd serves only /realm-sync and "
                                      "/api/client/v2.0/app/<app id>/realm-sync");
      return;
    }
    if (!beast::websocket::is_upgrade(request)) {
      refuse(http::status::bad_request, "expected a WebSocket upgrade request");
      return;
    }
    if (over_capacity_) {
      log::warn("sync connection from ", address, " refused: too many connections");
      refuse(http::status::service_unavailable, "too many connections; try again later");
      return;
    }
    // Counted by the client's address (behind ros-proxy, the forwarded one).
    auto address_claim = service_.claim_address(client_key(peer_, request));
    if (!address_claim) {
      log::warn("sync connection from ", address, " refused: ",
                service_.limits().max_connections_per_address,
                " connections from that address (sync.max_connections_per_address)");
      refuse(http::status::service_unavailable,
             "too many connections from your address; try again later");
      return;
    }
    auto authorization = request[http::field::authorization];
    auto token = request_token(*sync_target,
                               std::string_view(authorization.data(), authorization.size()));
    std::optional<auth::TokenClaims> claims;
    if (token && !token->empty()) {
      auto verified = authorize_upgrade(service_.verifier(), token, unix_now());
      // A removed user's, a superseded or a revoked admin token: 401 too.
      Result<void> usable = verified ? service_.check_token(*verified) : Result<void>{};
      if (!verified || !usable) {
        const auto& why = !verified ? verified.error().message : usable.error().message;
        log::info("sync connection from ", address, " refused: ", why);
        refuse(http::status::unauthorized, "bad access token: " + why);
        return;
      }
      // An App Services token opens only its own app's sync route
      // (app-services.md 2.4).
      if (sync_target->app_id && verified->app_id && *verified->app_id != *sync_target->app_id) {
        log::info("sync connection from ", address, " refused: a token of app '",
                  *verified->app_id, "' at the route of app '", *sync_target->app_id, "'");
        refuse(http::status::unauthorized, "bad access token: it was issued for another app");
        return;
      }
      claims = std::move(*verified);
    }
    // No token at all: only clients that put one in each BIND get further.
    std::optional<std::string_view> offer;
    if (auto it = request.find(http::field::sec_websocket_protocol); it != request.end()) {
      offer = std::string_view(it->value().data(), it->value().size());
    }
    auto negotiated = protocol::negotiate(offer);
    if (!negotiated) {
      refuse(http::status::bad_request, negotiated.error().message);
      return;
    }
    auto connection = std::make_shared<Connection>(service_, std::move(stream_), address,
                                                   std::move(claims), negotiated->version);
    connection->hold(std::move(address_claim));
    service_.add_connection(connection);
    connection->start(std::move(request), negotiated->header_value);
  }

  SyncService& service_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request_parser<http::string_body> parser_;
  tcp::endpoint peer_;
  bool over_capacity_ = false;
};

}  // namespace

SyncService::SyncService(net::io_context& io, net::any_io_executor storage, Options options)
    // The acceptor has its own strand: stop() closes it from another thread
    // while an accept may be completing on one of the io threads.
    : io_(io),
      storage_(std::move(storage)),
      options_(std::move(options)),
      acceptor_(net::make_strand(io)),
      accept_pause_(acceptor_.get_executor()),
      sweep_timer_(net::make_strand(io)) {}

SyncService::~SyncService() = default;

Result<void> SyncService::listen(const std::string& address, std::uint16_t port) {
  beast::error_code ec;
  auto ip = net::ip::make_address(address, ec);
  if (ec) return make_error(Errc::invalid_argument, "bad listen address '" + address + "'");
  tcp::endpoint endpoint(ip, port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return make_error(Errc::unavailable, "cannot listen on " + address + ":" +
                                             std::to_string(port) + ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  accept_next();
  sweep_idle_realms();
  return {};
}

void SyncService::sweep_idle_realms() {
  // Often enough that a Realm closes within a few seconds of its timeout.
  const auto every = std::clamp<std::chrono::steady_clock::duration>(
      options_.limits.realm_idle_timeout / 4, std::chrono::seconds(1), std::chrono::seconds(15));
  sweep_timer_.expires_after(every);
  sweep_timer_.async_wait([this](beast::error_code ec) {
    if (ec) return;
    std::vector<std::shared_ptr<ServerRealm>> all;
    {
      std::lock_guard lock(mutex_);
      if (stopped_) return;
      for (auto& [path, realm] : realms_) all.push_back(realm);
    }
    for (auto& realm : all) realm->close_if_idle();
    sweep_idle_realms();
  });
}

void SyncService::accept_next() {
  acceptor_.async_accept(net::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
      if (daemon::accept_should_pause(ec)) {
        // Out of descriptors: accepting again at once fails again at once.
        if (daemon::accept_warn_due(accept_warned_)) {
          log::warn("cannot accept sync connections (", ec.message(), "); pausing accepts for ",
                    daemon::kAcceptPause.count(), " ms");
        }
        accept_pause_.expires_after(daemon::kAcceptPause);
        accept_pause_.async_wait([this](beast::error_code wait_ec) {
          if (!wait_ec) accept_next();
        });
        return;
      }
      log::warn("accepting a sync connection failed: ", ec.message());
    } else {
      const bool over = static_cast<std::uint64_t>(stats_.connections.load()) >=
                        options_.limits.max_connections;
      std::make_shared<UpgradeRequest>(*this, std::move(socket))->start(over);
    }
    accept_next();
  });
}

void SyncService::stop() {
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    for (auto& [raw, weak] : connections_) {
      if (auto c = weak.lock()) open.push_back(std::move(c));
    }
  }
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
    accept_pause_.cancel();
  });
  net::post(sweep_timer_.get_executor(), [this] { sweep_timer_.cancel(); });
  for (auto& c : open) c->close();
}

Result<void> SyncService::check_token(const auth::TokenClaims& claims) {
  auto subject = server::check_token(claims, options_.admin, unix_now());
  if (!subject) return subject.error();
  return {};
}

Result<admin::Rights> SyncService::rights(const auth::TokenClaims& claims,
                                          std::string_view realm_path) {
  return session_rights(claims, realm_path, options_.admin, unix_now());
}

Result<std::shared_ptr<ServerRealm>> SyncService::realm(const std::string& resolved_path) {
  std::lock_guard lock(mutex_);
  if (stopped_) return make_error(Errc::unavailable, "the server is stopping");
  auto it = realms_.find(resolved_path);
  if (it != realms_.end()) return it->second;
  auto file = options_.layout.realm_file(resolved_path);
  if (!file) return file.error();
  ServerRealm::Options options;
  options.path = resolved_path;
  options.file = *file;
  options.max_download_bytes = options_.limits.max_download_bytes;
  options.rights = [this](const auth::TokenClaims& claims, std::string_view path) {
    return rights(claims, path);
  };
  options.stats = &stats_;
  options.store_limits = options_.limits.store;
  options.idle_timeout = options_.limits.realm_idle_timeout;
  options.on_commit = options_.on_commit;
  auto realm = std::make_shared<ServerRealm>(storage_, std::move(options));
  realms_.emplace(resolved_path, realm);
  return realm;
}

std::shared_ptr<ServerRealm> SyncService::open_realm(const std::string& resolved_path) {
  std::lock_guard lock(mutex_);
  auto it = realms_.find(resolved_path);
  return it == realms_.end() ? nullptr : it->second;
}

void SyncService::close_realm(const std::string& resolved_path, const std::string& reason) {
  std::shared_ptr<ServerRealm> realm;
  {
    std::lock_guard lock(mutex_);
    auto it = realms_.find(resolved_path);
    if (it == realms_.end()) return;
    realm = it->second;
    realms_.erase(it);
  }
  realm->shut_down(reason);
}

void SyncService::close_realm_async(const std::string& resolved_path, const std::string& reason,
                                    std::function<void()> done) {
  std::shared_ptr<ServerRealm> realm;
  {
    std::lock_guard lock(mutex_);
    auto it = realms_.find(resolved_path);
    if (it != realms_.end()) {
      realm = it->second;
      realms_.erase(it);
    }
  }
  if (!realm) {
    done();
    return;
  }
  realm->shut_down_async(reason, std::move(done));
}

void SyncService::sessions_async(std::function<void(std::vector<nlohmann::json>)> done) {
  std::vector<std::shared_ptr<ServerRealm>> all;
  {
    std::lock_guard lock(mutex_);
    for (auto& [path, realm] : realms_) all.push_back(realm);
  }
  if (all.empty()) {
    done({});
    return;
  }
  // Each Realm answers on its own strand; the last one to answer calls done.
  struct Gather {
    std::mutex mutex;
    std::vector<nlohmann::json> out;
    std::size_t left;
    std::function<void(std::vector<nlohmann::json>)> done;
  };
  auto gather = std::make_shared<Gather>();
  gather->left = all.size();
  gather->done = std::move(done);
  for (auto& realm : all) {
    realm->describe_sessions_async([gather](std::vector<nlohmann::json> part) {
      bool last = false;
      {
        std::lock_guard lock(gather->mutex);
        for (auto& s : part) gather->out.push_back(std::move(s));
        last = --gather->left == 0;
      }
      if (last) gather->done(std::move(gather->out));
    });
  }
}

namespace {

// Runs its function when the last handle goes.
struct Release {
  explicit Release(std::function<void()> fn) : f(std::move(fn)) {}
  Release(const Release&) = delete;
  Release& operator=(const Release&) = delete;
  ~Release() {
    if (f) f();
  }
  std::function<void()> f;
};

}  // namespace

Result<std::shared_ptr<void>> SyncService::claim_realm(const std::string& identity,
                                                       const std::string& resolved_path) {
  auto claims = claims_;
  std::lock_guard lock(claims->mutex);
  auto& paths = claims->realms_per_user[identity];
  auto it = paths.find(resolved_path);
  if (it == paths.end()) {
    if (paths.size() >= options_.limits.max_realms_per_user) {
      return make_error(Errc::unavailable,
                        "too many Realms bound by '" + identity + "': " +
                            std::to_string(paths.size()) + " (the limit is " +
                            std::to_string(options_.limits.max_realms_per_user) +
                            ", sync.max_realms_per_user); unbind one first");
    }
    it = paths.emplace(resolved_path, 0).first;
  }
  ++it->second;
  return std::shared_ptr<void>(std::make_shared<Release>([claims, identity, resolved_path] {
    std::lock_guard lock(claims->mutex);
    auto user = claims->realms_per_user.find(identity);
    if (user == claims->realms_per_user.end()) return;
    auto path = user->second.find(resolved_path);
    if (path != user->second.end() && --path->second == 0) user->second.erase(path);
    if (user->second.empty()) claims->realms_per_user.erase(user);
  }));
}

std::shared_ptr<void> SyncService::claim_address(const std::string& address) {
  auto claims = claims_;
  std::lock_guard lock(claims->mutex);
  auto& count = claims->connections_per_address[address];
  if (count >= options_.limits.max_connections_per_address) return nullptr;
  ++count;
  return std::make_shared<Release>([claims, address] {
    std::lock_guard lock(claims->mutex);
    auto it = claims->connections_per_address.find(address);
    if (it != claims->connections_per_address.end() && --it->second == 0) {
      claims->connections_per_address.erase(it);
    }
  });
}

void SyncService::add_connection(const std::shared_ptr<Connection>& connection) {
  std::lock_guard lock(mutex_);
  connections_[connection.get()] = connection;
}

void SyncService::remove_connection(const Connection* connection) {
  std::lock_guard lock(mutex_);
  connections_.erase(connection);
}

void SyncService::recheck(std::optional<std::string> identity,
                          std::optional<std::string> realm_path) {
  std::vector<std::shared_ptr<ServerRealm>> targets;
  {
    std::lock_guard lock(mutex_);
    for (auto& [path, realm] : realms_) {
      if (!realm_path || path == *realm_path) targets.push_back(realm);
    }
  }
  for (auto& realm : targets) realm->recheck_rights(identity);
}

std::vector<nlohmann::json> SyncService::sessions() {
  std::vector<std::shared_ptr<ServerRealm>> all;
  {
    std::lock_guard lock(mutex_);
    for (auto& [path, realm] : realms_) all.push_back(realm);
  }
  std::vector<nlohmann::json> out;
  for (auto& realm : all) {
    for (auto& s : realm->describe_sessions()) out.push_back(std::move(s));
  }
  return out;
}

std::map<std::string, std::int64_t> SyncService::sessions_per_realm() {
  std::lock_guard lock(mutex_);
  std::map<std::string, std::int64_t> out;
  for (auto& [path, realm] : realms_) out[path] = realm->session_count();
  return out;
}

nlohmann::json Stats::to_json() const {
  return {{"connections", connections.load()},
          {"connections_total", connections_total.load()},
          {"sessions", sessions.load()},
          {"realms_open", realms_open.load()},
          {"messages_in", messages_in.load()},
          {"messages_out", messages_out.load()},
          {"bytes_in", bytes_in.load()},
          {"bytes_out", bytes_out.load()},
          {"changesets_integrated", changesets_integrated.load()},
          {"upgrades_refused", upgrades_refused.load()}};
}

}  // namespace ros::sync::server
