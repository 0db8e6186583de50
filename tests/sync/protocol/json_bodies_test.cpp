// LOG_MESSAGE and JSON_ERROR bodies: the recorded LOG_MESSAGEs are rebuilt
// byte for byte; JSON_ERROR carries the six keys a 14.x client requires.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"
#include "sync/protocol/codec.hpp"
#include "sync/protocol/json_bodies.hpp"

using namespace ros::sync::protocol;

namespace {
const std::filesystem::path kRaw =
    std::filesystem::path(ROS_SHARED_DIR) / "testdata/realm-sync/transcript/raw";
}

TEST_CASE("protocol: LOG_MESSAGE bodies are built as the reference sends them", "[protocol]") {
  CHECK(format(ServerMessage{make_log_message(0, LogLevel::info,
                                              "Client connection established with server",
                                              "6b08263e4f76d7c02ae50d4f")}) ==
        ros::test::read_file(kRaw / "000001-s2c-log_message.bin"));
  CHECK(format(ServerMessage{make_log_message(1, LogLevel::debug,
                                              "Session 1 bound to client file ident 2")}) ==
        ros::test::read_file(kRaw / "000006-s2c-log_message.bin"));
  CHECK(format(ServerMessage{make_log_message(2, LogLevel::debug,
                                              "Session 2 bound to client file ident 3")}) ==
        ros::test::read_file(kRaw / "000017-s2c-log_message.bin"));
  const std::vector<std::pair<LogLevel, std::string>> levels = {
      {LogLevel::fatal, "fatal"}, {LogLevel::error, "error"},   {LogLevel::warn, "warn"},
      {LogLevel::info, "info"},   {LogLevel::detail, "detail"}, {LogLevel::debug, "debug"},
      {LogLevel::trace, "trace"}};
  for (const auto& [level, name] : levels) CHECK(to_string(level) == name);
  CHECK(make_log_message(0, LogLevel::warn, "a \"quoted\"\n line").body ==
        R"({"level":"warn","msg":"a \"quoted\"\n line"})");
}

TEST_CASE("protocol: JSON_ERROR bodies carry the six mandatory keys", "[protocol]") {
  JsonErrorInfo info;
  info.message = "Bad changeset";
  info.try_again = true;
  info.action = ErrorAction::client_reset;
  ServerJsonError e = make_json_error(212, 3, info);
  const std::string body =
      R"({"action":"ClientReset","isRecoveryModeDisabled":false,"logURL":"","message":"Bad changeset","shouldClientReset":false,"tryAgain":true})";
  CHECK(e.body == body);
  CHECK(format(ServerMessage{e}) ==
        "json_error 212 " + std::to_string(body.size()) + " 3\n" + body);
  CHECK(to_string(ErrorAction::client_reset_no_recovery) == "ClientResetNoRecovery");
  CHECK(to_string(ErrorAction::migrate_to_flx) == "MigrateToFLX");
  CHECK(to_string(ErrorAction::revert_to_pbs) == "RevertToPBS");
}

TEST_CASE("protocol: the message of a client's JSON_ERROR is read", "[protocol]") {
  auto ok = json_error_message(ClientJsonError{212, 2, R"j({"message":"Bad changeset (DOWNLOAD)"})j"});
  REQUIRE(ok.ok());
  CHECK(ok.value() == "Bad changeset (DOWNLOAD)");
  struct Bad {
    std::string body;
    std::string message;
  };
  const std::vector<Bad> table = {
      {"", "the JSON_ERROR body is not a JSON object"},
      {"not json", "the JSON_ERROR body is not a JSON object"},
      {"[1]", "the JSON_ERROR body is not a JSON object"},
      {"{}", "the JSON_ERROR body has no string 'message'"},
      {R"({"message":7})", "the JSON_ERROR body has no string 'message'"},
  };
  for (const Bad& b : table) {
    INFO(b.body);
    auto r = json_error_message(ClientJsonError{212, 2, b.body});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ros::Errc::invalid_argument);
    CHECK(r.error().message == b.message);
  }
}
