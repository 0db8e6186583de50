// The recorded transcript (shared/testdata/realm-sync/transcript): every raw
// message parses, formats back to exactly its bytes, decodes to the fields
// transcript.json lists, and its changesets parse as changesets.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"
#include "sync/changeset/parser.hpp"
#include "sync/protocol/codec.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace ros::sync::protocol;

namespace {

const fs::path kTranscript = fs::path(ROS_SHARED_DIR) / "testdata/realm-sync/transcript";

struct RawMessage {
  std::string file;       // "000009-c2s-upload.bin"
  bool from_client = false;
  std::string type;       // "upload"
  std::string bytes;
};

std::vector<RawMessage> raw_messages() {
  std::vector<RawMessage> out;
  for (const auto& entry : fs::directory_iterator(kTranscript / "raw")) {
    RawMessage m;
    m.file = entry.path().filename().string();
    std::string stem = entry.path().stem().string();  // NNNNNN-dir-type
    m.from_client = stem.substr(7, 3) == "c2s";
    m.type = stem.substr(11);
    m.bytes = ros::test::read_file(entry.path());
    out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(),
            [](const RawMessage& a, const RawMessage& b) { return a.file < b.file; });
  return out;
}

std::string hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    auto u = static_cast<unsigned char>(c);
    out.push_back(kHex[u >> 4]);
    out.push_back(kHex[u & 15]);
  }
  return out;
}

// The message in transcript.json's field convention.
json fields_of(const ClientMessage& message) {
  return std::visit(
      [](const auto& m) -> json {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, Bind>) {
          return {{"session", m.session_ident}, {"pathSize", m.server_path.size()},
                  {"tokenSize", m.signed_user_token.size()},
                  {"needClientFileIdent", m.need_client_file_ident},
                  {"isSubserver", m.is_subserver}, {"path", m.server_path},
                  {"token", m.signed_user_token}};
        } else if constexpr (std::is_same_v<T, ClientIdent>) {
          return {{"session", m.session_ident}, {"clientFileIdent", m.client_file_ident},
                  {"clientFileIdentSalt", m.client_file_ident_salt},
                  {"scanServerVersion", m.scan_server_version},
                  {"scanClientVersion", m.scan_client_version},
                  {"latestServerVersion", m.latest_server_version},
                  {"latestServerVersionSalt", m.latest_server_version_salt}};
        } else if constexpr (std::is_same_v<T, Upload>) {
          return {{"session", m.session_ident},
                  {"progressClientVersion", m.progress_client_version},
                  {"progressServerVersion", m.progress_server_version},
                  {"lockedServerVersion", m.locked_server_version}};
        } else if constexpr (std::is_same_v<T, ClientMark>) {
          return {{"session", m.session_ident}, {"requestIdent", m.request_ident}};
        } else if constexpr (std::is_same_v<T, Unbind>) {
          return {{"session", m.session_ident}};
        } else {
          return json::object();  // PING and JSON_ERROR are not in the transcript
        }
      },
      message);
}

json fields_of(const ServerMessage& message) {
  return std::visit(
      [](const auto& m) -> json {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, ServerIdent>) {
          return {{"session", m.session_ident}, {"clientFileIdent", m.client_file_ident},
                  {"clientFileIdentSalt", m.client_file_ident_salt}};
        } else if constexpr (std::is_same_v<T, Download>) {
          return {{"session", m.session_ident},
                  {"downloadServerVersion", m.download_server_version},
                  {"downloadClientVersion", m.download_client_version},
                  {"latestServerVersion", m.latest_server_version},
                  {"latestServerVersionSalt", m.latest_server_version_salt},
                  {"uploadClientVersion", m.upload_client_version},
                  {"uploadServerVersion", m.upload_server_version},
                  {"downloadableBytes", m.downloadable_bytes}};
        } else if constexpr (std::is_same_v<T, ServerMark>) {
          return {{"session", m.session_ident}, {"requestIdent", m.request_ident}};
        } else if constexpr (std::is_same_v<T, Unbound>) {
          return {{"session", m.session_ident}};
        } else if constexpr (std::is_same_v<T, LogMessage>) {
          return {{"session", m.session_ident}, {"json", json::parse(m.body)}};
        } else {
          return json::object();  // ERROR, JSON_ERROR, PONG are not in the transcript
        }
      },
      message);
}

// transcript.json's fields without those that describe the body's form (they
// are checked by the byte round trip).
json expected_fields(json fields) {
  for (const char* key : {"isBodyCompressed", "uncompressedBodySize", "compressedBodySize"}) {
    fields.erase(key);
  }
  return fields;
}

json transcript_events() {
  std::ifstream in(kTranscript / "transcript.json");
  return json::parse(in);
}

}  // namespace

TEST_CASE("protocol: every recorded message formats back to its recorded bytes", "[protocol]") {
  auto messages = raw_messages();
  REQUIRE(messages.size() == 33);
  for (const RawMessage& raw : messages) {
    INFO(raw.file);
    if (raw.from_client) {
      auto parsed = parse_client_message(raw.bytes);
      REQUIRE(parsed.ok());
      CHECK(message_name(parsed.value()) == raw.type);
      CHECK(format(parsed.value()) == raw.bytes);
    } else {
      auto parsed = parse_server_message(raw.bytes);
      REQUIRE(parsed.ok());
      CHECK(message_name(parsed.value()) == raw.type);
      CHECK(format(parsed.value()) == raw.bytes);
    }
  }
}

TEST_CASE("protocol: recorded messages decode to the transcript's fields", "[protocol]") {
  json doc = transcript_events();
  int checked = 0;
  for (const json& event : doc["events"]) {
    if (event["kind"] != "message") continue;
    const json& m = event["message"];
    std::string bytes = ros::test::read_file(kTranscript / event["raw"].get<std::string>());
    INFO(event["raw"].get<std::string>() << ": " << m["head"].get<std::string>());
    CHECK(bytes.substr(0, bytes.find('\n')) == m["head"].get<std::string>());
    json changesets = json::array();
    if (event["dir"] == "client->server") {
      auto parsed = parse_client_message(bytes);
      REQUIRE(parsed.ok());
      CHECK(fields_of(parsed.value()) == expected_fields(m["fields"]));
      if (auto* upload = std::get_if<Upload>(&parsed.value())) {
        for (const UploadChangeset& c : upload->changesets) {
          changesets.push_back({{"clientVersion", c.client_version},
                                {"lastIntegratedServerVersion", c.last_integrated_server_version},
                                {"originTimestamp", c.origin_timestamp},
                                {"originFileIdent", c.origin_file_ident},
                                {"changesetSize", c.changeset.size()},
                                {"hex", hex(c.changeset)}});
        }
      }
    } else {
      auto parsed = parse_server_message(bytes);
      REQUIRE(parsed.ok());
      CHECK(fields_of(parsed.value()) == expected_fields(m["fields"]));
      if (auto* download = std::get_if<Download>(&parsed.value())) {
        for (const DownloadChangeset& c : download->changesets) {
          changesets.push_back({{"serverVersion", c.server_version},
                                {"lastIntegratedClientVersion", c.last_integrated_client_version},
                                {"originTimestamp", c.origin_timestamp},
                                {"originFileIdent", c.origin_file_ident},
                                {"originalChangesetSize", c.original_changeset_size},
                                {"changesetSize", c.changeset.size()},
                                {"hex", hex(c.changeset)}});
        }
      }
    }
    json recorded = json::array();
    if (m.contains("changesets")) {
      for (json c : m["changesets"]) {
        c.erase("changeset");  // the decoded instructions
        recorded.push_back(c);
      }
    }
    CHECK(changesets == recorded);
    ++checked;
  }
  CHECK(checked == 33);
}

TEST_CASE("protocol: recorded UPLOAD and DOWNLOAD bodies carry valid changesets", "[protocol]") {
  int changesets = 0;
  for (const RawMessage& raw : raw_messages()) {
    INFO(raw.file);
    std::vector<std::string> bodies;
    if (raw.type == "upload") {
      auto parsed = parse_client_message(raw.bytes);
      REQUIRE(parsed.ok());
      for (const auto& c : std::get<Upload>(parsed.value()).changesets) bodies.push_back(c.changeset);
    } else if (raw.type == "download") {
      auto parsed = parse_server_message(raw.bytes);
      REQUIRE(parsed.ok());
      for (const auto& c : std::get<Download>(parsed.value()).changesets) {
        CHECK(c.original_changeset_size == c.changeset.size());
        bodies.push_back(c.changeset);
      }
    }
    for (const std::string& body : bodies) {
      auto parsed = ros::sync::changeset::parse(body);
      CHECK(parsed.ok());
      ++changesets;
    }
  }
  // A: 2 uploaded; B: 1 uploaded; 2 downloaded by B, 1 by A.
  CHECK(changesets == 6);
}
