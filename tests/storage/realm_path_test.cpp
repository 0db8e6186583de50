#include "storage/realm_path.hpp"

#include <catch2/catch.hpp>

using ros::storage::realm_owner;
using ros::storage::resolve_realm_path;

namespace {
const std::string kUser = "0123456789abcdef0123456789abcdef";
}

TEST_CASE("realm path: valid paths resolve, '~' becomes the user", "[storage]") {
  const std::vector<std::pair<std::string, std::string>> accepted = {
      {"/catalog", "/catalog"},
      {"/~/tasks", "/" + kUser + "/tasks"},
      {"/~", "/" + kUser},
      {"/a/b-c/d_e/f.g", "/a/b-c/d_e/f.g"},
  };
  for (const auto& [in, out] : accepted) {
    INFO(in);
    auto r = resolve_realm_path(in, kUser);
    REQUIRE(r.ok());
    CHECK(*r == out);
  }
}

TEST_CASE("realm path: paths that could escape or are malformed are refused", "[storage]") {
  const std::vector<std::pair<std::string, std::string>> rejected = {
      {"", "it must start with '/'"},
      {"catalog", "it must start with '/'"},
      {"/", "it has an empty segment"},
      {"/a//b", "it has an empty segment"},
      {"/a/", "it has an empty segment"},
      {"/../etc", "a segment starts with '.'"},
      {"/a/..", "a segment starts with '.'"},
      {"/.hidden", "a segment starts with '.'"},
      {"/a/~/b", "a segment has a character other than letters, digits, '_', '-' and '.'"},
      {"/a b", "a segment has a character other than letters, digits, '_', '-' and '.'"},
      {"/a\\b", "a segment has a character other than letters, digits, '_', '-' and '.'"},
      {"/" + std::string(65, 'a'), "a segment is longer than 64 characters"},
      {"/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a", "it has more than 16 segments"},
      {"/x~", "a segment has a character other than letters, digits, '_', '-' and '.'"},
      {"/" + std::string(600, 'a'), "it is longer than 512 characters"},
  };
  for (const auto& [in, why] : rejected) {
    INFO(in);
    auto r = resolve_realm_path(in, kUser);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ros::Errc::invalid_argument);
    CHECK(r.error().message == "invalid Realm path '" + in.substr(0, 80) + "': " + why);
  }
  CHECK(resolve_realm_path("/~/x", "").error().message ==
        "invalid Realm path '/~/x': '~' needs a user");
}

TEST_CASE("realm path: the owner is the first segment when it is a user id", "[storage]") {
  CHECK(realm_owner("/" + kUser + "/tasks") == kUser);
  CHECK(realm_owner("/" + kUser + "/a/b") == kUser);
  CHECK_FALSE(realm_owner("/" + kUser).has_value());
  CHECK_FALSE(realm_owner("/catalog/x").has_value());
  CHECK_FALSE(realm_owner("/0123456789ABCDEF0123456789ABCDEF/x").has_value());
}
