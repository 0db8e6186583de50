// Parse and format Realm Sync PBS messages (protocol.md section 2): one
// WebSocket message in, one message struct out, and back.
//
// Parsing promises:
// - The head is checked strictly (2.1): a lower-case name the direction knows,
//   one space after the name and between fields, exactly the field count of
//   that message, a '\n' after the last field, no '\r', decimal digits only;
//   unsigned fields take neither '+' nor '-', signed fields (salts, PING times,
//   error codes) take a leading '-' but no '+'; values that overflow their
//   type are refused; 0/1 flags take only "0" or "1". Leading zeros are
//   accepted (the reference parser accepts them); format() never writes them.
// - The body must have exactly the length the head announces, and nothing may
//   follow it. UPLOAD/DOWNLOAD bodies are accepted compressed or not at any size
//   (2.2); a compressed body must be one zlib stream inflating to exactly the
//   announced size, with no trailing input. An uncompressed body must announce
//   compressed size 0.
// - Allocation is bounded by the input: every size is checked against the bytes
//   that remain before anything is allocated, and an announced inflated size
//   above `ParseLimits::max_decompressed_body_size` (64 MiB by default) is
//   refused before inflating; an uncompressed body above it as well. Inflating
//   allocates as the output grows, not the announced size up front.
// - An error carries the protocol error code the server answers with (4.5) and
//   a one-line message naming the message, the field and what was wrong:
//     103 bad_syntax: head syntax, unknown name, body length, trailing bytes,
//         decompressed size above the limit (never 104, which crashes 14.x
//         clients). The reference answers an unknown name with 103 as well
//         (2.1, recorded), so 102 is not used.
//     101 other_error: a compressed body that does not inflate exactly; the
//         reference server answered a bad zlib stream with 101, not 110 (2.2,
//         recorded).
//     111 bad_changeset_header_syntax: a malformed changeset entry header in
//         an UPLOAD or DOWNLOAD body.
//     112 bad_changeset_size: a changeset size beyond the end of the body.
//   The server-message parser uses the same codes; a client that gets such an
//   error treats the message as a protocol violation.
// - JSON bodies (JSON_ERROR, LOG_MESSAGE) are not checked as JSON here.
//
// Formatting promises:
// - format() writes exactly what the reference writes: the head as 2.1 says,
//   the body per 2.3/2.4 (entries back to back, each changeset right after its
//   header's last space), and UPLOAD/DOWNLOAD bodies compressed by the policy
//   of compression.hpp (more than 1024 bytes and smaller compressed, zlib
//   level 1). format() never fails; sizes come from the strings and lists.
//
// Thread safety: pure functions; safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "common/result.hpp"
#include "sync/protocol/error_codes.hpp"
#include "sync/protocol/messages.hpp"

namespace ros::sync::protocol {

struct ParseLimits {
  // Largest inflated UPLOAD/DOWNLOAD body accepted, in bytes. Bigger announced
  // sizes are refused with 103 before any allocation. 64 MiB by default: four
  // times the 16 MiB a 14.x client puts in one UPLOAD (bigger only for a single
  // bigger changeset) and above the ~16 MiB DOWNLOAD the reference sends.
  std::size_t max_decompressed_body_size = 64 * 1024 * 1024;
};

// Why a message was refused: the code to answer with and a message for logs
// (and for the ERROR text).
struct ParseError {
  ProtocolError code = ProtocolError::bad_syntax;
  std::string message;

  // The same as a ros::Error (Errc::invalid_argument), for callers that only
  // handle those; the message is "<code>: <message>".
  ros::Error to_error() const;
};

// A parsed message, or the ParseError. Accessing the wrong alternative throws
// std::bad_variant_access.
template <class T>
class [[nodiscard]] ParseResult {
 public:
  ParseResult(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  ParseResult(ParseError error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const ParseError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, ParseError> v_;
};

// One client -> server message (the whole WebSocket message payload).
ParseResult<ClientMessage> parse_client_message(std::string_view bytes,
                                                const ParseLimits& limits = {});

// One server -> client message.
ParseResult<ServerMessage> parse_server_message(std::string_view bytes,
                                                const ParseLimits& limits = {});

// The wire bytes of a message.
std::string format(const ClientMessage& message);
std::string format(const ServerMessage& message);

}  // namespace ros::sync::protocol
