#include "proxy/settings.hpp"

namespace ros::proxy {
namespace {

namespace asio = boost::asio;

Backend backend(std::string name, std::string key, const config::Listener& listener) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(listener.listen_address, ec);
  if (ec) address = asio::ip::make_address("127.0.0.1");  // the loader only admits addresses
  if (address.is_unspecified()) {
    address = address.is_v6() ? asio::ip::address(asio::ip::address_v6::loopback())
                               : asio::ip::address(asio::ip::address_v4::loopback());
  }
  return {std::move(name), std::move(key), {address, listener.listen_port}};
}

}  // namespace

Settings settings_from(const config::Config& config) {
  Settings s;
  s.http = backend("ros-authd", "network.http", config.network.http);
  s.sync = backend("ros-syncd", "network.sync", config.network.sync);
  const auto& p = config.proxy;
  s.max_header_bytes = static_cast<std::size_t>(p.max_header_bytes);
  s.idle_timeout = std::chrono::seconds(p.idle_timeout);
  s.websocket_idle_timeout = std::chrono::seconds(p.websocket_idle_timeout);
  s.max_connections = static_cast<std::size_t>(p.max_connections);
  s.drain_time = std::chrono::seconds(p.drain_time);
  return s;
}

}  // namespace ros::proxy
