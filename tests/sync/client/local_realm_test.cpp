// LocalRealm without a server: the recorded transcript replayed from the
// client's side (every UPLOAD head the real clients sent, from the same
// DOWNLOADs), the DOWNLOAD checks of protocol.md 3.11, integration errors,
// upload batching and rewinding for reconnects, and a merge of concurrent
// list inserts.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "sync/changeset/changeset_json.hpp"
#include "sync/changeset/encoder.hpp"
#include "sync/client/local_realm.hpp"
#include "sync/client/merge.hpp"
#include "sync/protocol/codec.hpp"

using namespace ros::sync;
using namespace ros::sync::client;

namespace {

std::string raw(const std::string& name) {
  std::ifstream in(std::string(ROS_SHARED_DIR) + "/testdata/realm-sync/transcript/raw/" + name, std::ios::binary);
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

protocol::Download download(const std::string& name) {
  auto m = protocol::parse_server_message(raw(name));
  REQUIRE(m.ok());
  return std::get<protocol::Download>(m.value());
}

protocol::Upload recorded_upload(const std::string& name) {
  auto m = protocol::parse_client_message(raw(name));
  REQUIRE(m.ok());
  return std::get<protocol::Upload>(m.value());
}

// The head of an UPLOAD without its body sizes: session, progress, locked.
std::string progress_of(const protocol::Upload& up) {
  return std::to_string(up.session_ident) + " " + std::to_string(up.progress_client_version) + " " +
         std::to_string(up.progress_server_version) + " " + std::to_string(up.locked_server_version);
}

changeset::Changeset cs(const std::string& json) {
  auto parsed = changeset::from_json(changeset::Json::parse(json));
  REQUIRE(parsed.ok());
  return parsed.value();
}

const char* kSchema = R"({"instructions": [
  {"type": "AddTable", "table": "T", "embedded": false, "primaryKey": {"field": "_id", "type": "Int", "nullable": false}, "asymmetric": false},
  {"type": "AddColumn", "table": "T", "field": "l", "valueType": "Int", "nullable": false, "collectionType": "List"},
  {"type": "CreateObject", "table": "T", "object": {"int": 1}}],
  "internStrings": ["T", "_id", "l", ""]})";

std::string insert_json(int index, int value, int prior) {
  return R"({"instructions": [{"type": "ArrayInsert", "table": "T", "object": {"int": 1}, "field": "l", "path": [)" +
         std::to_string(index) + R"(], "value": {"int": )" + std::to_string(value) + R"(}, "priorSize": )" +
         std::to_string(prior) + R"(}], "internStrings": ["T", "l"]})";
}

}  // namespace

TEST_CASE("client A of the transcript: the UPLOADs it sent follow from the DOWNLOADs it got") {
  LocalRealm a("/transcript");
  CHECK(a.bind_message(1) == protocol::Bind{1, "/transcript", "", true, false});
  auto offline = recorded_upload("000009-c2s-upload.bin");
  REQUIRE(offline.changesets.size() == 2);
  CHECK(a.write_bytes(offline.changesets[0].changeset).value() == 2);
  CHECK(a.write_bytes(offline.changesets[1].changeset).value() == 3);

  REQUIRE(a.set_ident(2, 6186681117805254202).ok());
  CHECK(protocol::format(a.ident_message(1)) == raw("000004-c2s-ident.bin"));
  a.start_session();
  CHECK_FALSE(a.integrate(download("000005-s2c-download.bin")));

  auto up = a.next_upload(1);
  REQUIRE(up);
  CHECK(progress_of(*up) == "1 5 0 0");  // upload 1 0 215 0 5 0 0
  REQUIRE(up->changesets.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(up->changesets[i].client_version == offline.changesets[i].client_version);
    CHECK(up->changesets[i].last_integrated_server_version == 0);
    CHECK(up->changesets[i].origin_file_ident == 0);
    CHECK(up->changesets[i].changeset == offline.changesets[i].changeset);
  }
  CHECK_FALSE(a.next_upload(1));

  CHECK_FALSE(a.integrate(download("000010-s2c-download.bin")));
  CHECK(a.progress().upload_ack == UploadCursor{5, 0});
  CHECK(a.progress().pending_local == 0);  // both integrated: download client version 3
  up = a.next_upload(1);
  REQUIRE(up);
  CHECK(protocol::format(*up) == raw("000011-c2s-upload.bin"));  // upload 1 0 0 0 6 2 2
  CHECK_FALSE(a.next_upload(1));

  CHECK_FALSE(a.integrate(download("000024-s2c-download.bin")));
  up = a.next_upload(1);
  REQUIRE(up);
  CHECK(protocol::format(*up) == raw("000027-c2s-upload.bin"));  // upload 1 0 0 0 7 3 3
  CHECK(a.progress().downloaded_changesets == 1);
}

TEST_CASE("client B of the transcript: download, write, acknowledgement; both end in the same state") {
  LocalRealm b("/transcript");
  REQUIRE(b.set_ident(3, 5818763672907011175).ok());
  CHECK(protocol::format(b.ident_message(2)) == raw("000015-c2s-ident.bin"));
  b.start_session();
  CHECK_FALSE(b.integrate(download("000016-s2c-download.bin")));
  auto up = b.next_upload(2);
  REQUIRE(up);
  CHECK(protocol::format(*up) == raw("000020-c2s-upload.bin"));  // upload 2 0 0 0 3 2 2

  auto recorded = recorded_upload("000023-c2s-upload.bin");
  CHECK(b.write_bytes(recorded.changesets.at(0).changeset).value() == 4);
  up = b.next_upload(2);
  REQUIRE(up);
  CHECK(progress_of(*up) == "2 4 2 2");  // upload 2 0 78 0 4 2 2
  REQUIRE(up->changesets.size() == 1);
  CHECK(up->changesets[0].client_version == 4);
  CHECK(up->changesets[0].last_integrated_server_version == 2);

  CHECK_FALSE(b.integrate(download("000025-s2c-download.bin")));
  up = b.next_upload(2);
  REQUIRE(up);
  CHECK(protocol::format(*up) == raw("000026-c2s-upload.bin"));  // upload 2 0 0 0 5 3 3

  // A, replayed, reaches the same state.
  LocalRealm a("/transcript");
  auto offline = recorded_upload("000009-c2s-upload.bin");
  for (auto& c : offline.changesets) REQUIRE(a.write_bytes(c.changeset).ok());
  REQUIRE(a.set_ident(2, 6186681117805254202).ok());
  for (auto name : {"000005-s2c-download.bin", "000010-s2c-download.bin", "000024-s2c-download.bin"}) {
    REQUIRE_FALSE(a.integrate(download(name)));
  }
  CHECK(a.state_json().value() == b.state_json().value());
  auto state = b.state_json().value().dump();
  CHECK(state.find("from-B") != std::string::npos);
  CHECK(state.find("write transcript") != std::string::npos);
}

TEST_CASE("DOWNLOADs that break protocol.md 3.11 are protocol violations and change nothing") {
  LocalRealm r("/r");
  REQUIRE(r.set_ident(2, 77).ok());
  protocol::Download good{1, 2, 0, 2, 99, 0, 0, 0, {}};
  good.changesets.push_back({1, 0, 1000, 3, 0, ""});
  good.changesets.push_back({2, 0, 1001, 4, 0, ""});

  auto expect_violation = [&](protocol::Download d, const std::string& words) {
    auto before = r.progress().client_version;
    auto e = r.integrate(d);
    REQUIRE(e);
    CHECK(e->kind == SyncError::Kind::protocol_violation);
    CHECK_THAT(e->message, Catch::Contains(words));
    CHECK(r.progress().client_version == before);
  };
  auto d = good;
  d.download_server_version = 3;  // beyond latest
  expect_violation(d, "download_server_version 3");
  d = good;
  d.upload_client_version = 50;  // beyond the newest client version
  expect_violation(d, "upload_client_version 50");
  d = good;
  d.download_client_version = 1;  // beyond upload_client_version 0
  expect_violation(d, "download_client_version 1");
  d = good;
  d.changesets[1].server_version = 1;  // not increasing
  expect_violation(d, "entry 1: server_version 1");
  d = good;
  d.changesets[0].origin_file_ident = 2;  // the client's own
  expect_violation(d, "origin_file_ident 2");
  d = good;
  d.upload_server_version = 3;
  expect_violation(d, "upload_server_version 3");

  REQUIRE_FALSE(r.integrate(good));
  CHECK(r.progress().download == DownloadCursor{2, 0});
  d = good;
  d.changesets.clear();
  d.latest_server_version = 1;  // latest went backwards
  d.download_server_version = 1;
  expect_violation(d, "latest_server_version 1");
}

TEST_CASE("a DOWNLOAD changeset that does not apply is an integration error 212") {
  LocalRealm r("/r");
  REQUIRE(r.set_ident(2, 77).ok());
  protocol::Download d{1, 1, 0, 1, 99, 0, 0, 0, {}};
  d.changesets.push_back({1, 0, 1000, 3, 1, std::string("\x0e", 1)});  // unknown instruction 14
  auto e = r.integrate(d);
  REQUIRE(e);
  CHECK(e->kind == SyncError::Kind::integration);
  CHECK(e->code == 212);
}

TEST_CASE("a local write the applier refuses changes nothing") {
  LocalRealm r("/r");
  auto bad = r.write(cs(insert_json(0, 1, 0)));  // no table T
  CHECK_FALSE(bad.ok());
  CHECK(r.progress().client_version == 1);
  CHECK(r.newest_local_change() == 0);
}

TEST_CASE("UPLOADs are batched at 128 KiB, and a new session re-sends what was not acknowledged") {
  LocalRealm r("/r");
  REQUIRE(r.set_ident(2, 77).ok());
  REQUIRE(r.write(cs(kSchema)).ok());
  std::string big(50 * 1024, 'x');
  for (int i = 0; i < 5; ++i) {
    auto j = changeset::Json::parse(R"({"instructions": [{"type": "AddColumn", "table": "T", "field": "s", "valueType": "String", "nullable": false, "collectionType": "Single"},
      {"type": "Update", "table": "T", "object": {"int": 1}, "field": "s", "path": [], "value": {"string": ""}, "isDefault": false}],
      "internStrings": ["T", "s", ""]})");
    j["instructions"][1]["value"]["string"] = big;
    REQUIRE(r.write(cs(j.dump())).ok());
  }
  r.start_session();
  std::vector<protocol::Upload> ups;
  while (auto up = r.next_upload(1)) ups.push_back(*up);
  REQUIRE(ups.size() == 3);  // 1 + 2 + 2 big changesets, plus the schema in the first
  CHECK(ups[0].changesets.size() == 3);
  CHECK(ups[0].progress_client_version == 5);
  CHECK(ups[2].progress_client_version == r.progress().client_version);
  CHECK(protocol::format(ups[0]).substr(0, 9) == "upload 1 ");

  // Reconnect before any acknowledgement: everything again, from the start.
  r.start_session();
  std::size_t again = 0;
  while (auto up = r.next_upload(1)) again += up->changesets.size();
  CHECK(again == 6);

  // An acknowledgement of the first 3 versions: only the rest is re-sent.
  protocol::Download ack{1, 2, 5, 2, 99, 5, 0, 0, {}};
  REQUIRE_FALSE(r.integrate(ack));
  r.start_session();
  std::vector<std::uint64_t> versions;
  while (auto up = r.next_upload(1)) {
    for (auto& c : up->changesets) versions.push_back(c.client_version);
  }
  CHECK(versions == std::vector<std::uint64_t>{6, 7, 8});
}

TEST_CASE("a large UPLOAD body is compressed by the codec") {
  LocalRealm r("/r");
  REQUIRE(r.write(cs(kSchema)).ok());
  for (int i = 0; i < 40; ++i) REQUIRE(r.write(cs(insert_json(i, i, i))).ok());
  r.start_session();
  auto up = r.next_upload(1);
  REQUIRE(up);
  auto bytes = protocol::format(*up);
  CHECK(bytes.substr(0, 9) == "upload 1 ");
  CHECK(bytes[9] == '1');  // is_body_compressed
  auto back = protocol::parse_client_message(bytes);
  REQUIRE(back.ok());
  CHECK(std::get<protocol::Upload>(back.value()) == *up);
}

TEST_CASE("concurrent list inserts merge: the client converges with the server's order") {
  if (!merge_available()) {
    WARN("ros_sync_transform not linked: merge test skipped");
    return;
  }
  // Both the server history and this client start from [ ] with the schema
  // as server version 1.
  LocalRealm r("/r");
  REQUIRE(r.set_ident(2, 77).ok());
  auto schema_bytes = changeset::encode(cs(kSchema), changeset::Layout::hoisted).value();
  protocol::Download d1{1, 1, 0, 1, 99, 0, 0, 0, {}};
  d1.changesets.push_back({1, 0, 1000, 3, schema_bytes.size(), schema_bytes});
  REQUIRE_FALSE(r.integrate(d1));

  // Locally: insert 10 at 0 (newer). Concurrently file 3 inserted 20 at 0 (older),
  // which the server made version 2 before integrating ours.
  REQUIRE(r.write(cs(insert_json(0, 10, 0))).ok());
  auto other = changeset::encode(cs(insert_json(0, 20, 0)), changeset::Layout::hoisted).value();
  auto mine_version = r.progress().client_version;
  protocol::Download d2{1, 2, 0, 2, 99, 0, 0, 0, {}};
  d2.changesets.push_back({2, 0, 1500, 3, other.size(), other});
  REQUIRE_FALSE(r.integrate(d2));
  auto state = r.state_json().value().dump();
  // The older insert (20) ends up first, then ours.
  CHECK(state.find("[{\"int\":20},{\"int\":10}]") != std::string::npos);
  CHECK(r.newest_local_change() == mine_version);  // still to be uploaded, as written
}

TEST_CASE("a local list update made for an older list size is refused: no merge could take it") {
  LocalRealm r("/r");
  REQUIRE(r.set_ident(2, 77).ok());
  auto bytes = [](const std::string& json) {
    return changeset::encode(cs(json), changeset::Layout::hoisted).value();
  };
  auto update = [](int prior) {
    return cs(R"({"instructions": [{"type": "Update", "table": "T", "object": {"int": 1}, "field": "l", "path": [0], "value": {"int": 5}, "priorSize": )" +
              std::to_string(prior) + R"(}], "internStrings": ["T", "l"]})");
  };
  // Server versions 1 and 2: the schema with T 1, then 20 into its list.
  auto schema = bytes(kSchema);
  auto first = bytes(insert_json(0, 20, 0));
  protocol::Download d1{1, 2, 0, 2, 99, 0, 0, 0, {}};
  d1.changesets.push_back({1, 0, 1000, 3, schema.size(), schema});
  d1.changesets.push_back({2, 0, 1000, 3, first.size(), first});
  REQUIRE_FALSE(r.integrate(d1));
  // A program reads [20] and makes its change, but version 3 comes in first.
  auto stale = update(1);
  auto second = bytes(insert_json(1, 30, 1));
  protocol::Download d2{1, 3, 0, 3, 99, 0, 0, 0, {}};
  d2.changesets.push_back({3, 0, 1000, 3, second.size(), second});
  REQUIRE_FALSE(r.integrate(d2));
  const auto version = r.progress().client_version;
  auto refused = r.write(stale);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("prior_size 1 is not the list size 2") != std::string::npos);
  CHECK(r.progress().client_version == version);
  CHECK(r.newest_local_change() == 0);
  CHECK(r.write(update(2)).ok());  // made for [20, 30]
}
