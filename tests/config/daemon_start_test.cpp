#include "config/daemon_start.hpp"

#include <sstream>

#include <catch2/catch.hpp>

#include "config/fixture.hpp"
#include "log/logger.hpp"

TEST_CASE("daemon start: a bad configuration stops the daemon with the checker's messages",
          "[config]") {
  ros::test::ConfigFixture fx;
  fx.root = fx.dir / "absent";
  ros::config::Overrides overrides;
  overrides.config_file = fx.write();
  std::ostringstream err;
  auto config = ros::config::prepare_daemon("ros-syncd", overrides, err);
  CHECK_FALSE(config.has_value());
  CHECK(err.str() == overrides.config_file + ":2:14: error: storage.root_path: '" +
                         fx.root.string() + "' does not exist (create it: mkdir -p " +
                         fx.root.string() + ")\n"
                         "      root_path: " + fx.root.string() + "\n"
                         "                 ^\n"
                         "ros-syncd: not starting: 1 configuration error (check with: "
                         "ros-check-config --daemon ros-syncd --config " +
                         overrides.config_file + ")\n");
}

TEST_CASE("daemon start: a good configuration sets up the log", "[config]") {
  ros::test::ConfigFixture fx;
  auto log_file = fx.dir / "daemon.log";
  ros::config::Overrides overrides;
  overrides.config_file = fx.write("logging:\n  path: " + log_file.string() + "\n  level: warn\n");
  std::ostringstream err;
  auto config = ros::config::prepare_daemon("ros-authd", overrides, err);
  REQUIRE(config.has_value());
  CHECK(err.str().empty());
  CHECK(ros::log::logger().level() == ros::log::Level::warn);
  ros::log::warn("hello from the test");
  std::string text = ros::test::read_file(log_file);
  CHECK(text.find(" warn ros-authd[") != std::string::npos);
  CHECK(text.find("hello from the test") != std::string::npos);
  REQUIRE(ros::log::logger().set_file(std::nullopt).ok());
  ros::log::logger().set_level(ros::log::Level::info);
}
