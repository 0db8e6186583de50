#include "control/client.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>

#include "test_server.hpp"

using namespace std::chrono_literals;
using ros::Errc;
using ros::control::Client;
using ros::control::json;
using ros::test::TestServer;
using ros::test::TestState;
using ros::test::test_ops;

TEST_CASE("control: client connect errors name the socket and the daemon", "[control]") {
  ros::test::TempDir dir;
  auto missing = Client::connect(dir / "authd.sock", "ros-authd");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == Errc::unavailable);
  CHECK(missing.error().message == "cannot connect to '" + (dir / "authd.sock").string() +
                                       "': No such file or directory (is ros-authd running?)");

  auto not_socket = Client::connect(dir.write("file", "x"), "ros-authd");
  REQUIRE_FALSE(not_socket.ok());
  CHECK(not_socket.error().message == "cannot connect to '" + (dir / "file").string() +
                                          "': Connection refused (is ros-authd running?)");
}

TEST_CASE("control: client calls map results and error codes", "[control]") {
  auto state = std::make_shared<TestState>();
  TestServer t(test_ops(state));
  REQUIRE(t.start().ok());
  auto client = Client::connect(t.path(), "ros-test");
  REQUIRE(client.ok());
  auto echoed = client->call("echo", {{"text", "hi"}});
  REQUIRE(echoed.ok());
  CHECK((*echoed)["args"] == json{{"text", "hi"}});

  struct Row {
    std::string op;
    json args;
    Errc code;
    std::string message;
  };
  const Row rows[] = {
      {"fail", json::object(), Errc::not_found, "no user 'alice'"},
      {"nope", json::object(), Errc::unknown_op, "unknown op 'nope'"},
      {"echo", {{"text", 1}}, Errc::invalid_argument, "argument 'text' must be a string"},
      {"throw", json::object(), Errc::internal,
       "op 'throw' failed: internal error (see the daemon's log)"},
  };
  for (const auto& row : rows) {
    auto result = client->call(row.op, row.args);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == row.code);
    CHECK(result.error().message == row.message);
  }
  auto version = client->check_protocol();
  REQUIRE(version.ok());
  CHECK((*version)["daemon"] == "ros-test");
}

TEST_CASE("control: client streams until the last line or until told to stop", "[control]") {
  auto state = std::make_shared<TestState>();
  TestServer t(test_ops(state));
  REQUIRE(t.start().ok());
  auto client = Client::connect(t.path(), "ros-test");
  REQUIRE(client.ok());
  std::vector<json> got;
  auto streamed = client->stream("count", {{"n", 4}}, [&](const json& r) {
    got.push_back(r);
    return true;
  });
  REQUIRE(streamed.ok());
  CHECK(got == std::vector<json>{0, 1, 2, 3, {{"done", 4}}});

  // Reusable after a stream that ended; a non-stream op gives one result.
  got.clear();
  REQUIRE(client->stream("echo", {{"text", "x"}}, [&](const json& r) {
    got.push_back(r);
    return true;
  }).ok());
  CHECK(got.size() == 1);

  // An error ends the stream with its code.
  auto refused = client->stream("count", json::object(), [](const json&) { return true; });
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message == "missing argument 'n'");

  // Stopping early closes the connection, and the server's writer sees it.
  got.clear();
  auto follow = std::thread([&] {
    REQUIRE(ros::test::eventually([&] {
      std::lock_guard lock(state->mutex);
      return state->follower != nullptr;
    }));
    std::shared_ptr<ros::control::Writer> writer;
    {
      std::lock_guard lock(state->mutex);
      writer = state->follower;
    }
    writer->more("one");
    writer->more("two");
    CHECK(ros::test::eventually([&] { return writer->closed(); }));
  });
  auto stopped = client->stream("follow", json::object(), [&](const json& r) {
    got.push_back(r);
    return false;
  });
  follow.join();
  REQUIRE(stopped.ok());
  CHECK(got == std::vector<json>{"one"});
  CHECK_FALSE(client->is_open());
}

TEST_CASE("control: client reply timeout", "[control]") {
  auto state = std::make_shared<TestState>();
  TestServer t(test_ops(state));
  REQUIRE(t.start().ok());
  auto client = Client::connect(t.path(), "ros-test", 100ms);
  REQUIRE(client.ok());
  auto slow = client->call("sleep", {{"ms", 400}});
  REQUIRE_FALSE(slow.ok());
  CHECK(slow.error().code == Errc::unavailable);
  CHECK(slow.error().message == "no reply from ros-test on '" + t.path().string() +
                                    "' within 100 ms (op 'sleep')");
  CHECK_FALSE(client->is_open());
  auto after = client->call("version");
  REQUIRE_FALSE(after.ok());
  CHECK(after.error().message == "the connection to ros-test is closed");
}

TEST_CASE("control: client sees the daemon go away", "[control]") {
  auto state = std::make_shared<TestState>();
  TestServer t(test_ops(state));
  REQUIRE(t.start().ok());
  auto client = Client::connect(t.path(), "ros-test");
  REQUIRE(client.ok());
  REQUIRE(client->call("version").ok());
  t.server->stop();
  REQUIRE(ros::test::eventually([&] { return t.server->connection_count() == 0; }));
  auto gone = client->call("version");
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().code == Errc::unavailable);
  bool named = gone.error().message.rfind("cannot send to ros-test on '", 0) == 0 ||
               gone.error().message == "the connection to ros-test on '" + t.path().string() +
                                           "' closed the connection (op 'version')";
  CHECK(named);
  auto again = Client::connect(t.path(), "ros-test");
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().message == "cannot connect to '" + t.path().string() +
                                     "': No such file or directory (is ros-test running?)");
}
