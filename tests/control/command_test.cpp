#include "control/command.hpp"

#include <sstream>

#include <catch2/catch.hpp>

#include "test_server.hpp"

using ros::control::Command;
using ros::control::json;
using ros::control::run_command;
using ros::control::run_stream_command;
using ros::test::TestServer;
using ros::test::TestState;
using ros::test::test_ops;

namespace {

Command command_for(const TestServer& t, std::string op, json args = json::object()) {
  Command c;
  c.program = "ros-thing";
  c.daemon = "ros-test";
  c.socket_dir = t.options.socket_dir;
  c.op = std::move(op);
  c.args = std::move(args);
  return c;
}

}  // namespace

TEST_CASE("control: a command prints, and exits 0 on success and 1 when refused",
          "[control]") {
  auto state = std::make_shared<TestState>();
  TestServer t(test_ops(state));
  REQUIRE(t.start().ok());
  auto render = [](const json& r, std::ostream& out) {
    out << "text: " << r["args"]["text"].get<std::string>() << "\n";
  };
  struct Row {
    std::string op;
    json args;
    bool json_output;
    bool quiet;
    int exit;
    std::string out;
    std::string err;
  };
  const Row rows[] = {
      {"echo", {{"text", "hi"}}, false, false, 0, "text: hi\n", ""},
      {"echo", {{"text", "hi"}}, false, true, 0, "", ""},
      {"fail", json::object(), false, false, 1, "", "ros-thing: no user 'alice'\n"},
      {"fail", json::object(), true, false, 1, "", "ros-thing: no user 'alice'\n"},
      {"nope", json::object(), false, false, 1, "", "ros-thing: unknown op 'nope'\n"},
  };
  for (const auto& row : rows) {
    INFO(row.op);
    auto c = command_for(t, row.op, row.args);
    c.json_output = row.json_output;
    c.quiet = row.quiet;
    std::ostringstream out, err;
    CHECK(run_command(c, render, out, err) == row.exit);
    CHECK(out.str() == row.out);
    CHECK(err.str() == row.err);
  }
  // --json: the raw result as one JSON document.
  auto c = command_for(t, "echo", {{"text", "hi"}});
  c.json_output = true;
  std::ostringstream out, err;
  CHECK(run_command(c, render, out, err) == 0);
  json doc = json::parse(out.str());
  CHECK(doc["args"] == json{{"text", "hi"}});
  CHECK(err.str().empty());
}

TEST_CASE("control: a command reports an unreachable daemon with exit 1", "[control]") {
  ros::test::TempDir dir;
  Command c;
  c.program = "ros-user";
  c.daemon = "ros-authd";
  c.socket_dir = dir / "run";
  c.op = "user.list";
  std::ostringstream out, err;
  CHECK(run_command(c, {}, out, err) == 1);
  CHECK(out.str().empty());
  CHECK(err.str() == "ros-user: cannot connect to '" + (dir / "run" / "authd.sock").string() +
                         "': No such file or directory (is ros-authd running?)\n");
}

TEST_CASE("control: a stream command prints every result", "[control]") {
  auto state = std::make_shared<TestState>();
  TestServer t(test_ops(state));
  REQUIRE(t.start().ok());
  auto c = command_for(t, "count", {{"n", 2}});
  std::ostringstream out, err;
  CHECK(run_stream_command(c, [](const json& r, std::ostream& o) { o << "> " << r.dump() << "\n"; },
                           out, err) == 0);
  CHECK(out.str() == "> 0\n> 1\n> {\"done\":2}\n");
  c.json_output = true;
  std::ostringstream jout;
  CHECK(run_stream_command(c, {}, jout, err) == 0);
  CHECK(jout.str() == "0\n1\n{\"done\":2}\n");
  CHECK(err.str().empty());
}
