// The recorded transcript (testdata/realm-sync/transcript, realm-core 14.14.0
// clients and the reference server) replayed against ros-syncd: every client
// message is sent as recorded, on its connection, in the recorded order, and
// every server message is compared field by field with the recorded one.
// Salts differ by nature (the server draws them), so the client's IDENT
// carries the salts our server issued, and salts are not compared; log
// messages are compared by session only (their text is ours). DOWNLOAD
// bodies are compared byte for byte: the server stores and sends the
// changesets in realm-core's hoisted layout.
#include <fstream>
#include <map>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "sync/server/protocol_helpers.hpp"
#include "sync/server/server_fixture.hpp"

using namespace ros::test;
namespace p = ros::sync::protocol;
using nlohmann::json;

namespace {

const std::string kDir = std::string(ROS_SHARED_DIR) + "/testdata/realm-sync/transcript/";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The recorded message with its salts replaced by 0, for comparison.
p::ServerMessage without_salts(p::ServerMessage m) {
  if (auto* ident = std::get_if<p::ServerIdent>(&m)) ident->client_file_ident_salt = 0;
  if (auto* download = std::get_if<p::Download>(&m)) download->latest_server_version_salt = 0;
  return m;
}

}  // namespace

TEST_CASE("syncd: the recorded transcript replays with the same answers", "[syncd][transcript]") {
  json transcript = json::parse(read_file(kDir + "transcript.json"));
  ServerFixture f;
  const std::string token = f.admin_token();

  std::map<int, std::unique_ptr<RawSyncClient>> connections;
  std::map<int, std::vector<std::uint64_t>> expected_logs, received_logs;
  // Salts our server issued, by client file ident, and the latest version's.
  std::map<std::uint64_t, std::int64_t> file_salts;
  std::map<int, std::int64_t> latest_salt;  // per connection, from its last DOWNLOAD

  auto next_non_log = [&](int conn) {
    for (;;) {
      auto m = next_message(*connections[conn], false);
      if (auto* log = std::get_if<p::LogMessage>(&m)) {
        received_logs[conn].push_back(log->session_ident);
        continue;
      }
      return m;
    }
  };

  int compared = 0;
  for (const auto& event : transcript["events"]) {
    const int conn = event["conn"].get<int>();
    const std::string kind = event["kind"];
    const bool from_client = event["dir"] == "client->server";
    if (kind == "open") {
      RawSyncClient::Options o;
      o.target = "/realm-sync?baas_at=" + token;
      connections[conn] = std::make_unique<RawSyncClient>(f.sync_port, o);
      REQUIRE(connections[conn]->status() == 101);
      continue;
    }
    if (kind != "message") continue;
    const std::string raw = read_file(kDir + event["raw"].get<std::string>());
    INFO("event " << event["seq"] << " on connection " << conn << ": " << event["message"]["head"]);
    if (from_client) {
      auto parsed = p::parse_client_message(raw);
      REQUIRE(parsed.ok());
      p::ClientMessage m = std::move(parsed).value();
      if (auto* ident = std::get_if<p::ClientIdent>(&m)) {
        ident->client_file_ident_salt = file_salts.at(ident->client_file_ident);
        if (ident->latest_server_version != 0) {
          ident->latest_server_version_salt = latest_salt.at(conn);
        }
      }
      connections[conn]->send(p::format(m));
      continue;
    }
    auto recorded = p::parse_server_message(raw);
    REQUIRE(recorded.ok());
    if (auto* log = std::get_if<p::LogMessage>(&recorded.value())) {
      expected_logs[conn].push_back(log->session_ident);
      continue;
    }
    p::ServerMessage ours = next_non_log(conn);
    if (auto* ident = std::get_if<p::ServerIdent>(&ours)) {
      CHECK(ident->client_file_ident_salt > 0);
      file_salts[ident->client_file_ident] = ident->client_file_ident_salt;
    }
    if (auto* download = std::get_if<p::Download>(&ours)) {
      CHECK((download->latest_server_version == 0) == (download->latest_server_version_salt == 0));
      latest_salt[conn] = download->latest_server_version_salt;
    }
    const std::string want = p::format(without_salts(recorded.value()));
    const std::string got = p::format(without_salts(ours));
    CHECK(got.substr(0, got.find('\n')) == want.substr(0, want.find('\n')));
    CHECK(got == want);  // heads and bodies
    ++compared;
  }
  CHECK(compared == 13);
  // The log messages went to the same sessions (their order among the other
  // messages is free, protocol.md 3.3 rule 8).
  for (auto& [conn, sessions] : expected_logs) {
    auto& got = received_logs[conn];
    // A log message may still be in flight after the last compared message.
    while (got.size() < sessions.size()) {
      auto bytes = connections[conn]->receive(std::chrono::seconds(2));
      if (!bytes) break;
      auto m = p::parse_server_message(*bytes);
      if (m.ok() && std::holds_alternative<p::LogMessage>(m.value())) {
        got.push_back(std::get<p::LogMessage>(m.value()).session_ident);
      }
    }
    std::sort(got.begin(), got.end());
    std::sort(sessions.begin(), sessions.end());
    CHECK(got == sessions);
  }
}
