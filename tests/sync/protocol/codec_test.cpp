// Message formats (protocol.md 2.3, 2.4) and the refusals of the parsers:
// accepted messages first, then rejected ones with their code and message.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sync/protocol/codec.hpp"

using namespace ros::sync::protocol;
using namespace std::string_literals;

namespace {

struct ClientCase {
  ClientMessage message;
  std::string bytes;
};

struct ServerCase {
  ServerMessage message;
  std::string bytes;
};

struct Rejection {
  std::string bytes;
  ProtocolError code;
  std::string message;
};

std::string upload_with_body(const std::string& body) {
  return "upload 1 0 " + std::to_string(body.size()) + " 0 5 0 0\n" + body;
}

std::string download_with_body(const std::string& body) {
  return "download 1 2 3 2 99 5 0 0 0 " + std::to_string(body.size()) + " 0\n" + body;
}

void check_client_rejections(const std::vector<Rejection>& table) {
  for (const Rejection& r : table) {
    INFO("input: " << r.bytes);
    auto parsed = parse_client_message(r.bytes);
    REQUIRE_FALSE(parsed.ok());
    CHECK(to_int(parsed.error().code) == to_int(r.code));
    CHECK(parsed.error().message == r.message);
  }
}

void check_server_rejections(const std::vector<Rejection>& table) {
  for (const Rejection& r : table) {
    INFO("input: " << r.bytes);
    auto parsed = parse_server_message(r.bytes);
    REQUIRE_FALSE(parsed.ok());
    CHECK(to_int(parsed.error().code) == to_int(r.code));
    CHECK(parsed.error().message == r.message);
  }
}

}  // namespace

TEST_CASE("protocol: client messages format as section 2.3 writes them", "[protocol]") {
  const std::vector<ClientCase> table = {
      {Bind{1, "/transcript", "", true, false}, "bind 1 11 0 1 0\n/transcript"},
      {Bind{7, "/a", "tok", false, true}, "bind 7 2 3 0 1\n/atok"},
      {ClientIdent{1, 2, 6186681117805254202, 0, 0, 0, 0},
       "ident 1 2 6186681117805254202 0 0 0 0\n"},
      {ClientIdent{3, 4, -5, 6, 7, 8, INT64_MIN},
       "ident 3 4 -5 6 7 8 -9223372036854775808\n"},
      {Upload{1, 7, 6, 6, {}}, "upload 1 0 0 0 7 6 6\n"},
      {Upload{1, 5, 0, 0, {{2, 0, 375625790525, 0, "abc"}, {3, 0, 375625790526, 0, "de"}}},
       "upload 1 0 47 0 5 0 0\n2 0 375625790525 0 3 abc3 0 375625790526 0 2 de"},
      {Upload{2, 4, 2, 2, {{4, 2, 1, 0, ""}}}, "upload 2 0 10 0 4 2 2\n4 2 1 0 0 "},
      {ClientMark{2, 2}, "mark 2 2\n"},
      {Unbind{1}, "unbind 1\n"},
      {Ping{3768030, 0}, "ping 3768030 0\n"},
      {Ping{-1, 12}, "ping -1 12\n"},
      {ClientJsonError{212, 2, R"({"message":"x"})"}, "json_error 212 15 2\n{\"message\":\"x\"}"},
      {Bind{UINT64_MAX, "", "", false, false}, "bind 18446744073709551615 0 0 0 0\n"},
  };
  for (const ClientCase& c : table) {
    INFO(c.bytes);
    CHECK(format(c.message) == c.bytes);
    auto parsed = parse_client_message(c.bytes);
    REQUIRE(parsed.ok());
    CHECK(parsed.value() == c.message);
  }
}

TEST_CASE("protocol: server messages format as section 2.4 writes them", "[protocol]") {
  const std::vector<ServerCase> table = {
      {ServerIdent{1, 2, 6186681117805254202}, "ident 1 2 6186681117805254202\n"},
      {Download{1, 0, 0, 0, 0, 0, 0, 0, {}}, "download 1 0 0 0 0 0 0 0 0 0 0\n"},
      {Download{2, 2, 0, 2, 2081561985866556485, 0, 0, 0,
                {{1, 0, 375625790525, 2, 3, "abc"}, {2, 0, 375625790526, 2, 2, "de"}}},
       "download 2 2 0 2 2081561985866556485 0 0 0 0 51 0\n"
       "1 0 375625790525 2 3 3 abc2 0 375625790526 2 2 2 de"},
      {Download{1, 17, 0, 19, -7, 0, 0, 2097230, {{5, 1, 2, 3, 10, "xy"}}},
       "download 1 17 0 19 -7 0 0 2097230 0 15 0\n5 1 2 3 10 2 xy"},
      {ServerMark{1, 2}, "mark 1 2\n"},
      {Unbound{2}, "unbound 2\n"},
      {ServerError{103, "bad syntax", false, 0}, "error 103 10 0 0\nbad syntax"},
      {ServerError{200, "", true, 3}, "error 200 0 1 3\n"},
      {ServerJsonError{
           211, 1,
           R"({"action":"ClientReset","isRecoveryModeDisabled":false,"logURL":"","message":"m","shouldClientReset":true,"tryAgain":false})"},
       "json_error 211 123 1\n"
       R"({"action":"ClientReset","isRecoveryModeDisabled":false,"logURL":"","message":"m","shouldClientReset":true,"tryAgain":false})"},
      {Pong{3768030}, "pong 3768030\n"},
      {LogMessage{1, R"({"level":"debug","msg":"m"})"}, "log_message 1 27\n{\"level\":\"debug\",\"msg\":\"m\"}"},
  };
  for (const ServerCase& c : table) {
    INFO(c.bytes);
    CHECK(format(c.message) == c.bytes);
    auto parsed = parse_server_message(c.bytes);
    REQUIRE(parsed.ok());
    CHECK(parsed.value() == c.message);
  }
}

TEST_CASE("protocol: accepted head variants", "[protocol]") {
  // Leading zeros are accepted as the reference parser accepts them; signed
  // fields take '-'; the largest values of each type are in range.
  auto a = parse_client_message("mark 01 002\n");
  REQUIRE(a.ok());
  CHECK(std::get<ClientMark>(a.value()) == ClientMark{1, 2});
  auto b = parse_client_message("ping -9223372036854775808 9223372036854775807\n");
  REQUIRE(b.ok());
  CHECK(std::get<Ping>(b.value()) == Ping{INT64_MIN, INT64_MAX});
  auto c = parse_server_message("error -1 0 0 0\n");
  REQUIRE(c.ok());
  CHECK(std::get<ServerError>(c.value()).error_code == -1);
  auto d = parse_client_message("mark 18446744073709551615 0\n");
  REQUIRE(d.ok());
  CHECK(std::get<ClientMark>(d.value()) == ClientMark{UINT64_MAX, 0});
}

TEST_CASE("protocol: malformed heads are refused with 103", "[protocol]") {
  const auto bad = ProtocolError::bad_syntax;
  check_client_rejections({
      {"", bad, "cannot parse message head: no '\\n' ends the head"},
      {"mark 1 1", bad, "cannot parse message head: no '\\n' ends the head"},
      {"mark 1 1\r\n", bad, "cannot parse message head: it contains '\\r'"},
      {"mark 1\r1\n", bad, "cannot parse message head: it contains '\\r'"},
      {"\n", bad, "cannot parse message head: no message name"},
      {" mark 1 1\n", bad, "cannot parse message head: no message name"},
      {"foo 1 2\n", bad, "cannot parse message head: unknown message name 'foo'"},
      {"MARK 1 1\n", bad, "cannot parse message head: unknown message name 'MARK'"},
      {"Mark 1 1\n", bad, "cannot parse message head: unknown message name 'Mark'"},
      {"mark\t1 1\n", bad, "cannot parse message head: unknown message name 'mark\\x091'"},
      {"download 1 0 0 0 0 0 0 0 0 0 0\n", bad,
       "cannot parse message head: unknown message name 'download'"},
      {"refresh 1 0\n", bad, "cannot parse message head: unknown message name 'refresh'"},
      {"mark 1 1 1\n", bad, "cannot parse 'mark' head: 3 fields, expected 2"},
      {"mark 1\n", bad, "cannot parse 'mark' head: 1 field, expected 2"},
      {"unbind\n", bad, "cannot parse 'unbind' head: 0 fields, expected 1"},
      {"ident 1 2 3 0 0 0\n", bad, "cannot parse 'ident' head: 6 fields, expected 7"},
      {"bind 1 11 0 1 0 0\n/transcript", bad, "cannot parse 'bind' head: 6 fields, expected 5"},
      {"mark  1 1\n", bad, "cannot parse 'mark' head: extra space between fields"},
      {"mark 1  1\n", bad, "cannot parse 'mark' head: extra space between fields"},
      {"mark 1 1 \n", bad, "cannot parse 'mark' head: extra space between fields"},
      {"unbind \n", bad, "cannot parse 'unbind' head: extra space between fields"},
      {"mark 1 +1\n", bad,
       "cannot parse 'mark' head: 'request_ident' is '+1' (a '+' sign is not allowed)"},
      {"mark 1 -1\n", bad,
       "cannot parse 'mark' head: 'request_ident' is '-1' (an unsigned field cannot be negative)"},
      {"mark -0 1\n", bad,
       "cannot parse 'mark' head: 'session_ident' is '-0' (an unsigned field cannot be negative)"},
      {"mark 18446744073709551616 1\n", bad,
       "cannot parse 'mark' head: 'session_ident' is '18446744073709551616' (out of range)"},
      {"mark 1 99999999999999999999999999\n", bad,
       "cannot parse 'mark' head: 'request_ident' is '99999999999999999999999999' (out of "
       "range)"},
      {"mark 1 0x1\n", bad,
       "cannot parse 'mark' head: 'request_ident' is '0x1' (not a decimal integer)"},
      {"mark 1 1\t\n", bad,
       "cannot parse 'mark' head: 'request_ident' is '1\\x09' (not a decimal integer)"},
      {"mark 1 1.0\n", bad,
       "cannot parse 'mark' head: 'request_ident' is '1.0' (not a decimal integer)"},
      {"ping +5 0\n", bad,
       "cannot parse 'ping' head: 'timestamp' is '+5' (a '+' sign is not allowed)"},
      {"ping - 0\n", bad, "cannot parse 'ping' head: 'timestamp' is '-' (not a decimal integer)"},
      {"ping 1 --1\n", bad, "cannot parse 'ping' head: 'rtt' is '--1' (not a decimal integer)"},
      {"ping 9223372036854775808 0\n", bad,
       "cannot parse 'ping' head: 'timestamp' is '9223372036854775808' (out of range)"},
      {"ping -9223372036854775809 0\n", bad,
       "cannot parse 'ping' head: 'timestamp' is '-9223372036854775809' (out of range)"},
      {"ident 1 2 +3 0 0 0 0\n", bad,
       "cannot parse 'ident' head: 'client_file_ident_salt' is '+3' (a '+' sign is not "
       "allowed)"},
      {"bind 1 11 0 2 0\n/transcript", bad,
       "cannot parse 'bind' head: 'need_client_file_ident' is '2' (must be 0 or 1)"},
      {"upload 1 2 0 0 0 0 0\n", bad,
       "cannot parse 'upload' head: 'is_body_compressed' is '2' (must be 0 or 1)"},
      {"upload 1 -1 0 0 0 0 0\n", bad,
       "cannot parse 'upload' head: 'is_body_compressed' is '-1' (an unsigned field cannot be "
       "negative)"},
      {"json_error 212 -2 2\n", bad,
       "cannot parse 'json_error' head: 'body_size' is '-2' (an unsigned field cannot be "
       "negative)"},
  });
  check_server_rejections({
      {"bind 1 0 0 0 0\n", bad, "cannot parse message head: unknown message name 'bind'"},
      {"ping 1 0\n", bad, "cannot parse message head: unknown message name 'ping'"},
      {"pong\n", bad, "cannot parse 'pong' head: 0 fields, expected 1"},
      {"download 1 0 0 0 0 0 0 0 0 0\n", bad,
       "cannot parse 'download' head: 10 fields, expected 11"},
      {"ident 1 2 3 4\n", bad, "cannot parse 'ident' head: 4 fields, expected 3"},
      {"error 103 10 2 0\nbad syntax", bad,
       "cannot parse 'error' head: 'try_again' is '2' (must be 0 or 1)"},
      {"download 1 0 0 0 +0 0 0 0 0 0 0\n", bad,
       "cannot parse 'download' head: 'latest_server_version_salt' is '+0' (a '+' sign is not "
       "allowed)"},
      {"log_message 0 2\r\n{}", bad, "cannot parse message head: it contains '\\r'"},
  });
}

TEST_CASE("protocol: the body must be exactly as long as the head says", "[protocol]") {
  const auto bad = ProtocolError::bad_syntax;
  check_client_rejections({
      {"bind 1 11 0 1 0\n/transcrip", bad,
       "cannot parse 'bind' message: the head announces 11 + 0 body bytes, the message has 10"},
      {"bind 1 11 5 1 0\n/transcript", bad,
       "cannot parse 'bind' message: the head announces 11 + 5 body bytes, the message has 11"},
      {"bind 1 18446744073709551615 2 1 0\n/transcript", bad,
       "cannot parse 'bind' message: the head announces 18446744073709551615 + 2 body bytes, the "
       "message has 11"},
      {"bind 1 11 0 1 0\n/transcriptX", bad,
       "cannot parse 'bind' message: 1 unexpected byte after the 11-byte body"},
      {"mark 1 1\nX", bad, "cannot parse 'mark' message: 1 unexpected byte after the head"},
      {"mark 1 1\n\n\n", bad, "cannot parse 'mark' message: 2 unexpected bytes after the head"},
      {"ident 1 2 3 0 0 0 0\n\0"s, bad,
       "cannot parse 'ident' message: 1 unexpected byte after the head"},
      {"unbind 1\n ", bad, "cannot parse 'unbind' message: 1 unexpected byte after the head"},
      {"ping 1 0\nxyz", bad, "cannot parse 'ping' message: 3 unexpected bytes after the head"},
      {"json_error 212 5 2\n{}", bad,
       "cannot parse 'json_error' message: the head announces 5 body bytes, the message has 2"},
      {"json_error 212 1 2\n{}", bad,
       "cannot parse 'json_error' message: 1 unexpected byte after the 1-byte body"},
      {"upload 1 0 10 0 1 0 0\n", bad,
       "cannot parse 'upload' message: the head announces 10 body bytes, the message has 0"},
      {"upload 1 0 0 0 1 0 0\n1 0 0 0 0 ", bad,
       "cannot parse 'upload' message: 10 unexpected bytes after the head"},
      {"upload 1 0 0 5 1 0 0\n", bad,
       "cannot parse 'upload' head: 'compressed_body_size' is 5 for an uncompressed body (must "
       "be 0)"},
  });
  check_server_rejections({
      {"error 103 3 0 0\nabcd", bad,
       "cannot parse 'error' message: 1 unexpected byte after the 3-byte body"},
      {"error 103 30 0 0\nabcd", bad,
       "cannot parse 'error' message: the head announces 30 body bytes, the message has 4"},
      {"log_message 0 5\n{}", bad,
       "cannot parse 'log_message' message: the head announces 5 body bytes, the message has 2"},
      {"pong 1\n1", bad, "cannot parse 'pong' message: 1 unexpected byte after the head"},
      {"download 1 0 0 0 0 0 0 0 0 3 0\n", bad,
       "cannot parse 'download' message: the head announces 3 body bytes, the message has 0"},
  });
}

TEST_CASE("protocol: UPLOAD changeset entries are checked (111, 112)", "[protocol]") {
  const auto syntax = ProtocolError::bad_changeset_header_syntax;
  const auto size = ProtocolError::bad_changeset_size;
  auto ok = parse_client_message(upload_with_body("2 0 375625790525 0 5 abcde"));
  REQUIRE(ok.ok());
  CHECK(std::get<Upload>(ok.value()).changesets ==
        std::vector<UploadChangeset>{{2, 0, 375625790525, 0, "abcde"}});
  check_client_rejections({
      {upload_with_body("2 0 1 0"), syntax,
       "cannot parse 'upload' changeset 1 (body offset 0): the header ends before "
       "'origin_file_ident'"},
      {upload_with_body("2"), syntax,
       "cannot parse 'upload' changeset 1 (body offset 0): the header ends before "
       "'client_version'"},
      {upload_with_body("2 0 1 0 5"), syntax,
       "cannot parse 'upload' changeset 1 (body offset 0): the header ends before "
       "'changeset_size'"},
      {upload_with_body("2 0 1 0 +5 abcde"), syntax,
       "cannot parse 'upload' changeset 1 (body offset 0): 'changeset_size' is '+5' (a '+' sign "
       "is not allowed)"},
      {upload_with_body("2  0 1 0 5 abcde"), syntax,
       "cannot parse 'upload' changeset 1 (body offset 0): 'server_version' is '' (empty field)"},
      {upload_with_body("2 0 1 -1 5 abcde"), syntax,
       "cannot parse 'upload' changeset 1 (body offset 0): 'origin_file_ident' is '-1' (an "
       "unsigned field cannot be negative)"},
      {upload_with_body("2 0 99999999999999999999 0 5 abcde"), syntax,
       "cannot parse 'upload' changeset 1 (body offset 0): 'origin_timestamp' is "
       "'99999999999999999999' (out of range)"},
      {upload_with_body("2 0 1 0 9 abcde"), size,
       "cannot parse 'upload' changeset 1 (body offset 0): 'changeset_size' is 9 but 5 body "
       "bytes remain"},
      {upload_with_body("2 0 1 0 1 a3 x 1 0 1 b"), syntax,
       "cannot parse 'upload' changeset 2 (body offset 11): 'server_version' is 'x' (not a "
       "decimal integer)"},
      {upload_with_body("2 0 1 0 1 a3 0 1 0 18446744073709551615 b"), size,
       "cannot parse 'upload' changeset 2 (body offset 11): 'changeset_size' is "
       "18446744073709551615 but 1 body bytes remain"},
  });
}

TEST_CASE("protocol: DOWNLOAD changeset entries are checked (111, 112)", "[protocol]") {
  const auto syntax = ProtocolError::bad_changeset_header_syntax;
  const auto size = ProtocolError::bad_changeset_size;
  auto ok = parse_server_message(download_with_body("1 0 1 2 7 5 abcde"));
  REQUIRE(ok.ok());
  CHECK(std::get<Download>(ok.value()).changesets ==
        std::vector<DownloadChangeset>{{1, 0, 1, 2, 7, "abcde"}});
  check_server_rejections({
      {download_with_body("1 0 1 2 5 9 abcde"), size,
       "cannot parse 'download' changeset 1 (body offset 0): 'changeset_size' is 9 but 5 body "
       "bytes remain"},
      {download_with_body("1 0 1 2 -5 5 abcde"), syntax,
       "cannot parse 'download' changeset 1 (body offset 0): 'original_changeset_size' is '-5' "
       "(an unsigned field cannot be negative)"},
      {download_with_body("1 0 1 2 5"), syntax,
       "cannot parse 'download' changeset 1 (body offset 0): the header ends before "
       "'original_changeset_size'"},
      {download_with_body("1 0 1 2 1 1 a2 0 1 2 1 1"), syntax,
       "cannot parse 'download' changeset 2 (body offset 13): the header ends before "
       "'changeset_size'"},
  });
}

TEST_CASE("protocol: a refusal converts to a ros::Error naming its code", "[protocol]") {
  auto parsed = parse_client_message("foo 1 2\n");
  REQUIRE_FALSE(parsed.ok());
  ros::Error e = parsed.error().to_error();
  CHECK(e.code == ros::Errc::invalid_argument);
  CHECK(e.message == "103: cannot parse message head: unknown message name 'foo'");
}

TEST_CASE("protocol: codes that crash 14.x clients are known", "[protocol]") {
  for (std::int64_t code : {104, 202, 203, 205, 207, 214, 215, 218, 219, 220, 221, 224}) {
    INFO(code);
    CHECK(crashes_14x_client(code));
  }
  for (std::int64_t code : {100, 101, 103, 110, 111, 112, 200, 201, 204, 206, 208, 209, 210, 211,
                            212, 216, 222, 999}) {
    INFO(code);
    CHECK_FALSE(crashes_14x_client(code));
  }
  CHECK(describe(103) == "bad syntax in message head");
  CHECK(describe(999) == "unknown error code");
}
