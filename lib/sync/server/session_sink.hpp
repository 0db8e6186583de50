// The way a Realm talks back to the connection that carries a session: the
// Realm runs on its own strand, the connection on another, so every call here
// only posts to the connection's strand and returns at once.
//
// A session is named by (session ident, binding): the ident is the client's,
// the binding a number the connection gives each BIND, so that a message the
// Realm produced for an older binding of the same ident (after UNBIND and a
// new BIND) is recognised and dropped.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sync/protocol/error_codes.hpp"
#include "sync/protocol/messages.hpp"

namespace ros::sync::server {

class SessionSink {
 public:
  virtual ~SessionSink() = default;

  // Sends `message` if the session is still that binding and may receive it
  // (protocol.md 3.3); otherwise drops it. LOG_MESSAGEs are dropped below
  // protocol version 10.
  virtual void deliver(std::uint64_t session_ident, std::uint64_t binding,
                       protocol::ServerMessage message) = 0;

  // The Realm refuses the session: the connection sends one ERROR, unless the
  // client has ended the session already (then nothing).
  virtual void fail_session(std::uint64_t session_ident, std::uint64_t binding,
                            protocol::ProtocolError code, std::string message,
                            bool try_again) = 0;

  // The client file of one of its sessions was bound on another connection:
  // this connection is a leftover of a client that lost its network
  // (protocol.md 3.7). It closes without a message.
  virtual void close_as_zombie() = 0;

  // The client's address, for logs and listings.
  virtual const std::string& peer() const = 0;
};

// A session as the Realm knows it.
struct SessionKey {
  std::weak_ptr<SessionSink> sink;
  const SessionSink* connection = nullptr;  // identity only, never dereferenced
  std::uint64_t session_ident = 0;
  std::uint64_t binding = 0;

  bool same(const SessionKey& other) const {
    return connection == other.connection && session_ident == other.session_ident &&
           binding == other.binding;
  }
};

}  // namespace ros::sync::server
