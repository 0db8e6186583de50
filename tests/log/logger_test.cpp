#include "log/logger.hpp"

#include <csignal>
#include <regex>

#include <catch2/catch.hpp>

#include "support/temp_dir.hpp"

using ros::log::Level;
using ros::log::Logger;

TEST_CASE("log: the nine levels parse and print", "[log]") {
  const char* names[] = {"all", "trace", "debug", "detail", "info", "warn", "error", "fatal", "off"};
  for (const char* name : names) {
    auto level = ros::log::parse_level(name);
    REQUIRE(level.has_value());
    CHECK(ros::log::to_string(*level) == name);
  }
  for (const char* bad : {"", "INFO", "warning", "verbose", "info "}) {
    CHECK_FALSE(ros::log::parse_level(bad).has_value());
  }
}

TEST_CASE("log: a message is written when its level reaches the threshold", "[log]") {
  struct Row {
    Level threshold;
    Level message;
    bool written;
  };
  const Row rows[] = {
      {Level::info, Level::info, true},     {Level::info, Level::warn, true},
      {Level::info, Level::detail, false},  {Level::info, Level::debug, false},
      {Level::all, Level::trace, true},     {Level::off, Level::fatal, false},
      {Level::fatal, Level::error, false},  {Level::fatal, Level::fatal, true},
      {Level::trace, Level::trace, true},   {Level::detail, Level::debug, false},
  };
  for (const auto& row : rows) {
    Logger logger("t", row.threshold);
    INFO("threshold " << ros::log::to_string(row.threshold) << ", message "
                      << ros::log::to_string(row.message));
    CHECK(logger.enabled(row.message) == row.written);
  }
}

TEST_CASE("log: lines carry an ISO-8601 UTC timestamp, the level and the program", "[log]") {
  ros::test::TempDir dir;
  auto path = dir / "ros.log";
  Logger logger("ros-syncd", Level::info);
  REQUIRE(logger.set_file(path).ok());
  logger.write(Level::warn, "disk is slow");
  logger.write(Level::debug, "not written");
  logger.write(Level::info, "two\nlines");
  std::string text = ros::test::read_file(path);
  std::regex line(
      R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z warn ros-syncd\[\d+\]: disk is slow\n)"
      R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info ros-syncd\[\d+\]: two\\nlines\n)");
  CHECK(std::regex_match(text, line));
}

TEST_CASE("log: a file that cannot be opened is an error naming it", "[log]") {
  Logger logger("t", Level::info);
  auto result = logger.set_file("/nonexistent-dir/ros.log");
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().message ==
        "cannot open log file '/nonexistent-dir/ros.log': No such file or directory");
}

TEST_CASE("log: SIGHUP reopens the file after rotation", "[log]") {
  ros::test::TempDir dir;
  auto path = dir / "ros.log";
  auto& logger = ros::log::logger();
  logger.set_program("rotator");
  REQUIRE(logger.set_file(path).ok());
  ros::log::reopen_on_sighup();

  ros::log::info("before rotation");
  std::filesystem::rename(path, dir / "ros.log.1");
  ros::log::info("still in the rotated file");
  std::raise(SIGHUP);
  ros::log::info("after rotation");

  std::string rotated = ros::test::read_file(dir / "ros.log.1");
  std::string fresh = ros::test::read_file(path);
  CHECK(rotated.find("before rotation") != std::string::npos);
  CHECK(rotated.find("still in the rotated file") != std::string::npos);
  CHECK(rotated.find("after rotation") == std::string::npos);
  CHECK(fresh.find("after rotation") != std::string::npos);
  REQUIRE(logger.set_file(std::nullopt).ok());
}
