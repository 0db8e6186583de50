// The pure session rules of ros-syncd: BIND paths (protocol.md 2.3) and the
// UPLOAD checks of 3.8.
#include <catch2/catch.hpp>

#include "sync/server/bind_path.hpp"
#include "sync/server/upload_rules.hpp"

using namespace ros::sync::server;
namespace p = ros::sync::protocol;

TEST_CASE("bind path: quotes stripped, leading slash added, ~ expanded, escapes refused",
          "[syncd][rules]") {
  CHECK(resolve_bind_path("/tasks", "u1").value() == "/tasks");
  CHECK(resolve_bind_path("\"user-123\"", "u1").value() == "/user-123");
  CHECK(resolve_bind_path("abc", "u1").value() == "/abc");
  CHECK(resolve_bind_path("/~/notes", "0123456789abcdef0123456789abcdef").value() ==
        "/0123456789abcdef0123456789abcdef/notes");
  for (const char* bad : {"", "/", "/../etc", "/a/../../b", "/.hidden", "/a//b", "/a/b c"}) {
    INFO(bad);
    auto r = resolve_bind_path(bad, "u1");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("illegal Realm path") == 0);
  }
}

namespace {

p::Upload upload(std::uint64_t progress_client, std::uint64_t progress_server,
                 std::uint64_t locked, std::vector<std::pair<std::uint64_t, std::uint64_t>> entries = {}) {
  p::Upload u{1, progress_client, progress_server, locked, {}};
  for (auto [c, s] : entries) u.changesets.push_back(p::UploadChangeset{c, s, 0, 0, ""});
  return u;
}

std::int64_t code_of(const UploadContext& ctx, const p::Upload& u) {
  auto v = validate_upload(ctx, u);
  return v ? p::to_int(v->code) : 0;
}

}  // namespace

TEST_CASE("upload rules: the eight checks of protocol.md 3.8, as recorded", "[syncd][rules]") {
  // After `upload 1 0 125 0 3 0 0` was accepted, position 1 (the recordings).
  UploadContext ctx;
  ctx.previous_progress = {3, 0};
  ctx.download_server_version = 1;
  CHECK(code_of(ctx, upload(4, 1, 1)) == 0);
  CHECK(code_of(ctx, upload(2, 1, 1)) == 210);                  // 1: progress backwards
  CHECK(code_of(ctx, upload(4, 5, 1)) == 209);                  // 2: beyond the position
  CHECK(code_of(ctx, upload(0, 1, 0)) != 0);                    // 3: inconsistent
  CHECK(code_of(ctx, upload(4, 1, 3)) == 209);                  // 4: locked beyond S
  CHECK(code_of(ctx, upload(6, 1, 1, {{5, 1}, {5, 1}})) == 210);  // 5: same client version
  CHECK(code_of(ctx, upload(6, 1, 1, {{5, 1}, {6, 0}})) == 209);  // 6: cursors cross
  CHECK(code_of(ctx, upload(4, 1, 1, {{5, 1}})) == 210);        // 7: entry beyond progress
  CHECK(code_of(ctx, upload(6, 0, 1, {{5, 1}})) == 209);        // 8: entry vs progress
  CHECK(code_of(ctx, upload(6, 1, 1, {{4, 0}, {5, 1}})) == 0);

  UploadContext locked = ctx;
  locked.locked_server_version = 1;
  CHECK(code_of(locked, upload(4, 1, 0)) == 209);  // 4: locked went down
}

TEST_CASE("upload rules: cursor consistency", "[syncd][rules]") {
  CHECK(consistent({0, 0}));
  CHECK(consistent({3, 0}));
  CHECK_FALSE(consistent({0, 2}));
  CHECK(mutually_consistent({1, 1}, {2, 3}));
  CHECK_FALSE(mutually_consistent({1, 4}, {2, 3}));
  CHECK(mutually_consistent({2, 3}, {2, 3}));
  CHECK_FALSE(mutually_consistent({2, 3}, {2, 4}));
}
