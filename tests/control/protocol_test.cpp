#include "control/protocol.hpp"

#include <catch2/catch.hpp>

using namespace ros::control;
using ros::Errc;

TEST_CASE("control: socket paths drop the ros- prefix", "[control]") {
  CHECK(socket_path("/var/lib/realm/run", "ros-authd") == "/var/lib/realm/run/authd.sock");
  CHECK(socket_path("/run/ros", "ros-syncd") == "/run/ros/syncd.sock");
  CHECK(socket_path("/run/ros", "other") == "/run/ros/other.sock");
}

TEST_CASE("control: request lines parse, and bad ones are refused with the exact message",
          "[control]") {
  struct Good {
    std::string line;
    json id;
    std::string op;
    json args;
  };
  const Good good[] = {
      {R"({"id":1,"op":"user.add","args":{"username":"alice"}})", 1, "user.add",
       {{"username", "alice"}}},
      {R"({"id":"a","op":"version"})", "a", "version", json::object()},
      {R"({"id":-3,"op":"x","args":null})", -3, "x", json::object()},
      {R"({"id":2,"op":"x","args":{},"extra":true})" "\r", 2, "x", json::object()},
      {R"(  {"op":"x","id":18446744073709551615}  )", 18446744073709551615ull, "x",
       json::object()},
  };
  for (const auto& row : good) {
    INFO(row.line);
    json id;
    auto parsed = parse_request(row.line, id);
    REQUIRE(parsed.ok());
    CHECK(parsed->id == row.id);
    CHECK(id == row.id);
    CHECK(parsed->op == row.op);
    CHECK(parsed->args == row.args);
  }
  struct Bad {
    std::string line;
    json id;
    std::string message;
  };
  const Bad bad[] = {
      {"", nullptr, "request is not valid JSON"},
      {"{", nullptr, "request is not valid JSON"},
      {"{} {}", nullptr, "request is not valid JSON"},
      {std::string(65, '[') + std::string(65, ']'), nullptr,
       "request is nested too deeply (limit 64 levels)"},
      {"null", nullptr, "request must be a JSON object"},
      {R"({"id":null,"op":"x"})", nullptr, "field 'id' must be an integer or a string"},
      {R"({"id":true,"op":"x"})", nullptr, "field 'id' must be an integer or a string"},
      {R"({"id":1,"op":null})", 1, "field 'op' must be a string"},
      {R"({"id":1,"op":"x","args":[1]})", 1, "field 'args' must be an object"},
  };
  for (const auto& row : bad) {
    INFO(row.line);
    json id = "stale";
    auto parsed = parse_request(row.line, id);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == Errc::invalid_argument);
    CHECK(parsed.error().message == row.message);
    CHECK(id == row.id);
  }
  // Brackets inside strings do not count as nesting.
  json id;
  CHECK(parse_request(R"({"id":1,"op":")" + std::string(100, '[') + R"("})", id).ok());
  std::string deep_ok = R"({"id":1,"op":"x","args":{"a":)" + std::string(62, '[') +
                        std::string(62, ']') + "}}";
  CHECK(parse_request(deep_ok, id).ok());
}

TEST_CASE("control: reply lines have the documented shape", "[control]") {
  CHECK(request_line(1, "user.add", {{"username", "alice"}}) ==
        R"({"args":{"username":"alice"},"id":1,"op":"user.add"})" "\n");
  CHECK(result_line(1, {{"a", 1}}) == R"({"id":1,"ok":true,"result":{"a":1}})" "\n");
  CHECK(more_line("s", 5) == R"({"id":"s","more":true,"ok":true,"result":5})" "\n");
  CHECK(error_line(2, ros::make_error(Errc::not_found, "no user 'alice'")) ==
        R"({"error":{"code":"not_found","message":"no user 'alice'"},"id":2,"ok":false})" "\n");
  // Invalid UTF-8 never makes formatting throw.
  CHECK(error_line(nullptr, ros::make_error(Errc::unknown_op, "unknown op '\xff'")) ==
        "{\"error\":{\"code\":\"unknown_op\",\"message\":\"unknown op '\xef\xbf\xbd'\"},"
        "\"id\":null,\"ok\":false}\n");  // U+FFFD
}

TEST_CASE("control: replies parse, and malformed ones are errors", "[control]") {
  auto ok = parse_reply(R"({"id":1,"ok":true,"result":{"a":1}})");
  REQUIRE(ok.ok());
  CHECK(ok->ok());
  CHECK_FALSE(ok->more);
  CHECK(ok->result == json{{"a", 1}});
  auto more = parse_reply(R"({"id":1,"ok":true,"more":true,"result":2})");
  REQUIRE(more.ok());
  CHECK(more->more);
  auto more_false = parse_reply(R"({"id":1,"ok":true,"more":false,"result":2})");
  REQUIRE(more_false.ok());
  CHECK_FALSE(more_false->more);

  struct Row {
    std::string line;
    Errc code;
    std::string message;
  };
  const Row errors[] = {
      {R"({"id":1,"ok":false,"error":{"code":"not_found","message":"no user 'alice'"}})",
       Errc::not_found, "no user 'alice'"},
      {R"({"id":1,"ok":false,"error":{"code":"permission_denied","message":"m"}})",
       Errc::permission_denied, "m"},
      {R"({"id":null,"ok":false,"error":{"code":"brand_new","message":"m"}})", Errc::internal,
       "m"},
  };
  for (const auto& row : errors) {
    auto reply = parse_reply(row.line);
    REQUIRE(reply.ok());
    REQUIRE_FALSE(reply->ok());
    CHECK(reply->error->code == row.code);
    CHECK(reply->error->message == row.message);
  }
  const std::pair<std::string, std::string> malformed[] = {
      {"garbage", "reply is not a JSON object"},
      {"[]", "reply is not a JSON object"},
      {R"({"ok":true,"result":1})", "reply has no 'id'"},
      {R"({"id":1,"result":1})", "reply has no boolean 'ok'"},
      {R"({"id":1,"ok":true})", "reply has no 'result'"},
      {R"({"id":1,"ok":true,"more":1,"result":1})", "reply's 'more' is not a boolean"},
      {R"({"id":1,"ok":false})", "reply has no 'error' object"},
      {R"({"id":1,"ok":false,"error":{"code":1,"message":"m"}})",
       "reply's error has no 'code' and 'message' strings"},
  };
  for (const auto& [line, message] : malformed) {
    INFO(line);
    auto reply = parse_reply(line);
    REQUIRE_FALSE(reply.ok());
    CHECK(reply.error().message == message);
  }
}

TEST_CASE("control: secrets are redacted for logs at any depth", "[control]") {
  json args = {{"username", "alice"},
               {"password", "hunter2"},
               {"new_password", "x"},
               {"token", "t"},
               {"refresh_token", "r"},
               {"tokens", 3},
               {"nested", {{"password", "p"}, {"list", {{{"token", "t"}}}}}}};
  json expected = {{"username", "alice"},
                   {"password", "<redacted>"},
                   {"new_password", "<redacted>"},
                   {"token", "<redacted>"},
                   {"refresh_token", "<redacted>"},
                   {"tokens", 3},
                   {"nested", {{"password", "<redacted>"}, {"list", {{{"token", "<redacted>"}}}}}}};
  CHECK(redact(args) == expected);
}
