#include "control/server.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include <catch2/catch.hpp>

#include "control/client.hpp"
#include "log/logger.hpp"
#include "test_server.hpp"

using namespace std::chrono_literals;
using ros::Errc;
using ros::control::Client;
using ros::control::json;
using ros::test::eventually;
using ros::test::RawConn;
using ros::test::TestServer;
using ros::test::TestState;
using ros::test::test_ops;

namespace {

// The next reply on `conn`, parsed; fails the test on timeout.
json next(RawConn& conn) {
  auto line = conn.line();
  REQUIRE(line.has_value());
  return json::parse(*line);
}

json error_reply(const json& id, std::string_view code, std::string_view message) {
  return json{{"id", id}, {"ok", false}, {"error", {{"code", code}, {"message", message}}}};
}

// One request on `conn` that must succeed: the server still serves.
void check_serving(RawConn& conn) {
  conn.send(R"({"id":"check","op":"echo","args":{"text":"still here"}})" "\n");
  json reply = next(conn);
  CHECK(reply["id"] == "check");
  CHECK(reply["ok"] == true);
  CHECK(reply["result"]["args"]["text"] == "still here");
}

}  // namespace

TEST_CASE("control: a call gets its result with its id", "[control]") {
  auto state = std::make_shared<TestState>();
  TestServer t(test_ops(state));
  REQUIRE(t.start().ok());
  RawConn conn(t.path());
  conn.send(R"({"id":1,"op":"echo","args":{"text":"hi","count":3,"flag":true,"obj":{"a":1},"list":[1]}})" "\n");
  json reply = next(conn);
  CHECK(reply["id"] == 1);
  CHECK(reply["ok"] == true);
  CHECK_FALSE(reply.contains("more"));
  CHECK(reply["result"]["args"] == json{{"text", "hi"}, {"count", 3}, {"flag", true},
                                        {"obj", {{"a", 1}}}, {"list", {1}}});
  CHECK(reply["result"]["uid"] == ::geteuid());
  CHECK(reply["result"]["pid"] == ::getpid());

  // A string id, absent args for an op without required ones, null optional args.
  conn.send(R"({"id":"x-7","op":"fail"})" "\n");
  CHECK(next(conn) == error_reply("x-7", "not_found", "no user 'alice'"));
  conn.send(R"({"id":2,"op":"echo","args":{"text":"a","count":null}})" "\n");
  CHECK(next(conn)["result"]["args"] == json{{"text", "a"}});
}

TEST_CASE("control: pipelined requests are answered in order", "[control]") {
  auto state = std::make_shared<TestState>();
  TestServer t(test_ops(state));
  REQUIRE(t.start().ok());
  RawConn conn(t.path());
  conn.send(R"({"id":1,"op":"echo","args":{"text":"a"}})" "\n"
            R"({"id":2,"op":"nope"})" "\r\n"
            "\n"
            R"({"id":3,"op":"echo","args":{"text":"c"}})" "\n");
  CHECK(next(conn)["id"] == 1);
  CHECK(next(conn) == error_reply(2, "unknown_op", "unknown op 'nope'"));
  CHECK(next(conn)["id"] == 3);
}

TEST_CASE("control: the dispatcher refuses bad requests in order, one reply each", "[control]") {
  auto state = std::make_shared<TestState>();
  TestServer t(test_ops(state));
  REQUIRE(t.start().ok());
  struct Row {
    std::string line;
    json id;
    std::string code;
    std::string message;
  };
  const std::string deep = std::string(100, '[') + std::string(100, ']');
  const Row rows[] = {
      // JSON
      {"not json", nullptr, "invalid_argument", "request is not valid JSON"},
      {std::string("\xff\xfe\x00\x01garbage", 11), nullptr, "invalid_argument",
       "request is not valid JSON"},
      {R"({"id":1,"op":"echo")", nullptr, "invalid_argument", "request is not valid JSON"},
      {"{\"id\":1,\"op\":\"\xff\"}", nullptr, "invalid_argument", "request is not valid JSON"},
      {deep, nullptr, "invalid_argument", "request is nested too deeply (limit 64 levels)"},
      {"[1,2]", nullptr, "invalid_argument", "request must be a JSON object"},
      {"\"hello\"", nullptr, "invalid_argument", "request must be a JSON object"},
      {"42", nullptr, "invalid_argument", "request must be a JSON object"},
      // shape
      {R"({"op":"echo"})", nullptr, "invalid_argument", "missing field 'id'"},
      {R"({"id":1.5,"op":"echo"})", nullptr, "invalid_argument",
       "field 'id' must be an integer or a string"},
      {R"({"id":[1],"op":"echo"})", nullptr, "invalid_argument",
       "field 'id' must be an integer or a string"},
      {R"({"id":1})", 1, "invalid_argument", "missing field 'op'"},
      {R"({"id":2,"op":7})", 2, "invalid_argument", "field 'op' must be a string"},
      {R"({"id":3,"op":"echo","args":[]})", 3, "invalid_argument",
       "field 'args' must be an object"},
      {R"({"id":4,"op":"nope","args":"x"})", 4, "invalid_argument",
       "field 'args' must be an object"},
      // op lookup
      {R"({"id":5,"op":"nope"})", 5, "unknown_op", "unknown op 'nope'"},
      {R"({"id":6,"op":""})", 6, "unknown_op", "unknown op ''"},
      {R"({"id":7,"op":"ECHO","args":{"text":1}})", 7, "unknown_op", "unknown op 'ECHO'"},
      // arguments: unknown, then missing, then types
      {R"({"id":8,"op":"echo","args":{"text":"a","bogus":1}})", 8, "invalid_argument",
       "unknown argument 'bogus' for op 'echo'"},
      {R"({"id":9,"op":"echo","args":{"bogus":1}})", 9, "invalid_argument",
       "unknown argument 'bogus' for op 'echo'"},
      {R"({"id":10,"op":"echo"})", 10, "invalid_argument", "missing argument 'text'"},
      {R"({"id":11,"op":"echo","args":{"count":"x"}})", 11, "invalid_argument",
       "missing argument 'text'"},
      {R"({"id":12,"op":"echo","args":{"text":1}})", 12, "invalid_argument",
       "argument 'text' must be a string"},
      {R"({"id":13,"op":"echo","args":{"text":"a","count":1.5}})", 13, "invalid_argument",
       "argument 'count' must be an integer"},
      {R"({"id":14,"op":"echo","args":{"text":"a","count":"3"}})", 14, "invalid_argument",
       "argument 'count' must be an integer"},
      {R"({"id":15,"op":"echo","args":{"text":"a","flag":"yes"}})", 15, "invalid_argument",
       "argument 'flag' must be a boolean"},
      {R"({"id":16,"op":"echo","args":{"text":"a","obj":[]}})", 16, "invalid_argument",
       "argument 'obj' must be an object"},
      {R"({"id":17,"op":"echo","args":{"text":"a","list":{}}})", 17, "invalid_argument",
       "argument 'list' must be an array"},
      {R"({"id":18,"op":"version","args":{"verbose":true}})", 18, "invalid_argument",
       "unknown argument 'verbose' for op 'version'"},
      // handler errors
      {R"({"id":19,"op":"throw"})", 19, "internal",
       "op 'throw' failed: internal error (see the daemon's log)"},
  };
  RawConn conn(t.path());
  for (const auto& row : rows) {
    INFO("line: " << row.line);
    REQUIRE(conn.send(row.line + "\n"));
    CHECK(next(conn) == error_reply(row.id, row.code, row.message));
    check_serving(conn);
  }
  CHECK(state->calls == static_cast<int>(std::size(rows)));  // only the check calls ran
}

TEST_CASE("control: a peer uid that is not allowed is refused after op lookup", "[control]") {
  auto state = std::make_shared<TestState>();
  const uid_t other = ::geteuid() + 12345;
  TestServer t(test_ops(state), [&](auto& o) { o.allowed_uids = std::vector<uid_t>{other}; });
  REQUIRE(t.start().ok());
  RawConn conn(t.path());
  const std::string refusal = "uid " + std::to_string(::geteuid()) +
                              " may not use the control socket of ros-test (allowed: uid " +
                              std::to_string(other) + ")";
  conn.send(R"({"id":1,"op":"nope"})" "\n");
  CHECK(next(conn) == error_reply(1, "unknown_op", "unknown op 'nope'"));
  conn.send(R"({"id":2,"op":"echo","args":{"bogus":1}})" "\n");
  CHECK(next(conn) == error_reply(2, "permission_denied", refusal));
  conn.send(R"({"id":3,"op":"version"})" "\n");
  CHECK(next(conn) == error_reply(3, "permission_denied", refusal));
  CHECK(state->calls == 0);
}

TEST_CASE("control: the default allowed uids are root and the daemon's euid", "[control]") {
  auto state = std::make_shared<TestState>();
  TestServer t(test_ops(state));
  REQUIRE(t.start().ok());
  RawConn conn(t.path());
  check_serving(conn);  // we are root or the server's own euid
}

TEST_CASE("control: an oversized line gets an error and the connection is closed", "[control]") {
  auto state = std::make_shared<TestState>();
  TestServer t(test_ops(state));
  REQUIRE(t.start().ok());

  SECTION("just over 1 MiB") {
    RawConn conn(t.path());
    conn.send(std::string(ros::control::kMaxLineBytes + 1, 'x') + "\n");
    CHECK(next(conn) ==
          error_reply(nullptr, "invalid_argument",
                      "request line is longer than 1048576 bytes (limit 1 MiB); closing"));
    CHECK(conn.closed_by_peer());
    RawConn again(t.path());
    check_serving(again);
  }
  SECTION("exactly 1 MiB is accepted") {
    std::string head = R"({"id":1,"op":"echo","args":{"text":")";
    std::string tail = R"("}})";
    std::string text(ros::control::kMaxLineBytes - head.size() - tail.size(), 'y');
    RawConn conn(t.path());
    conn.send(head + text + tail + "\n");
    json reply = next(conn);
    CHECK(reply["ok"] == true);
    CHECK(reply["result"]["args"]["text"].get<std::string>().size() == text.size());
    check_serving(conn);
  }
}

TEST_CASE("control: built-in version and ops", "[control]") {
  auto state = std::make_shared<TestState>();
  TestServer t(test_ops(state));
  REQUIRE(t.start().ok());
  auto client = Client::connect(t.path(), "ros-test");
  REQUIRE(client.ok());
  auto version = client->call("version");
  REQUIRE(version.ok());
  CHECK(*version == json{{"protocol", 1}, {"daemon", "ros-test"}, {"version", ROS_VERSION}});
  auto ops = client->call("ops");
  REQUIRE(ops.ok());
  REQUIRE(ops->is_array());
  std::map<std::string, json> by_name;
  for (const auto& op : *ops) by_name[op["name"].get<std::string>()] = op;
  CHECK(by_name.size() == 11);
  CHECK(by_name["echo"]["access"] == "read");
  CHECK(by_name["echo"]["streams"] == false);
  CHECK(by_name["echo"]["args"][0] == json{{"name", "text"}, {"type", "string"}, {"required", true}});
  CHECK(by_name["echo"]["args"][1] == json{{"name", "count"}, {"type", "integer"}, {"required", false}});
  CHECK(by_name["fail"]["access"] == "write");
  CHECK(by_name["count"]["streams"] == true);
  CHECK(by_name["version"]["access"] == "read");
  CHECK(by_name.count("ops") == 1);
}

TEST_CASE("control: the op table is checked at start", "[control]") {
  using ros::control::Op;
  using ros::control::Request;
  auto ok = [](const Request&) -> ros::Result<json> { return json(nullptr); };
  struct Row {
    std::vector<Op> ops;
    std::string message;
  };
  std::vector<Row> rows;
  rows.push_back({{Op{"a", {}, {}, ok}, Op{"a", {}, {}, ok}},
                  "control op table of ros-test: op 'a' is declared twice"});
  rows.push_back({{Op{"version", {}, {}, ok}},
                  "control op table of ros-test: op 'version' is built in and cannot be redefined"});
  rows.push_back({{Op{"", {}, {}, ok}}, "control op table of ros-test: an op has no name"});
  rows.push_back({{Op{"a", {}, {}, ros::control::Handler{}}},
                  "control op table of ros-test: op 'a' has no handler"});
  rows.push_back({{Op{"a", {}, {{"x"}, {"x"}}, ok}},
                  "control op table of ros-test: op 'a' declares argument 'x' twice"});
  for (auto& row : rows) {
    TestServer t(std::move(row.ops));
    auto started = t.start();
    REQUIRE_FALSE(started.ok());
    CHECK(started.error().message == row.message);
    CHECK_FALSE(std::filesystem::exists(t.path()));
  }
}

TEST_CASE("control: socket mode 0660 in a directory forced to 0750", "[control]") {
  auto state = std::make_shared<TestState>();
  ros::test::TempDir dir;
  std::filesystem::create_directory(dir / "run");
  ::chmod((dir / "run").c_str(), 0777);
  TestServer t(test_ops(state), [&](auto& o) { o.socket_dir = dir / "run"; });
  REQUIRE(t.start().ok());
  CHECK(t.path() == dir / "run" / "test.sock");
  struct stat st {};
  REQUIRE(::stat(t.path().c_str(), &st) == 0);
  CHECK(S_ISSOCK(st.st_mode));
  CHECK((st.st_mode & 07777) == 0660);
  REQUIRE(::stat((dir / "run").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0750);

  // A directory that does not exist yet, with parents.
  TestServer nested(test_ops(state), [&](auto& o) { o.socket_dir = dir / "a" / "b"; });
  REQUIRE(nested.start().ok());
  REQUIRE(::stat((dir / "a" / "b").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0750);
}

TEST_CASE("control: a second server on a live socket is refused", "[control]") {
  auto state = std::make_shared<TestState>();
  TestServer first(test_ops(state));
  REQUIRE(first.start().ok());
  TestServer second(test_ops(state), [&](auto& o) { o.socket_dir = first.options.socket_dir; });
  auto started = second.start();
  REQUIRE_FALSE(started.ok());
  CHECK(started.error().code == Errc::conflict);
  CHECK(started.error().message ==
        "another ros-test is running on '" + first.path().string() + "'");
  second.server.reset();  // its stop() must leave the first one's socket alone
  RawConn conn(first.path());
  check_serving(conn);
}

TEST_CASE("control: a stale socket is replaced, anything else is not touched", "[control]") {
  auto state = std::make_shared<TestState>();
  ros::test::TempDir dir;
  std::filesystem::create_directories(dir / "run");
  const auto path = dir / "run" / "test.sock";

  SECTION("stale socket") {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    ::close(fd);  // left behind, as by a crashed daemon
    REQUIRE(std::filesystem::is_socket(path));
    TestServer t(test_ops(state), [&](auto& o) { o.socket_dir = dir / "run"; });
    REQUIRE(t.start().ok());
    RawConn conn(t.path());
    check_serving(conn);
  }
  SECTION("regular file") {
    std::ofstream(path) << "keep me";
    TestServer t(test_ops(state), [&](auto& o) { o.socket_dir = dir / "run"; });
    auto started = t.start();
    REQUIRE_FALSE(started.ok());
    CHECK(started.error().message == "'" + path.string() +
                                         "' exists and is not a socket (remove it or change "
                                         "control.socket_dir)");
    CHECK(ros::test::read_file(path) == "keep me");
  }
}

TEST_CASE("control: connections past the cap get one unavailable line", "[control]") {
  auto state = std::make_shared<TestState>();
  TestServer t(test_ops(state), [](auto& o) { o.max_connections = 2; });
  REQUIRE(t.start().ok());
  auto a = std::make_unique<RawConn>(t.path());
  RawConn b(t.path());
  check_serving(*a);
  check_serving(b);
  REQUIRE(eventually([&] { return t.server->connection_count() == 2; }));

  RawConn c(t.path());
  CHECK(next(c) == error_reply(nullptr, "unavailable",
                               "too many control connections to ros-test (limit 2); try again later"));
  CHECK(c.closed_by_peer());

  // The client library reports it as the call's error.
  auto client = Client::connect(t.path(), "ros-test");
  REQUIRE(client.ok());
  auto refused = client->call("version");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == Errc::unavailable);

  a.reset();
  REQUIRE(eventually([&] { return t.server->connection_count() == 1; }));
  RawConn d(t.path());
  check_serving(d);
  check_serving(b);
}

TEST_CASE("control: an idle connection is closed, a busy one is not", "[control]") {
  auto state = std::make_shared<TestState>();
  TestServer t(test_ops(state), [](auto& o) { o.idle_timeout = 500ms; });
  REQUIRE(t.start().ok());
  RawConn idle(t.path());
  RawConn busy(t.path());
  RawConn partial(t.path());
  partial.send(R"({"id":1,"op":)");  // half a line is no activity
  for (int i = 0; i < 10; ++i) {
    std::this_thread::sleep_for(100ms);
    check_serving(busy);
  }
  CHECK(idle.closed_by_peer(2s));
  CHECK(partial.closed_by_peer(2s));
  check_serving(busy);
  REQUIRE(eventually([&] { return t.server->connection_count() == 1; }));
}

TEST_CASE("control: an open stream keeps its connection past the idle timeout", "[control]") {
  auto state = std::make_shared<TestState>();
  TestServer t(test_ops(state), [](auto& o) { o.idle_timeout = 200ms; });
  REQUIRE(t.start().ok());
  RawConn conn(t.path());
  conn.send(R"({"id":1,"op":"follow"})" "\n");
  REQUIRE(eventually([&] {
    std::lock_guard lock(state->mutex);
    return state->follower != nullptr;
  }));
  std::this_thread::sleep_for(600ms);
  std::shared_ptr<ros::control::Writer> writer;
  {
    std::lock_guard lock(state->mutex);
    writer = state->follower;
  }
  check_serving(conn);  // other requests are answered alongside the stream
  CHECK(writer->more("news"));
  CHECK(next(conn) == json{{"id", 1}, {"ok", true}, {"more", true}, {"result", "news"}});
  writer->last("bye");
  CHECK(writer->closed());
  CHECK_FALSE(writer->more("ignored"));
  CHECK(next(conn) == json{{"id", 1}, {"ok", true}, {"result", "bye"}});
  // The stream is over: now the idle timeout applies again.
  CHECK(conn.closed_by_peer(1s));
}

TEST_CASE("control: streams send more lines then a last one", "[control]") {
  auto state = std::make_shared<TestState>();
  TestServer t(test_ops(state));
  REQUIRE(t.start().ok());
  RawConn conn(t.path());
  conn.send(R"({"id":9,"op":"count","args":{"n":3}})" "\n");
  for (int i = 0; i < 3; ++i) {
    CHECK(next(conn) == json{{"id", 9}, {"ok", true}, {"more", true}, {"result", i}});
  }
  CHECK(next(conn) == json{{"id", 9}, {"ok", true}, {"result", {{"done", 3}}}});
  check_serving(conn);
}

TEST_CASE("control: a follower that falls behind is told how many lines it lost", "[control]") {
  auto state = std::make_shared<TestState>();
  TestServer t(test_ops(state), [](auto& o) { o.stream_queue_lines = 8; });
  REQUIRE(t.start().ok());
  RawConn conn(t.path());
  // The handler writes 10000 lines before any can be sent: 8 fit the queue.
  conn.send(R"({"id":1,"op":"flood","args":{"n":10000}})" "\n");
  for (int i = 0; i < 8; ++i) CHECK(next(conn)["result"] == i);
  CHECK(next(conn) == json{{"id", 1}, {"ok", true}, {"more", true}, {"result", {{"lost", 9992}}}});
  CHECK(next(conn) == json{{"id", 1}, {"ok", true}, {"result", "end"}});
  check_serving(conn);
}

TEST_CASE("control: a lost notice comes before the next line that fits", "[control]") {
  auto state = std::make_shared<TestState>();
  TestServer t(test_ops(state), [](auto& o) { o.stream_queue_lines = 2; });
  REQUIRE(t.start().ok());
  RawConn conn(t.path());
  conn.send(R"({"id":1,"op":"follow"})" "\n");
  REQUIRE(eventually([&] {
    std::lock_guard lock(state->mutex);
    return state->follower != nullptr;
  }));
  auto writer = state->follower;
  // Written from this thread while the connection drains: however many are
  // dropped, every value arrives or is counted by a lost notice, which comes
  // before the last line at the latest.
  for (int i = 0; i < 200; ++i) writer->more(i);
  writer->last("end");
  int seen = 0, lost = 0;
  json reply;
  for (;;) {
    reply = next(conn);
    if (!reply.value("more", false)) break;
    if (reply["result"].is_object()) {
      lost += reply["result"]["lost"].get<int>();
    } else {
      CHECK(reply["result"] == seen + lost);  // in order, none repeated
      ++seen;
    }
  }
  CHECK(reply == json{{"id", 1}, {"ok", true}, {"result", "end"}});
  CHECK(seen + lost == 200);
  CHECK(seen >= 2);
}

TEST_CASE("control: a stream handler that drops its writer ends the stream", "[control]") {
  auto state = std::make_shared<TestState>();
  TestServer t(test_ops(state));
  REQUIRE(t.start().ok());
  RawConn conn(t.path());
  conn.send(R"({"id":1,"op":"abandon"})" "\n");
  CHECK(next(conn) == json{{"id", 1}, {"ok", true}, {"more", true}, {"result", "only"}});
  CHECK(next(conn) ==
        error_reply(1, "internal",
                    "op 'abandon' ended its stream without a last line (internal error; see "
                    "the daemon's log)"));
  check_serving(conn);
}

TEST_CASE("control: a follower that leaves closes its writer", "[control]") {
  auto state = std::make_shared<TestState>();
  TestServer t(test_ops(state));
  REQUIRE(t.start().ok());
  auto conn = std::make_unique<RawConn>(t.path());
  conn->send(R"({"id":1,"op":"follow"})" "\n");
  REQUIRE(eventually([&] {
    std::lock_guard lock(state->mutex);
    return state->follower != nullptr;
  }));
  auto writer = state->follower;
  CHECK_FALSE(writer->closed());
  conn.reset();
  CHECK(eventually([&] { return writer->closed(); }));
  CHECK_FALSE(writer->more("nobody listens"));
  CHECK(eventually([&] { return t.server->connection_count() == 0; }));
}

TEST_CASE("control: a request without a final newline is answered at end of input", "[control]") {
  auto state = std::make_shared<TestState>();
  TestServer t(test_ops(state));
  REQUIRE(t.start().ok());
  RawConn conn(t.path());
  conn.send(R"({"id":1,"op":"echo","args":{"text":"a"}})" "\n" R"({"id":2,"op":"version"})");
  conn.shutdown_write();
  CHECK(next(conn)["id"] == 1);
  CHECK(next(conn)["result"]["protocol"] == 1);
  CHECK(conn.closed_by_peer());
}

TEST_CASE("control: ops are logged at info with secrets redacted", "[control]") {
  ros::test::TempDir logs;
  REQUIRE(ros::log::logger().set_file(logs / "ros.log").ok());
  ros::log::logger().set_level(ros::log::Level::info);
  {
    auto state = std::make_shared<TestState>();
    TestServer t(test_ops(state));
    REQUIRE(t.start().ok());
    RawConn conn(t.path());
    conn.send(R"({"id":1,"op":"login","args":{"username":"alice","password":"hunter2"}})" "\n");
    CHECK(next(conn)["ok"] == true);
    conn.send(R"({"id":2,"op":"nope"})" "\n");
    CHECK(next(conn)["ok"] == false);
  }
  REQUIRE(ros::log::logger().set_file(std::nullopt).ok());
  std::string text = ros::test::read_file(logs / "ros.log");
  INFO(text);
  CHECK(text.find("control: op login by uid " + std::to_string(::geteuid())) != std::string::npos);
  CHECK(text.find(R"("password":"<redacted>")") != std::string::npos);
  CHECK(text.find(R"("username":"alice")") != std::string::npos);
  CHECK(text.find("hunter2") == std::string::npos);
  CHECK(text.find("control: refused op nope from uid") != std::string::npos);
}

TEST_CASE("control: stop closes every connection and removes the socket", "[control]") {
  auto state = std::make_shared<TestState>();
  TestServer t(test_ops(state));
  REQUIRE(t.start().ok());
  RawConn conn(t.path());
  check_serving(conn);
  RawConn follower(t.path());
  follower.send(R"({"id":1,"op":"follow"})" "\n");
  REQUIRE(eventually([&] {
    std::lock_guard lock(state->mutex);
    return state->follower != nullptr;
  }));
  t.server->stop();
  CHECK(conn.closed_by_peer());
  CHECK(follower.closed_by_peer());
  CHECK(eventually([&] { return state->follower->closed(); }));
  CHECK_FALSE(std::filesystem::exists(t.path()));
  t.server->stop();  // idempotent
}

TEST_CASE("control: many clients at once on a multi-threaded io_context", "[control]") {
  auto state = std::make_shared<TestState>();
  TestServer t(test_ops(state), [](auto& o) { o.stream_queue_lines = 4; });
  REQUIRE(t.start(4).ok());
  std::atomic<int> failures{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 16; ++c) {
    clients.emplace_back([&, c] {
      auto client = Client::connect(t.path(), "ros-test");
      if (!client) {
        ++failures;
        return;
      }
      for (int i = 0; i < 50; ++i) {
        std::string text = std::to_string(c) + "/" + std::to_string(i);
        auto r = client->call("echo", {{"text", text}});
        if (!r || (*r)["args"]["text"] != text) ++failures;
        if (i % 10 == 0) {
          int lines = 0, lost = 0;
          json last;
          auto s = client->stream("flood", {{"n", 100}}, [&](const json& v) {
            if (v.is_object()) lost += v["lost"].get<int>();
            else if (v.is_number()) ++lines;
            last = v;
            return true;
          });
          if (!s || last != "end" || lines + lost != 100) ++failures;
        }
      }
    });
  }
  for (auto& thread : clients) thread.join();
  CHECK(failures == 0);
  CHECK(state->calls == 16 * 50);
}

TEST_CASE("control: a socket path too long for sun_path is refused at start", "[control]") {
  auto state = std::make_shared<TestState>();
  ros::test::TempDir dir;
  TestServer t(test_ops(state), [&](auto& o) { o.socket_dir = dir / std::string(120, 'd'); });
  auto started = t.start();
  REQUIRE_FALSE(started.ok());
  CHECK(started.error().message ==
        "control socket path '" + t.path().string() +
            "' is too long (limit 107 bytes; choose a shorter control.socket_dir)");
  CHECK_FALSE(std::filesystem::exists(dir / std::string(120, 'd')));
}
