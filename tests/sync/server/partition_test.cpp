// Partition values to Realm paths (partition.hpp): table-driven, accepted
// renderings first (every rendering of one value names one path), then what
// is refused (session ERROR 204) and what is left to the classic path rules.
#include <catch2/catch.hpp>

#include "sync/server/bind_path.hpp"
#include "sync/server/partition.hpp"

using ros::sync::server::partition_realm_path;
using ros::sync::server::resolve_bind_path;

TEST_CASE("partition: every rendering of a value maps to one Realm path", "[sync][partition]") {
  const char* uid = "0123456789abcdef0123456789abcdef";
  struct Case {
    const char* server_path;
    const char* realm;
  };
  const Case cases[] = {
      {R"("todo-list")", "/todo-list"},
      {R"("team/board")", "/team/board"},
      {R"("/tasks")", "/tasks"},
      {R"("~/settings")", "/0123456789abcdef0123456789abcdef/settings"},
      {R"("a\"b\\c/é")", "/p/s/6122625c632fc3a9"},
      {R"("hello world")", "/p/s/68656c6c6f20776f726c64"},
      {R"("p/s/6869")", "/p/s/702f732f36383639"},  // /p/ is the mapping's own: no collision
      {R"("")", "/p/s"},
      {R"(42)", "/p/i/42"},
      {R"({"$numberInt":"42"})", "/p/i/42"},
      {R"({"$numberLong":"42"})", "/p/i/42"},
      {R"({ "$numberLong" : "42" })", "/p/i/42"},
      {R"(-7)", "/p/i/-7"},
      {R"({"$numberInt":"-7"})", "/p/i/-7"},
      {R"({"$oid":"5f9b0c1e2d3a4b5c6d7e8f90"})", "/p/o/5f9b0c1e2d3a4b5c6d7e8f90"},
      {R"({"$oid":"5F9B0C1E2D3A4B5C6D7E8F90"})", "/p/o/5f9b0c1e2d3a4b5c6d7e8f90"},
      {R"({"$binary":{"base64":"OyQRAeK7QlWMr0E2xWapYg==","subType":"04"}})",
       "/p/u/3b241101-e2bb-4255-8caf-4136c566a962"},
      {R"({"$uuid":"3B241101-E2BB-4255-8CAF-4136C566A962"})", "/p/u/3b241101-e2bb-4255-8caf-4136c566a962"},
      {R"(null)", "/p/null"},
      // Not JSON: the classic rules (quotes stripped, '/' added).
      {R"(/tasks)", "/tasks"},
      {R"(tasks)", "/tasks"},
      {R"(/~/tasks)", "/0123456789abcdef0123456789abcdef/tasks"},
  };
  for (const auto& c : cases) {
    INFO(c.server_path);
    auto path = resolve_bind_path(c.server_path, uid);
    INFO((path.ok() ? *path : path.error().message));
    REQUIRE(path.ok());
    CHECK(*path == c.realm);
  }
}

TEST_CASE("partition: other JSON is not a partition value (ERROR 204)", "[sync][partition]") {
  const char* refused[] = {
      "true", "3.5", "[1,2]", R"({"a":1})", R"({"$numberInt":"4x"})", R"({"$numberLong":"99999999999999999999"})",
      R"({"$oid":"123"})", R"({"$oid":"zz9b0c1e2d3a4b5c6d7e8f90"})",
      R"({"$binary":{"base64":"AAAA","subType":"04"}})",
      R"({"$binary":{"base64":"OyQRAeK7QlWMr0E2xWapYg==","subType":"00"}})", R"({"$uuid":"not-a-uuid"})",
      R"({"$numberInt":"1","$oid":"5f9b0c1e2d3a4b5c6d7e8f90"})",
  };
  for (const char* value : refused) {
    INFO(value);
    auto path = resolve_bind_path(value, "u1");
    REQUIRE_FALSE(path.ok());
    CHECK(path.error().message.rfind("bad partition value: ", 0) == 0);
  }
  // Classic paths are left alone by the partition mapping.
  CHECK_FALSE(partition_realm_path("/tasks", "u1").value().has_value());
  CHECK_FALSE(partition_realm_path("tasks", "u1").value().has_value());
}
