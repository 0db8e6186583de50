#include "admin/permissions.hpp"

#include <catch2/catch.hpp>

#include "admin/store.hpp"

using ros::Errc;
using namespace ros::admin;

namespace {

constexpr Rights kNone{};
constexpr Rights kR{true, false, false};
constexpr Rights kRW{true, true, false};
constexpr Rights kRM{true, false, true};
constexpr Rights kAll{true, true, true};

constexpr const char* kWriteOnly = "write without read is not allowed; grant read too";
constexpr const char* kManageOnly = "manage without read is not allowed; grant read too";

const std::string kAliceId(32, 'a');
const std::string kBobId(32, 'b');

std::string show(Rights r) {
  return std::string(r.read ? "r" : "-") + (r.write ? "w" : "-") + (r.manage ? "m" : "-");
}

}  // namespace

TEST_CASE("permissions: access lists name the token rights in order", "[admin]") {
  struct Case {
    Rights rights;
    std::vector<std::string> list;
  };
  const Case cases[] = {
      {kNone, {}},
      {kR, {"download"}},
      {kRW, {"download", "upload"}},
      {kRM, {"download", "manage"}},
      {kAll, {"download", "upload", "manage"}},
  };
  for (const auto& c : cases) {
    INFO(show(c.rights));
    CHECK(access_list(c.rights) == c.list);
  }
}

TEST_CASE("permissions: grants set the given flags and keep unspecified ones", "[admin]") {
  struct Case {
    Rights current;
    RightsChange change;
    Rights expected;
  };
  const Case accepted[] = {
      {kNone, {true, {}, {}}, kR},
      {kNone, {true, true, {}}, kRW},
      {kNone, {true, true, true}, kAll},
      {kR, {{}, true, {}}, kRW},        // read kept
      {kRW, {{}, {}, true}, kAll},      // read and write kept
      {kRM, {{}, true, {}}, kAll},      // manage kept
      {kAll, {{}, false, {}}, kRM},     // an explicit false clears
      {kAll, {}, kAll},                 // nothing specified: unchanged
      {kNone, {}, kNone},
      {kAll, {false, false, false}, kNone},
      {kR, {true, {}, {}}, kR},         // granting a held flag
  };
  for (const auto& c : accepted) {
    INFO(show(c.current) << " -> " << show(c.expected));
    auto r = apply_grant(c.current, c.change);
    REQUIRE(r.ok());
    CHECK(*r == c.expected);
  }

  struct Refused {
    Rights current;
    RightsChange change;
    const char* message;
  };
  const Refused refused[] = {
      {kNone, {{}, true, {}}, kWriteOnly},
      {kNone, {false, true, {}}, kWriteOnly},
      {kNone, {{}, {}, true}, kManageOnly},
      {kNone, {{}, true, true}, kWriteOnly},  // write is named first
      {kRW, {false, {}, {}}, kWriteOnly},     // dropping read under a kept write
      {kRM, {false, {}, {}}, kManageOnly},
      {kAll, {false, false, {}}, kManageOnly},
  };
  for (const auto& c : refused) {
    INFO(show(c.current) << " " << c.message);
    auto r = apply_grant(c.current, c.change);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::invalid_argument);
    CHECK(r.error().message == c.message);
  }
}

TEST_CASE("permissions: validate_rights refuses write or manage without read", "[admin]") {
  struct Case {
    Rights rights;
    const char* message;  // nullptr: allowed
  };
  const Case cases[] = {
      {kNone, nullptr},
      {kR, nullptr},
      {kRW, nullptr},
      {kRM, nullptr},
      {kAll, nullptr},
      {{false, true, false}, kWriteOnly},
      {{false, false, true}, kManageOnly},
      {{false, true, true}, kWriteOnly},
  };
  for (const auto& c : cases) {
    INFO(show(c.rights));
    auto r = validate_rights(c.rights);
    if (c.message == nullptr) {
      CHECK(r.ok());
    } else {
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == Errc::invalid_argument);
      CHECK(r.error().message == c.message);
    }
  }
}

TEST_CASE("permissions: revokes clear the flags given as true, read cascades", "[admin]") {
  struct Case {
    Rights current;
    RightsChange change;
    Rights expected;
  };
  const Case cases[] = {
      {kAll, {{}, true, {}}, kRM},
      {kAll, {{}, {}, true}, kRW},
      {kAll, {{}, true, true}, kR},
      {kAll, {true, {}, {}}, kNone},           // read takes write and manage with it
      {kRW, {true, {}, {}}, kNone},
      {kAll, {}, kNone},                       // no flag: clears all
      {kAll, {false, false, false}, kNone},    // only false: same as no flag
      {kAll, {false, true, {}}, kRM},          // false keeps, true clears
      {kR, {{}, true, {}}, kR},                // revoking a flag not held
      {kNone, {true, true, true}, kNone},
  };
  for (const auto& c : cases) {
    INFO(show(c.current) << " -> " << show(c.expected));
    auto after = apply_revoke(c.current, c.change);
    CHECK(after == c.expected);
    CHECK(validate_rights(after).ok());  // never a refused combination
  }
}

TEST_CASE("permissions: effective rights follow admin, owner, per-user, default", "[admin]") {
  User alice{kAliceId, false, 0, {}};
  User bob{kBobId, false, 0, {}};
  User admin{std::string(32, 'c'), true, 0, {}};
  const std::string alices = "/" + kAliceId + "/notes";
  const std::string shared = "/catalog";
  struct Case {
    const char* what;
    const User* user;
    std::string path;
    std::optional<Rights> per_user;
    std::optional<Rights> fallback;
    Rights expected;
  };
  const Case cases[] = {
      {"admin, nothing stored", &admin, shared, {}, {}, kAll},
      {"admin beats a lesser entry", &admin, alices, kR, kNone, kAll},
      {"owner, nothing stored", &alice, alices, {}, {}, kAll},
      {"owner beats a lesser entry", &alice, alices, kR, kR, kAll},
      {"owner of a deeper path", &alice, "/" + kAliceId + "/a/b", {}, {}, kAll},
      {"a bare /<id> has no owner", &alice, "/" + kAliceId, {}, {}, kNone},
      {"someone else's Realm", &bob, alices, {}, {}, kNone},
      {"default only", &bob, alices, {}, kR, kR},
      {"per-user only", &bob, alices, kRW, {}, kRW},
      {"per-user grants more than default", &bob, shared, kAll, kR, kAll},
      {"per-user grants less than default", &bob, shared, kR, kAll, kR},
      {"per-user grants nothing over default", &bob, shared, kNone, kRW, kNone},
      {"nothing stored", &bob, shared, {}, {}, kNone},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    CHECK(effective_rights(*c.user, c.path, c.per_user, c.fallback) == c.expected);
  }
}

TEST_CASE("permissions: additive changes never clear a right", "[admin]") {
  struct Case {
    Rights offered;
    Rights current;
    Rights expected;
  };
  const Case cases[] = {
      {kR, kNone, kR},
      {kR, kAll, kAll},
      {kRW, kRM, kAll},
      {kAll, kR, kAll},
  };
  for (const auto& c : cases) {
    INFO(show(c.offered) << " over " << show(c.current));
    auto r = apply_grant(c.current, additive_change(c.offered));
    REQUIRE(r.ok());
    CHECK(*r == c.expected);
  }
}
