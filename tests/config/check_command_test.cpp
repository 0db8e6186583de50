// ros-check-config as an operator runs it: output, positions, exit status.
#include <catch2/catch.hpp>

#include "config/fixture.hpp"
#include "support/net.hpp"
#include "support/run.hpp"

using ros::test::run_program;

TEST_CASE("ros-check-config: a good file prints FILE: OK and exits 0", "[config][cli]") {
  ros::test::ConfigFixture fx;
  auto file = fx.write();
  auto r = run_program("ros-check-config", {file});
  CHECK(r.exit_code == 0);
  CHECK(r.out == file + ": OK\n");
  CHECK(r.err.empty());

  auto via_option = run_program("ros-check-config", {"--config", file, "-o", "network.sync.listen_port"});
  CHECK(via_option.exit_code == 0);
  CHECK(via_option.out == file + ": OK\n" + std::to_string(fx.sync_port) + "\n");

  auto printed = run_program("ros-check-config", {file, "--print", "-q"});
  CHECK(printed.exit_code == 0);
  CHECK(printed.out.rfind("storage:\n  root_path: " + fx.root.string() + "\n", 0) == 0);

  auto daemon = run_program("ros-check-config", {file, "--daemon", "ros-syncd", "-q"});
  CHECK(daemon.exit_code == 0);
  CHECK(daemon.out.empty());
}

TEST_CASE("ros-check-config: three different errors are all reported in one run",
          "[config][cli]") {
  ros::test::ConfigFixture fx;
  ros::test::HeldPort held;
  fx.sync_port = held.port();
  auto file = fx.write("logging:\n  levl: info\n  path: /no/such/dir/ros.log\n");
  auto r = run_program("ros-check-config", {file});
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());
  const std::string port = std::to_string(held.port());
  CHECK(r.err ==
        file + ":21:3: error: logging.levl: unknown key (did you mean logging.level?)\n"
        "      levl: info\n"
        "      ^\n" +
        file + ":22:9: error: logging.path: the directory '/no/such/dir' of the log file does "
        "not exist\n"
        "      path: /no/such/dir/ros.log\n"
        "            ^\n" +
        file + ":9:18: error: network.sync.listen_port: port " + port +
        " on 127.0.0.1 is already in use by another process (stop it, or choose another port)\n"
        "        listen_port: " + port + "\n"
        "                     ^\n" +
        file + ": 3 errors\n");
}

TEST_CASE("ros-check-config: the key overrides apply as in the daemons", "[config][cli]") {
  ros::test::ConfigFixture fx;
  fx.root = fx.dir / "absent";
  auto file = fx.write();
  CHECK(run_program("ros-check-config", {file}).exit_code == 1);
  auto r = run_program("ros-check-config", {file, "--root", (fx.dir / "storage").string(),
                                            "--public-key", fx.keys.public_key.string(),
                                            "--private-key", fx.keys.private_key.string()});
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
}

TEST_CASE("ros-check-config: bad usage exits 2", "[config][cli]") {
  ros::test::ConfigFixture fx;
  auto file = fx.write();
  auto unknown_flag = run_program("ros-check-config", {"--frobnicate"});
  CHECK(unknown_flag.exit_code == 2);
  auto unknown_daemon = run_program("ros-check-config", {file, "--daemon", "ros-web"});
  CHECK(unknown_daemon.exit_code == 2);
  CHECK(unknown_daemon.err == "ros-check-config: unknown daemon 'ros-web' (use one of: ros-syncd, "
                              "ros-authd, ros-proxy, ros-fnd)\n");
  auto unknown_key = run_program("ros-check-config", {file, "-o", "network.sync.port"});
  CHECK(unknown_key.exit_code == 2);
  CHECK(unknown_key.err == "ros-check-config: unknown key 'network.sync.port' (did you mean "
                           "network.sync.listen_port?)\n");
  auto help = run_program("ros-check-config", {"--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("--daemon NAME") != std::string::npos);
}

TEST_CASE("ros-check-config: a missing file is an error, not a crash", "[config][cli]") {
  auto r = run_program("ros-check-config", {"/nonexistent/configuration.yml"});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "/nonexistent/configuration.yml: error: cannot read the configuration file: No "
                 "such file or directory (pass --config FILE; see configuration.yml(5))\n"
                 "/nonexistent/configuration.yml: 1 error\n");
}
