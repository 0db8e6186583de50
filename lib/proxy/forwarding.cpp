#include "proxy/forwarding.hpp"

#include <vector>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/rfc7230.hpp>

namespace ros::proxy {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

// Removes the headers that concern only one hop; `keep_upgrade` keeps the
// Upgrade header a WebSocket handshake needs.
void remove_hop_by_hop(bhttp::fields& fields, bool keep_upgrade) {
  std::vector<std::string> listed;
  for (auto token : bhttp::token_list(fields[bhttp::field::connection])) {
    listed.emplace_back(token);
  }
  for (const auto& name : listed) {
    if (keep_upgrade && beast::iequals(name, "upgrade")) continue;
    fields.erase(name);
  }
  fields.erase(bhttp::field::connection);
  fields.erase(bhttp::field::keep_alive);
  fields.erase(bhttp::field::proxy_connection);
  fields.erase(bhttp::field::te);
  if (!keep_upgrade) fields.erase(bhttp::field::upgrade);
}

}  // namespace

void prepare_request(bhttp::request_header<>& request, const std::string& client, bool tls,
                     bool websocket_upgrade) {
  remove_hop_by_hop(request, websocket_upgrade);
  // ros-proxy answers "100 Continue" itself, before it forwards the body.
  request.erase(bhttp::field::expect);
  request.set("X-Forwarded-For", client);
  request.set("X-Forwarded-Proto", tls ? "https" : "http");
  if (websocket_upgrade) {
    request.set(bhttp::field::connection, "Upgrade");
  } else if (request.version() >= 11) {
    request.set(bhttp::field::connection, "close");
  }
}

void prepare_response(bhttp::response_header<>& response, bool keep_alive) {
  remove_hop_by_hop(response, false);
  // HTTP/1.1 keeps the connection unless told otherwise; 1.0 the reverse.
  if (!keep_alive) {
    response.set(bhttp::field::connection, "close");
  } else if (response.version() < 11) {
    response.set(bhttp::field::connection, "keep-alive");
  }
}

std::string client_address(const boost::asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6())
        .to_string();
  }
  return address.to_string();
}

}  // namespace ros::proxy
