// Base64 as Realm tokens use it (protocol.md 5.1).
//
// Encoding is the standard alphabet (RFC 4648 section 4) with `=` padding, or
// the URL alphabet (section 5) without padding for JWT parts.
//
// Decoding is deliberately lenient in the ways the reference decoder is, and
// strict otherwise. Not errors: the URL alphabet (`-`, `_`), even mixed with
// the standard one; missing padding; spaces, tabs, carriage returns and line
// feeds anywhere. Errors: any other character, `=` anywhere but at the end,
// more than two `=`, a lone trailing character, and non-zero unused bits in
// the last character (no standard encoder makes them, and accepting them would
// let two different strings decode to the same bytes).
//
// Every function is pure, never throws on bad input, and is safe to call from
// any thread. Output is at most 3/4 of the input length, so the caller bounds
// memory by bounding the input.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace ros::auth {

// Standard alphabet, padded with `=`.
std::string base64_encode(std::string_view bytes);

// URL alphabet, no padding (the form of each part of a JWT).
std::string base64url_encode(std::string_view bytes);

// The bytes `text` encodes. On failure: Errc::invalid_argument with a message
// such as "invalid base64 character '!' at offset 12".
Result<std::string> base64_decode(std::string_view text);

}  // namespace ros::auth
