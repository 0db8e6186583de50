#include "config/print.hpp"

#include <catch2/catch.hpp>

#include "config/loader.hpp"
#include "config/schema.hpp"
#include "support/temp_dir.hpp"

TEST_CASE("config print: the effective configuration loads back to the same values",
          "[config]") {
  auto first = ros::config::parse_config(
      "storage:\n  root_path: rel/dir\n"
      "auth:\n  providers:\n    google:\n      clientId: abc\n"
      "    custom:\n      sso:\n        url: https://sso\n"
      "proxy:\n  https:\n    enable: true\n    certificate_path: /c.pem\n"
      "logging:\n  level: warn\n",
      "a.yml");
  REQUIRE(first.ok());
  std::string yaml = ros::config::effective_yaml(first.config);
  auto second = ros::config::parse_config(yaml, "b.yml");
  REQUIRE(second.ok());
  for (const auto& field : ros::config::fields()) {
    INFO(field.key);
    CHECK(ros::config::value_text(second.config, field) ==
          ros::config::value_text(first.config, field));
  }
  CHECK(second.config.auth.providers.google.enabled);
  CHECK_FALSE(second.config.auth.providers.facebook.enabled);
  CHECK(second.config.auth.providers.custom == first.config.auth.providers.custom);
  // Defaults are spelled out; paths are absolute.
  CHECK(yaml.find("listen_port: 27800") != std::string::npos);
  CHECK(yaml.find("root_path: " + (std::filesystem::current_path() / "rel/dir").string()) !=
        std::string::npos);
  CHECK(yaml.find("azuread") == std::string::npos);
}

TEST_CASE("config: configuration.yml(5) documents every key", "[config][man]") {
  std::string page = ros::test::read_file(std::string(ROS_SOURCE_DIR) + "/man/configuration.yml.5");
  REQUIRE_FALSE(page.empty());
  for (const auto& field : ros::config::fields()) {
    INFO(field.key);
    CHECK(page.find("Cm " + std::string(field.key) + "\n") != std::string::npos);
  }
}
