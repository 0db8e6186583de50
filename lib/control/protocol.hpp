// The control protocol's wire format (design.md, "Control protocol"): one JSON
// object per line on a Unix stream socket, in both directions.
//
//   -> {"id":1,"op":"user.add","args":{"username":"alice"}}
//   <- {"id":1,"ok":true,"result":{...}}
//   <- {"id":2,"ok":false,"error":{"code":"not_found","message":"no user 'alice'"}}
//   <- {"id":3,"ok":true,"more":true,"result":...}     (a stream: several of these,
//   <- {"id":3,"ok":true,"result":...}                   then one without "more")
//
// What it promises:
// - Requests: `id` is an integer or a string, echoed in every reply to the request;
//   `op` is a string; `args` is an object or absent (absent means {}). Other
//   top-level fields are ignored, so that later additions stay compatible.
// - A line is at most kMaxLineBytes bytes (newline excluded) and JSON nesting is
//   at most kMaxDepth deep; a trailing "\r" is ignored.
// - Replies: `ok` is true with `result` (and `"more":true` on every line of a
//   stream but the last), or false with `error.code` (ros::Errc's wire names) and
//   `error.message`. A refusal that is not tied to a readable request (garbage,
//   oversized line, too many connections) carries `"id":null`.
// - kProtocol is bumped only by a breaking change; additions keep it. The
//   built-in `version` op reports it and clients check it (Client::check_protocol).
//
// Pure functions, no I/O: safe from any thread. Used by both ends
// (Server operation / Client operation marks say which end calls what).
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace ros::control {

using json = nlohmann::json;

// The control protocol number, reported by the `version` op.
inline constexpr int kProtocol = 1;

// The longest request line a server reads: 1 MiB, newline excluded.
inline constexpr std::size_t kMaxLineBytes = 1024 * 1024;

// The deepest nesting of arrays and objects accepted in a request.
inline constexpr int kMaxDepth = 64;

// The socket of `daemon` in `socket_dir`: "<socket_dir>/<name>.sock" where
// <name> is the daemon's name without its "ros-" prefix, e.g.
// "<root>/run/authd.sock" for "ros-authd" (the name issue 3 gives). Every
// server and command builds the path here and nowhere else.
std::filesystem::path socket_path(const std::filesystem::path& socket_dir,
                                  std::string_view daemon);

// A request as read from a line, before the op table is consulted.
struct RequestLine {
  json id;                       // integer or string
  std::string op;
  json args = json::object();    // always an object
};

// Server operation. Parses one request line (without its newline). On failure
// the Error is `invalid_argument` with the message the reply carries, and `id`
// is set to the request's id when it could be read (else null) so that the
// error reply can name it. Checks, in order: nesting depth, JSON syntax, a JSON
// object, `id`, `op`, `args`. Never throws.
Result<RequestLine> parse_request(std::string_view line, json& id);

// Client operation. The request line for `op`, newline included.
std::string request_line(const json& id, std::string_view op, const json& args);

// Server operation. Reply lines, newline included. Strings that are not valid
// UTF-8 are replaced (U+FFFD), so formatting never throws.
std::string result_line(const json& id, const json& result);  // the final (or only) reply
std::string more_line(const json& id, const json& result);    // "more": true
std::string error_line(const json& id, const Error& error);

// A reply as read by a client.
struct Reply {
  json id;
  bool more = false;     // a stream line with more to come
  json result;           // when ok
  std::optional<Error> error;  // when not ok; an unknown code becomes `internal`
  bool ok() const { return !error.has_value(); }
};

// Client operation. Parses one reply line (without its newline); an Error
// (`internal`) when the line is not a well-formed reply.
Result<Reply> parse_reply(std::string_view line);

// A copy of `args` for logs: the value of every member whose name is
// "password" or "token" or ends in "_password" or "_token" (at any depth) is
// replaced by "<redacted>".
json redact(const json& args);

// `value` as compact JSON, never throwing (invalid UTF-8 is replaced).
std::string dump(const json& value);

}  // namespace ros::control
