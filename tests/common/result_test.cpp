#include "common/result.hpp"

#include <catch2/catch.hpp>

using ros::Errc;

TEST_CASE("result: error codes round-trip through their wire names", "[common]") {
  for (Errc code : {Errc::invalid_argument, Errc::unknown_op, Errc::not_found,
                    Errc::already_exists, Errc::permission_denied, Errc::conflict,
                    Errc::unavailable, Errc::internal}) {
    auto name = ros::to_string(code);
    REQUIRE(ros::errc_from_string(name) == code);
  }
  CHECK(ros::to_string(Errc::not_found) == "not_found");
  CHECK_FALSE(ros::errc_from_string("no_such_code").has_value());
}

TEST_CASE("result: holds a value or an error", "[common]") {
  ros::Result<int> good = 42;
  REQUIRE(good.ok());
  CHECK(*good == 42);

  ros::Result<int> bad = ros::make_error(Errc::not_found, "no user 'alice'");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == Errc::not_found);
  CHECK(bad.error().to_string() == "not_found: no user 'alice'");

  ros::Result<void> done;
  CHECK(done.ok());
  ros::Result<void> failed = ros::make_error(Errc::conflict, "busy");
  CHECK_FALSE(failed.ok());
}
