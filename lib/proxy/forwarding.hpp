// The header rewriting of a reverse proxy, on Beast message heads.
//
// prepare_request: the head a back end receives. X-Forwarded-For is set to
// the client's address and X-Forwarded-Proto to "http" or "https",
// replacing whatever the client sent: ros-proxy faces the world, so a
// client-supplied X-Forwarded-For is never passed on (the back ends trust
// the header from a loopback peer and would log a forged address). Hop-by-hop
// headers (those named in Connection, Keep-Alive, Proxy-Connection, TE,
// Expect, and Upgrade unless upgrading) are removed. A WebSocket upgrade
// keeps "Connection: Upgrade" and its Upgrade header; any other request asks
// the back end to close after answering, as ros-proxy opens one back-end
// connection per request.
//
// prepare_response: the head the client receives: hop-by-hop headers
// removed, then Connection set for `keep_alive`.
//
// Pure functions; thread-safe.
#pragma once

#include <string>

#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/message.hpp>

namespace ros::proxy {

void prepare_request(boost::beast::http::request_header<>& request, const std::string& client,
                     bool tls, bool websocket_upgrade);

void prepare_response(boost::beast::http::response_header<>& response, bool keep_alive);

// The address as the back ends should log it: an IPv4-mapped IPv6 address
// (a dual-stack listener's view of an IPv4 client) as plain IPv4.
std::string client_address(const boost::asio::ip::address& address);

}  // namespace ros::proxy
