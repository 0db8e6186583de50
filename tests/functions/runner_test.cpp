// The function runner: input on stdin, output to the log, exit statuses,
// signals, timeouts, stops, programs that cannot start or do not read.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "functions/runner.hpp"
#include "support/temp_dir.hpp"

using ros::functions::RunOutcome;
using ros::functions::RunSpec;

namespace {

struct Log {
  Log() : file(dir / "out.log") {
    fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  }
  ~Log() { ::close(fd); }
  std::string text() const { return ros::test::read_file(file); }
  ros::test::TempDir dir;
  std::filesystem::path file;
  int fd = -1;
};

RunSpec shell(const std::string& script, const Log& log) {
  RunSpec spec;
  spec.argv = {"/bin/sh", "-c", script};
  spec.cwd = log.dir.path();
  spec.log_fd = log.fd;
  spec.timeout = std::chrono::seconds(30);
  return spec;
}

}  // namespace

TEST_CASE("runner: the input arrives on stdin, output goes to the log", "[functions]") {
  Log log;
  auto spec = shell("cat; echo \"to stderr $ROS_X\" >&2", log);
  spec.input = "{\"event\":1}\n";
  spec.env = {"ROS_X=set"};
  auto r = run(spec, {});
  CHECK(r.ok());
  CHECK(r.describe() == "exited with status 0");
  CHECK(log.text() == "{\"event\":1}\nto stderr set\n");
}

TEST_CASE("runner: failures are described", "[functions]") {
  Log log;
  auto r = run(shell("exit 3", log), {});
  CHECK_FALSE(r.ok());
  CHECK(r.describe() == "exited with status 3");

  r = run(shell("kill -SEGV $$", log), {});
  CHECK(r.kind == RunOutcome::Kind::signaled);
  CHECK(r.code == SIGSEGV);
  CHECK(r.describe().find("killed by signal 11") == 0);

  RunSpec missing;
  missing.argv = {(log.dir / "no-such-program").string()};
  missing.cwd = log.dir.path();
  r = run(missing, {});
  CHECK(r.kind == RunOutcome::Kind::spawn_failed);
  CHECK(r.describe().find("cannot run '") == 0);
  CHECK(r.describe().find("No such file or directory") != std::string::npos);
}

TEST_CASE("runner: a program past its timeout is killed with its children", "[functions]") {
  Log log;
  auto spec = shell("sleep 60 & sleep 60; echo never", log);
  spec.timeout = std::chrono::milliseconds(300);
  auto r = run(spec, {});
  CHECK(r.kind == RunOutcome::Kind::timed_out);
  CHECK(r.describe().find("timed out after") == 0);
  CHECK(log.text().find("never") == std::string::npos);
}

TEST_CASE("runner: a stop request kills the program", "[functions]") {
  Log log;
  int polls = 0;
  auto r = run(shell("sleep 60", log), [&] { return ++polls > 2; });
  CHECK(r.kind == RunOutcome::Kind::stopped);
}

TEST_CASE("runner: a program that does not read its input does not block", "[functions]") {
  Log log;
  auto spec = shell("echo done", log);
  spec.input = std::string(4 * 1024 * 1024, 'x');  // far more than a pipe holds
  auto r = run(spec, {});
  CHECK(r.ok());
  CHECK(log.text() == "done\n");
}

TEST_CASE("runner: the child gets no descriptor of ours but 0, 1 and 2", "[functions]") {
  Log log;
  int leaked = ::open("/dev/null", O_RDONLY);  // not close-on-exec on purpose
  REQUIRE(leaked >= 0);
  auto r = run(shell("ls /proc/self/fd", log), {});
  ::close(leaked);
  CHECK(r.ok());
  // 0, 1, 2, and the directory ls reads.
  std::string fds = log.text();
  CHECK(fds.find(std::to_string(leaked) + "\n") == std::string::npos);
}
