#include "storage/layout.hpp"

#include <catch2/catch.hpp>

using ros::storage::Layout;

TEST_CASE("store: Layout::realm_file maps valid paths under realms/", "[store]") {
  const Layout layout("/srv/ros");
  struct Case {
    const char* path;
    const char* file;
  };
  const Case accepted[] = {
      {"/catalog", "/srv/ros/realms/catalog.db"},
      {"/0123456789abcdef0123456789abcdef/settings",
       "/srv/ros/realms/0123456789abcdef0123456789abcdef/settings.db"},
      {"/a/b/c", "/srv/ros/realms/a/b/c.db"},
      {"/x.y-z_1", "/srv/ros/realms/x.y-z_1.db"},
      {"/dbx/db", "/srv/ros/realms/dbx/db.db"},
  };
  for (const auto& c : accepted) {
    INFO(c.path);
    auto r = layout.realm_file(c.path);
    REQUIRE(r.ok());
    CHECK(r->string() == c.file);
  }
}

TEST_CASE("store: Layout::realm_file refuses paths that could escape or collide", "[store]") {
  const Layout layout("/srv/ros");
  struct Case {
    const char* path;
    const char* message;
  };
  const Case rejected[] = {
      {"catalog", "invalid Realm path 'catalog': it must start with '/'"},
      {"/", "invalid Realm path '/': it has an empty segment"},
      {"/../admin", "invalid Realm path '/../admin': a segment starts with '.'"},
      {"/a/../../etc/passwd", "invalid Realm path '/a/../../etc/passwd': a segment starts with '.'"},
      {"/a//b", "invalid Realm path '/a//b': it has an empty segment"},
      {"/.hidden", "invalid Realm path '/.hidden': a segment starts with '.'"},
      {"/~/settings", "invalid Realm path '/~/settings': '~' needs a user"},
      {"/a\\b", "invalid Realm path '/a\\b': a segment has a character other than letters, "
                "digits, '_', '-' and '.'"},
      {"/x.db/y", "invalid Realm path '/x.db/y': a segment ends in '.db'"},
      {"/x.db-wal/y", "invalid Realm path '/x.db-wal/y': a segment ends in '.db-wal'"},
      {"/x.db-shm", "invalid Realm path '/x.db-shm': a segment ends in '.db-shm'"},
      {"/x.db-journal", "invalid Realm path '/x.db-journal': a segment ends in '.db-journal'"},
  };
  for (const auto& c : rejected) {
    INFO(c.path);
    auto r = layout.realm_file(c.path);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ros::Errc::invalid_argument);
    CHECK(r.error().message == c.message);
  }
}
