#include "sync/protocol/compression.hpp"

#include <zlib.h>

#include <algorithm>
#include <climits>

namespace ros::sync::protocol {
namespace {

constexpr std::size_t kMaxChunk = UINT_MAX;
constexpr std::size_t kFirstOutput = 64 * 1024;

Bytef* bytes(const char* p) { return reinterpret_cast<Bytef*>(const_cast<char*>(p)); }

}  // namespace

std::string zlib_compress(std::string_view body, int level) {
  z_stream strm{};
  if (deflateInit(&strm, level) != Z_OK) return {};
  std::string out(deflateBound(&strm, static_cast<uLong>(body.size())), '\0');
  std::size_t in_done = 0;
  std::size_t out_done = 0;
  int rc = Z_OK;
  while (rc == Z_OK || rc == Z_BUF_ERROR) {
    if (strm.avail_in == 0 && in_done < body.size()) {
      std::size_t n = std::min(kMaxChunk, body.size() - in_done);
      strm.next_in = bytes(body.data() + in_done);
      strm.avail_in = static_cast<uInt>(n);
      in_done += n;
    }
    if (strm.avail_out == 0) {
      if (out_done == out.size()) out.resize(out.size() * 2 + 64);
      std::size_t n = std::min(kMaxChunk, out.size() - out_done);
      strm.next_out = bytes(out.data() + out_done);
      strm.avail_out = static_cast<uInt>(n);
      out_done += n;
    }
    rc = deflate(&strm, in_done == body.size() ? Z_FINISH : Z_NO_FLUSH);
  }
  out.resize(out_done - strm.avail_out);
  deflateEnd(&strm);
  return out;
}

std::optional<std::string> compress_body(std::string_view body) {
  if (body.size() <= compression_threshold) return std::nullopt;
  std::string compressed = zlib_compress(body);
  if (compressed.empty() || compressed.size() >= body.size()) return std::nullopt;
  return compressed;
}

ros::Result<std::string> inflate_exact(std::string_view compressed, std::size_t expected_size) {
  z_stream strm{};
  if (inflateInit(&strm) != Z_OK) {
    return make_error(Errc::internal, "cannot start zlib inflate");
  }
  // Grown as the stream inflates: the announced size is the client's word,
  // and a small stream announcing a big body must not cost the big body.
  std::string out(std::min(expected_size, kFirstOutput), '\0');
  std::size_t in_done = 0;
  std::size_t out_done = 0;
  char scratch = 0;
  bool overflow = false;  // output now goes to `scratch`: the body is full
  bool too_long = false;
  int rc = Z_OK;
  for (;;) {
    if (strm.avail_in == 0 && in_done < compressed.size()) {
      std::size_t n = std::min(kMaxChunk, compressed.size() - in_done);
      strm.next_in = bytes(compressed.data() + in_done);
      strm.avail_in = static_cast<uInt>(n);
      in_done += n;
    }
    if (strm.avail_out == 0) {
      if (out_done == out.size() && out.size() < expected_size) {
        out.resize(std::min(expected_size, out.size() * 2));
      }
      if (out_done < out.size()) {
        std::size_t n = std::min(kMaxChunk, out.size() - out_done);
        strm.next_out = bytes(out.data() + out_done);
        strm.avail_out = static_cast<uInt>(n);
        out_done += n;
      } else {
        strm.next_out = bytes(&scratch);
        strm.avail_out = 1;
        overflow = true;
      }
    }
    rc = inflate(&strm, Z_NO_FLUSH);
    if (overflow && strm.avail_out == 0) {
      too_long = true;
      break;
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && strm.avail_out == 0) continue;
    if (rc == Z_BUF_ERROR && strm.avail_in == 0 && in_done < compressed.size()) continue;
    break;  // Z_STREAM_END, an error, or no input left before the end
  }
  std::size_t produced = overflow ? out.size() : out_done - strm.avail_out;
  out.resize(std::min(out.size(), produced));
  std::size_t trailing = strm.avail_in + (compressed.size() - in_done);
  std::string zmsg = strm.msg ? strm.msg : "";
  inflateEnd(&strm);

  if (too_long) {
    return make_error(Errc::invalid_argument,
                      "it inflates to more than " + std::to_string(expected_size) + " bytes");
  }
  if (rc == Z_NEED_DICT) {
    return make_error(Errc::invalid_argument, "corrupt zlib stream (it needs a preset dictionary)");
  }
  if (rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
    return make_error(Errc::invalid_argument,
                      "corrupt zlib stream (" + (zmsg.empty() ? std::string("data error") : zmsg) + ")");
  }
  if (rc != Z_STREAM_END) {
    return make_error(Errc::invalid_argument, "the zlib stream ends early");
  }
  if (produced != expected_size) {
    return make_error(Errc::invalid_argument, "it inflates to " + std::to_string(produced) +
                                                  " bytes, not " + std::to_string(expected_size));
  }
  if (trailing != 0) {
    return make_error(Errc::invalid_argument,
                      std::to_string(trailing) + " bytes follow the zlib stream");
  }
  return out;
}

}  // namespace ros::sync::protocol
