// A client connection of ros-proxy: plain (HTTP, WebSocket) or TLS (HTTPS,
// secure WebSocket).
//
// Per request: the head is read (deadline settings.idle_timeout, at most
// settings.max_header_bytes, else 431), routed (route.hpp), rewritten
// (forwarding.hpp) and sent over a new connection to its back end; the
// request body and then the response are streamed through a 16 KiB buffer,
// never held whole. A back end that cannot be reached, or closes before it
// answers, gets the client a 502 problem+json. Keep-alive is honoured on the
// client side. After a 101 answer to a WebSocket upgrade, bytes are relayed
// both ways until either side closes or nothing moves for
// settings.websocket_idle_timeout.
//
// Every wait on the client has a deadline, so a slow or idle client costs
// one connection and is dropped; nothing a client or back end sends ends the
// daemon.
//
// Threads: each session runs on its own strand (the executor of the
// accepted socket); its back-end socket and timer share that strand.
#pragma once

#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "proxy/connections.hpp"

namespace ros::proxy {

// Starts serving `socket` (accepted on a strand), which `state->open`
// already counts. `tls` null: plain; else the TLS context to handshake with.
void start_session(boost::asio::ip::tcp::socket socket, std::shared_ptr<SharedState> state,
                   std::shared_ptr<boost::asio::ssl::context> tls);

}  // namespace ros::proxy
