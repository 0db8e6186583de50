// Body compression (protocol.md 2.2): the policy of format(), the zlib level,
// both forms accepted by the parsers, and the refusals of compressed bodies.
#include <catch2/catch.hpp>

#include <zlib.h>

#include <random>
#include <string>
#include <vector>

#include "sync/protocol/codec.hpp"
#include "sync/protocol/compression.hpp"

using namespace ros::sync::protocol;

namespace {

// A DOWNLOAD whose body is exactly `body_size` bytes (>= 20): one entry whose
// changeset is compressible text (or random bytes).
Download download_of_body_size(std::size_t body_size, bool random = false) {
  // Entry header "1 0 1 2 N N " is 8 + 2 * digits(N) + 2 bytes.
  std::size_t n = body_size - 10 - 2 * std::to_string(body_size).size();
  while (n + 10 + 2 * std::to_string(n).size() < body_size) ++n;
  while (n + 10 + 2 * std::to_string(n).size() > body_size) --n;
  std::string changeset;
  std::mt19937 rng(42);
  for (std::size_t i = 0; i < n; ++i) {
    changeset.push_back(random ? static_cast<char>(rng() & 0xff)
                               : "write transcript "[i % 17]);
  }
  Download d{1, 2, 3, 2, 99, 5, 0, 0, {}};
  d.changesets.push_back(DownloadChangeset{1, 0, 1, 2, n, changeset});
  return d;
}

std::string head_of(const std::string& bytes) { return bytes.substr(0, bytes.find('\n')); }
std::string body_of(const std::string& bytes) { return bytes.substr(bytes.find('\n') + 1); }

std::string reference_compress(const std::string& body, int level) {
  uLongf size = compressBound(static_cast<uLong>(body.size()));
  std::string out(size, '\0');
  REQUIRE(compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                    reinterpret_cast<const Bytef*>(body.data()), static_cast<uLong>(body.size()),
                    level) == Z_OK);
  out.resize(size);
  return out;
}

std::string upload_head(bool compressed, std::size_t uncompressed, std::size_t compressed_size) {
  return "upload 1 " + std::string(compressed ? "1 " : "0 ") + std::to_string(uncompressed) +
         " " + std::to_string(compressed_size) + " 5 0 0\n";
}

}  // namespace

TEST_CASE("protocol: a body of 1024 bytes is sent uncompressed, 1025 compressed", "[protocol]") {
  Download d1024 = download_of_body_size(1024);
  std::string bytes = format(ServerMessage{d1024});
  CHECK(head_of(bytes) == "download 1 2 3 2 99 5 0 0 0 1024 0");
  CHECK(body_of(bytes).size() == 1024);

  Download d1025 = download_of_body_size(1025);
  bytes = format(ServerMessage{d1025});
  std::string body = body_of(bytes);
  CHECK(head_of(bytes) == "download 1 2 3 2 99 5 0 0 1 1025 " + std::to_string(body.size()));
  CHECK(body.size() < 1025);
  CHECK(body.substr(0, 2) == "\x78\x01");  // zlib header, fastest level, as recorded
  // Round trip: the compressed form parses back to the message and formats
  // to the same bytes.
  auto parsed = parse_server_message(bytes);
  REQUIRE(parsed.ok());
  CHECK(std::get<Download>(parsed.value()) == d1025);
  CHECK(format(parsed.value()) == bytes);
}

TEST_CASE("protocol: a body that does not shrink is sent uncompressed", "[protocol]") {
  Download d = download_of_body_size(4000, /*random=*/true);
  std::string bytes = format(ServerMessage{d});
  CHECK(head_of(bytes) == "download 1 2 3 2 99 5 0 0 0 4000 0");
  CHECK(compress_body(std::string(4000, 'a')).has_value());
  CHECK_FALSE(compress_body(std::string(1024, 'a')).has_value());
}

TEST_CASE("protocol: UPLOAD bodies are compressed by the same policy", "[protocol]") {
  Upload u{1, 5, 0, 0, {}};
  u.changesets.push_back(UploadChangeset{2, 0, 375625790525, 0, std::string(1500, 'x')});
  std::string bytes = format(ClientMessage{u});
  std::string body = body_of(bytes);
  CHECK(head_of(bytes) == "upload 1 1 1524 " + std::to_string(body.size()) + " 5 0 0");
  auto parsed = parse_client_message(bytes);
  REQUIRE(parsed.ok());
  CHECK(std::get<Upload>(parsed.value()) == u);
  CHECK(format(parsed.value()) == bytes);
}

TEST_CASE("protocol: compression is zlib level 1 as realm-core uses", "[protocol]") {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "instruction " + std::to_string(i * 7919 % 1000) + ";";
  std::string ours = zlib_compress(text);
  CHECK(ours == reference_compress(text, 1));
  CHECK(ours != reference_compress(text, 6));
  CHECK(ours.substr(0, 2) == "\x78\x01");
  auto back = inflate_exact(ours, text.size());
  REQUIRE(back.ok());
  CHECK(back.value() == text);
}

TEST_CASE("protocol: parsers accept both body forms at any size", "[protocol]") {
  // Uncompressed above 1024 (the reference server accepted such UPLOADs).
  std::string entry = "2 0 1 0 1500 " + std::string(1500, 'y');
  auto big = parse_client_message(upload_head(false, entry.size(), 0) + entry);
  REQUIRE(big.ok());
  CHECK(std::get<Upload>(big.value()).changesets.at(0).changeset == std::string(1500, 'y'));
  // Compressed below 1024, even larger than the plain body.
  std::string small = "2 0 1 0 3 abc";
  std::string z = zlib_compress(small, 9);
  auto parsed = parse_client_message(upload_head(true, small.size(), z.size()) + z);
  REQUIRE(parsed.ok());
  CHECK(std::get<Upload>(parsed.value()).changesets.at(0).changeset == "abc");
  // format() of it applies the policy: uncompressed.
  CHECK(format(parsed.value()) == upload_head(false, small.size(), 0) + small);
  // An empty body compressed.
  std::string empty_z = zlib_compress("");
  auto empty = parse_server_message("download 1 0 0 0 0 0 0 0 1 0 " +
                                    std::to_string(empty_z.size()) + "\n" + empty_z);
  REQUIRE(empty.ok());
  CHECK(std::get<Download>(empty.value()).changesets.empty());
}

TEST_CASE("protocol: compressed bodies that are not exact are refused", "[protocol]") {
  std::string plain = "2 0 1 0 1500 " + std::string(1500, 'y');  // 1513 bytes
  std::string z = zlib_compress(plain);
  REQUIRE(z.size() < 100);
  std::string gzip_like = "\x1f\x8b\x08\x00" + z.substr(2);
  struct Case {
    std::string bytes;
    ProtocolError code;
    std::string message;
    std::size_t limit = ParseLimits{}.max_decompressed_body_size;
  };
  const std::string zs = std::to_string(z.size());
  const std::vector<Case> table = {
      // Compressed size in the head against the message length: head syntax.
      {upload_head(true, 1513, z.size() + 1) + z, ProtocolError::bad_syntax,
       "cannot parse 'upload' message: the head announces " + std::to_string(z.size() + 1) +
           " compressed body bytes, the message has " + zs},
      {upload_head(true, 1513, z.size()) + z + "zz", ProtocolError::bad_syntax,
       "cannot parse 'upload' message: 2 unexpected bytes after the " + zs +
           "-byte compressed body"},
      // Inflated size against the head: what the reference answers with 101.
      {upload_head(true, 1600, z.size()) + z, ProtocolError::other_error,
       "cannot inflate 'upload' body: it inflates to 1513 bytes, not 1600"},
      {upload_head(true, 1400, z.size()) + z, ProtocolError::other_error,
       "cannot inflate 'upload' body: it inflates to more than 1400 bytes"},
      {upload_head(true, 0, z.size()) + z, ProtocolError::other_error,
       "cannot inflate 'upload' body: it inflates to more than 0 bytes"},
      {upload_head(true, 1513, 4) + "abcd", ProtocolError::other_error,
       "cannot inflate 'upload' body: corrupt zlib stream (incorrect header check)"},
      {upload_head(true, 1513, gzip_like.size()) + gzip_like, ProtocolError::other_error,
       "cannot inflate 'upload' body: corrupt zlib stream (incorrect header check)"},
      {upload_head(true, 1513, 0), ProtocolError::other_error,
       "cannot inflate 'upload' body: the zlib stream ends early"},
      {upload_head(true, 1513, z.size() - 4) + z.substr(0, z.size() - 4),
       ProtocolError::other_error, "cannot inflate 'upload' body: the zlib stream ends early"},
      {upload_head(true, 1513, z.size() + 3) + z + "abc", ProtocolError::other_error,
       "cannot inflate 'upload' body: 3 bytes follow the zlib stream"},
      {upload_head(true, 1513, z.size() + 2) + z + z.substr(0, 2), ProtocolError::other_error,
       "cannot inflate 'upload' body: 2 bytes follow the zlib stream"},
      // Above the decompressed size limit: refused before inflating, with 103
      // (104 would crash the client).
      {upload_head(true, 1513, z.size()) + z, ProtocolError::bad_syntax,
       "cannot parse 'upload' message: 'uncompressed_body_size' 1513 is above the limit of "
       "1000 bytes",
       1000},
      {upload_head(true, 18446744073709551615u, z.size()) + z, ProtocolError::bad_syntax,
       "cannot parse 'upload' message: 'uncompressed_body_size' 18446744073709551615 is above "
       "the limit of 67108864 bytes"},
      // The corrupted zlib checksum.
      {upload_head(true, 1513, z.size()) + z.substr(0, z.size() - 1) +
           static_cast<char>(z.back() ^ 1),
       ProtocolError::other_error,
       "cannot inflate 'upload' body: corrupt zlib stream (incorrect data check)"},
  };
  for (const Case& c : table) {
    INFO(c.message);
    auto parsed = parse_client_message(c.bytes, ParseLimits{c.limit});
    REQUIRE_FALSE(parsed.ok());
    CHECK(to_int(parsed.error().code) == to_int(c.code));
    CHECK(parsed.error().message == c.message);
  }
  // The same checks on DOWNLOAD.
  auto d = parse_server_message("download 1 0 0 0 0 0 0 0 1 1600 " + zs + "\n" + z);
  REQUIRE_FALSE(d.ok());
  CHECK(to_int(d.error().code) == 101);
  CHECK(d.error().message == "cannot inflate 'download' body: it inflates to 1513 bytes, not 1600");
  // The limit holds at exactly its value.
  auto at_limit = parse_client_message(upload_head(true, 1513, z.size()) + z, ParseLimits{1513});
  CHECK(at_limit.ok());
}
