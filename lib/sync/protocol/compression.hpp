// zlib body compression of UPLOAD and DOWNLOAD (protocol.md 2.2).
//
// Promises:
// - compress_body() applies the policy both sides of the reference use:
//   compress only a body of more than `compression_threshold` (1024) bytes, and
//   only if the zlib stream is smaller than the body; otherwise it returns
//   nullopt and the body travels uncompressed.
// - The stream is a zlib (RFC 1950) stream made with deflateInit() defaults and
//   level 1 (`compression_level`), which is what realm-core's
//   allocate_and_compress() uses (its streams start with 78 01, as recorded).
// - inflate_exact() succeeds only if `compressed` is exactly one complete zlib
//   stream (no trailing input) that inflates to exactly `expected_size` bytes.
//   It allocates as the output grows, never more than `expected_size` bytes
//   (the caller checks that size against its limit first, as codec.hpp does),
//   so a short stream announcing a huge size costs what it inflates to.
//
// Thread safety: pure functions; safe from any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace ros::sync::protocol {

inline constexpr std::size_t compression_threshold = 1024;
inline constexpr int compression_level = 1;

// The zlib stream of `body` at `level`.
std::string zlib_compress(std::string_view body, int level = compression_level);

// The compressed form of `body` if the policy says to send it compressed.
std::optional<std::string> compress_body(std::string_view body);

// The inflated bytes; on failure an Errc::invalid_argument error whose message
// says what was wrong ("corrupt zlib stream (...)", "it inflates to 10 bytes,
// not 12", "it inflates to more than 12 bytes", "the zlib stream ends early",
// "3 bytes follow the zlib stream").
ros::Result<std::string> inflate_exact(std::string_view compressed, std::size_t expected_size);

}  // namespace ros::sync::protocol
