// The client against a real ros-syncd (its own process, temporary data
// directory, ephemeral port): identifiers, upload then download on another
// client, 50 clients on one Realm, a client dropped in the middle of an
// upload that re-sends without duplicates, and a restart of ros-syncd that
// loses nothing.
#include <catch2/catch.hpp>

#include <optional>
#include <vector>

#include "sync/changeset/changeset_json.hpp"
#include "sync/client/client.hpp"
#include "sync/client/item_changesets.hpp"
#include "sync/client/syncd_fixture.hpp"

using namespace ros::sync;
using namespace ros::sync::client;
using ros::test::SyncdFixture;
using ros::test::add_to_item;
using ros::test::changeset_from_json;
using ros::test::create_item;
using ros::test::item_schema;

namespace {

Client make_client(const SyncdFixture& f) {
  auto c = Client::make(f.client_options());
  REQUIRE(c.ok());
  return std::move(c.value());
}

void ok(const ros::Result<void>& r) {
  INFO((r.ok() ? std::string() : r.error().to_string()));
  REQUIRE(r.ok());
}

// The objects of class Item in a state dump.
changeset::Json items(const Session& s) {
  auto state = s.state_json();
  REQUIRE(state.ok());
  const auto& classes = state.value()["classes"];
  if (!classes.contains("Item")) return changeset::Json::array();
  return classes["Item"]["objects"];
}

std::int64_t counter_of(const Session& s, std::int64_t key) {
  for (const auto& obj : items(s)) {
    if (obj["_id"]["int"].get<std::int64_t>() == key) return obj["n"]["int"].get<std::int64_t>();
  }
  FAIL("no Item " << key << " in " << s.state_json().value().dump());
  return -1;
}

}  // namespace

TEST_CASE("a new client file gets an identifier and a salt") {
  SyncdFixture f;
  auto client = make_client(f);
  ok(client.connect());
  CHECK(client.stats().protocol_version == 14);
  auto s = client.bind("/e2e/ident");
  ok(s.wait_bound());
  CHECK(s.progress().client_file_ident >= 2);
  CHECK(s.progress().client_file_ident_salt != 0);
  ok(s.wait_downloaded());
  ok(s.unbind());
}

TEST_CASE("a bad token is refused at the upgrade with 401") {
  SyncdFixture f;
  auto o = f.client_options("not-a-token");
  o.reconnect = false;
  auto client = Client::make(o);
  auto r = client->connect();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ros::Errc::permission_denied);
  CHECK(client->last_error()->code == 401);
}

TEST_CASE("what one client uploads, another downloads") {
  SyncdFixture f;
  auto a = make_client(f);
  auto sa = a.bind("/e2e/updown");
  REQUIRE(sa.write(item_schema()).ok());
  REQUIRE(sa.write(create_item(1)).ok());
  REQUIRE(sa.write(add_to_item(1, 41)).ok());
  ok(sa.wait_uploaded());

  auto b = make_client(f);
  auto sb = b.bind("/e2e/updown");
  ok(sb.wait_downloaded());
  CHECK(sb.state_json().value() == sa.state_json().value());
  CHECK(counter_of(sb, 1) == 41);

  // And back: B's change reaches A.
  REQUIRE(sb.write(add_to_item(1, 1)).ok());
  ok(sb.wait_uploaded());
  ok(sa.wait_downloaded());
  CHECK(counter_of(sa, 1) == 42);
  CHECK(sa.progress().client_file_ident != sb.progress().client_file_ident);
}

TEST_CASE("50 clients on one Realm all see all changes") {
  SyncdFixture f;
  constexpr int kClients = 50;
  std::vector<Client> clients;
  std::vector<Session> sessions;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(make_client(f));
    sessions.push_back(clients.back().bind("/e2e/fifty"));
  }
  for (int i = 0; i < kClients; ++i) {
    // Everyone creates the schema concurrently (identical AddTable/AddColumn
    // merge away), their own object, and adds to a shared counter.
    REQUIRE(sessions[i].write(item_schema()).ok());
    REQUIRE(sessions[i].write(create_item(1000 + i)).ok());
    REQUIRE(sessions[i].write(create_item(0)).ok());
    REQUIRE(sessions[i].write(add_to_item(0, 1)).ok());
  }
  for (auto& s : sessions) ok(s.wait_uploaded());
  for (auto& s : sessions) ok(s.wait_downloaded());
  auto expected = sessions[0].state_json().value();
  for (int i = 0; i < kClients; ++i) {
    INFO("client " << i);
    CHECK(items(sessions[i]).size() == kClients + 1);
    CHECK(counter_of(sessions[i], 0) == kClients);
    CHECK(sessions[i].state_json().value() == expected);
  }
}

TEST_CASE("a client dropped in the middle of an upload re-sends it after reconnecting, without duplicates") {
  SyncdFixture f;
  auto a = make_client(f);
  auto sa = a.bind("/e2e/killed");
  REQUIRE(sa.write(item_schema()).ok());
  REQUIRE(sa.write(create_item(1)).ok());
  ok(sa.wait_uploaded());
  auto versions_before = sa.progress().latest.version;

  sa.drop_connection_after_next_upload();
  constexpr int kAdds = 5;
  for (int i = 0; i < kAdds; ++i) REQUIRE(sa.write(add_to_item(1, 1)).ok());
  ok(sa.wait_uploaded());  // across the drop and the reconnect
  CHECK(a.stats().connects >= 2);

  auto b = make_client(f);
  auto sb = b.bind("/e2e/killed");
  ok(sb.wait_downloaded());
  CHECK(counter_of(sb, 1) == kAdds);
  // One server version per changeset: nothing was integrated twice.
  CHECK(sb.progress().latest.version == versions_before + kAdds);
  ok(sa.wait_downloaded());
  CHECK(sa.state_json().value() == sb.state_json().value());
}

TEST_CASE("a restart of ros-syncd between sessions loses nothing") {
  SyncdFixture f;
  auto a = make_client(f);
  auto sa = a.bind("/e2e/restart");
  REQUIRE(sa.write(item_schema()).ok());
  REQUIRE(sa.write(create_item(1)).ok());
  REQUIRE(sa.write(add_to_item(1, 10)).ok());
  ok(sa.wait_uploaded());
  auto ident = sa.progress().client_file_ident;

  f.stop();
  f.start();

  // A comes back on its own (same identifier, salt and cursors) and goes on.
  REQUIRE(sa.write(add_to_item(1, 5)).ok());
  ok(sa.wait_uploaded());
  CHECK(sa.progress().client_file_ident == ident);
  CHECK_FALSE(sa.last_error());

  auto b = make_client(f);
  auto sb = b.bind("/e2e/restart");
  ok(sb.wait_downloaded());
  CHECK(counter_of(sb, 1) == 15);
  CHECK(sb.state_json().value() == sa.state_json().value());
}

TEST_CASE("several Realms share one connection") {
  SyncdFixture f;
  auto a = make_client(f);
  auto b = make_client(f);
  std::vector<Session> mine, theirs;
  for (int r = 0; r < 3; ++r) {
    auto path = "/e2e/multi-" + std::to_string(r);
    mine.push_back(a.bind(path));
    REQUIRE(mine.back().write(item_schema()).ok());
    REQUIRE(mine.back().write(create_item(r)).ok());
  }
  for (auto& s : mine) ok(s.wait_uploaded());
  for (int r = 0; r < 3; ++r) theirs.push_back(b.bind("/e2e/multi-" + std::to_string(r)));
  for (int r = 0; r < 3; ++r) {
    ok(theirs[r].wait_downloaded());
    CHECK(theirs[r].state_json().value() == mine[r].state_json().value());
  }
  CHECK(a.stats().connects == 1);
  CHECK(b.stats().connects == 1);
}

TEST_CASE("concurrent edits of one list and one field converge on every client") {
  SyncdFixture f;
  auto list_schema = changeset_from_json(R"({"instructions": [
    {"type": "AddTable", "table": "Doc", "embedded": false, "primaryKey": {"field": "_id", "type": "Int", "nullable": false}, "asymmetric": false},
    {"type": "AddColumn", "table": "Doc", "field": "tags", "valueType": "String", "nullable": false, "collectionType": "List"},
    {"type": "AddColumn", "table": "Doc", "field": "title", "valueType": "String", "nullable": false, "collectionType": "Single"},
    {"type": "CreateObject", "table": "Doc", "object": {"int": 1}}],
    "internStrings": ["Doc", "_id", "tags", "", "title"]})");
  auto insert = [](int index, const std::string& value, int prior) {
    auto j = changeset::Json::parse(R"({"instructions": [
      {"type": "ArrayInsert", "table": "Doc", "object": {"int": 1}, "field": "tags", "path": [0], "value": {"string": ""}, "priorSize": 0}],
      "internStrings": ["Doc", "tags"]})");
    j["instructions"][0]["path"][0] = index;
    j["instructions"][0]["value"]["string"] = value;
    j["instructions"][0]["priorSize"] = prior;
    return changeset::from_json(j).value();
  };
  auto set_title = [](const std::string& value) {
    auto j = changeset::Json::parse(R"({"instructions": [
      {"type": "Update", "table": "Doc", "object": {"int": 1}, "field": "title", "path": [], "value": {"string": ""}, "isDefault": false}],
      "internStrings": ["Doc", "title"]})");
    j["instructions"][0]["value"]["string"] = value;
    return changeset::from_json(j).value();
  };

  auto a = make_client(f);
  auto b = make_client(f);
  auto sa = a.bind("/e2e/conflict");
  auto sb = b.bind("/e2e/conflict");
  REQUIRE(sa.write(list_schema).ok());
  ok(sa.wait_uploaded());
  ok(sb.wait_downloaded());

  // Both write while disconnected, from the same base.
  a.drop_connection();
  b.drop_connection();
  REQUIRE(sa.write(insert(0, "a1", 0)).ok());
  REQUIRE(sa.write(insert(1, "a2", 1)).ok());
  REQUIRE(sa.write(set_title("from A")).ok());
  REQUIRE(sb.write(insert(0, "b1", 0)).ok());
  REQUIRE(sb.write(set_title("from B")).ok());
  REQUIRE(sb.write(insert(0, "b0", 1)).ok());

  ok(sa.wait_uploaded());
  ok(sb.wait_uploaded());
  ok(sa.wait_downloaded());
  ok(sb.wait_downloaded());
  auto state = sa.state_json().value();
  CHECK(state == sb.state_json().value());
  auto tags = state["classes"]["Doc"]["objects"][0]["tags"].dump();
  for (auto tag : {"a1", "a2", "b0", "b1"}) CHECK(tags.find(tag) != std::string::npos);

  // A third client that starts late gets the same.
  auto c = make_client(f);
  auto sc = c.bind("/e2e/conflict");
  ok(sc.wait_downloaded());
  CHECK(sc.state_json().value() == state);
}
