// AdminStore's permissions and offers (schema version 2).
#include <algorithm>
#include <atomic>
#include <thread>

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include "admin/password.hpp"
#include "admin/store.hpp"
#include "support/temp_dir.hpp"

using ros::Errc;
using namespace ros::admin;

namespace {

constexpr Rights kNone{};
constexpr Rights kR{true, false, false};
constexpr Rights kRW{true, true, false};
constexpr Rights kRM{true, false, true};
constexpr Rights kAll{true, true, true};

constexpr RightsChange kRead{true, {}, {}};
constexpr RightsChange kWrite{{}, true, {}};
constexpr RightsChange kManage{{}, {}, true};
constexpr RightsChange kReadWrite{true, true, {}};
constexpr RightsChange kEverything{true, true, true};

constexpr std::int64_t kNow = 1'800'000'000;  // 2027-01-15T08:00:00Z

struct FastHashes {
  FastHashes() { set_pbkdf2_iterations_for_testing(1000); }
  ~FastHashes() { set_pbkdf2_iterations_for_testing(kPbkdf2Iterations); }
};

std::unique_ptr<AdminStore> open_or_throw(const std::filesystem::path& file) {
  auto store = AdminStore::open(file);
  if (!store) throw std::runtime_error(store.error().message);
  return std::move(*store);
}

struct Fixture {
  FastHashes fast;
  ros::test::TempDir dir;
  std::filesystem::path file = dir / "admin.db";
  std::unique_ptr<AdminStore> store = open_or_throw(file);
  User alice = make("alice", false);
  User bob = make("bob", false);
  User carol = make("carol", false);
  User root = make("root", true);
  std::string alices = "/" + alice.id + "/notes";
  std::string alices2 = "/" + alice.id + "/photos";
  std::string bobs = "/" + bob.id + "/notes";

  User make(const std::string& name, bool admin) {
    auto user = store->create_password_user(name, "pw", admin);
    if (!user) throw std::runtime_error(user.error().message);
    return std::move(*user);
  }
  Rights rights(const User& user, const std::string& path) {
    auto r = store->rights_of(user, path);
    if (!r) throw std::runtime_error(r.error().message);
    return *r;
  }
  std::vector<PermissionEntry> of_realm(const std::string& path) {
    auto r = store->permissions_of_realm(path);
    if (!r) throw std::runtime_error(r.error().message);
    return *r;
  }
};

template <class T>
void check_error(const ros::Result<T>& r, Errc code, const std::string& message) {
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == code);
  CHECK(r.error().message == message);
}

PermissionEntry entry(const std::string& path, const User& user, Rights rights) {
  return {path, user.id, user.username(), rights};
}

PermissionEntry default_entry(const std::string& path, Rights rights) {
  return {path, "*", std::nullopt, rights};
}

}  // namespace

namespace Catch {
template <>
struct StringMaker<Rights> {
  static std::string convert(const Rights& r) {
    return std::string(r.read ? "r" : "-") + (r.write ? "w" : "-") + (r.manage ? "m" : "-");
  }
};
}  // namespace Catch

TEST_CASE("permissions: grants and revokes are stored and give effective rights", "[admin]") {
  Fixture f;
  CHECK(f.rights(f.bob, f.alices) == kNone);

  auto granted = f.store->grant(f.alices, "bob", kRead);
  REQUIRE(granted.ok());
  CHECK(*granted == entry(f.alices, f.bob, kR));
  CHECK(f.rights(f.bob, f.alices) == kR);
  CHECK(f.rights(f.carol, f.alices) == kNone);

  // By id as well as by username; unspecified flags keep their value.
  REQUIRE(f.store->grant(f.alices, f.bob.id, kWrite).ok());
  CHECK(f.rights(f.bob, f.alices) == kRW);
  REQUIRE(f.store->grant(f.alices, "bob", kManage).ok());
  CHECK(f.rights(f.bob, f.alices) == kAll);

  auto revoked = f.store->revoke(f.alices, "bob", kWrite);
  REQUIRE(revoked.ok());
  CHECK(*revoked == entry(f.alices, f.bob, kRM));
  CHECK(f.of_realm(f.alices) == std::vector{entry(f.alices, f.bob, kRM)});

  // Revoking read cascades; an entry that grants nothing is deleted.
  revoked = f.store->revoke(f.alices, "bob", kRead);
  REQUIRE(revoked.ok());
  CHECK(*revoked == entry(f.alices, f.bob, kNone));
  CHECK(f.of_realm(f.alices).empty());
  CHECK(f.rights(f.bob, f.alices) == kNone);

  // Not errors: revoking what is not held, granting what is.
  CHECK(f.store->revoke(f.alices, "bob", kRead).ok());
  REQUIRE(f.store->grant(f.alices, "bob", kRead).ok());
  CHECK(f.store->grant(f.alices, "bob", kRead).ok());
  // A revoke without flags removes the entry.
  REQUIRE(f.store->grant(f.alices, "bob", kEverything).ok());
  REQUIRE(f.store->revoke(f.alices, "bob", {}).ok());
  CHECK(f.of_realm(f.alices).empty());
}

TEST_CASE("permissions: refused combinations leave the entry unchanged", "[admin]") {
  Fixture f;
  struct Case {
    std::optional<Rights> before;
    RightsChange change;
    const char* message;
  };
  const Case cases[] = {
      {std::nullopt, kWrite, "write without read is not allowed; grant read too"},
      {std::nullopt, kManage, "manage without read is not allowed; grant read too"},
      {kRW, {false, {}, {}}, "write without read is not allowed; grant read too"},
      {kRM, {false, {}, {}}, "manage without read is not allowed; grant read too"},
  };
  for (const auto& c : cases) {
    INFO(c.message);
    for (const char* grantee : {"bob", "*"}) {
      REQUIRE(f.store->revoke(f.alices, grantee, {}).ok());
      if (c.before) {
        REQUIRE(f.store->grant(f.alices, grantee, {c.before->read, c.before->write,
                                                   c.before->manage}).ok());
      }
      check_error(f.store->grant(f.alices, grantee, c.change), Errc::invalid_argument,
                  c.message);
    }
    CHECK(f.rights(f.bob, f.alices) == c.before.value_or(kNone));
    CHECK(f.rights(f.carol, f.alices) == c.before.value_or(kNone));
  }
}

TEST_CASE("permissions: per-user entries win over the default, both ways", "[admin]") {
  Fixture f;
  REQUIRE(f.store->grant("/catalog", "*", kRead).ok());
  CHECK(f.rights(f.bob, "/catalog") == kR);
  CHECK(f.rights(f.carol, "/catalog") == kR);

  // More than the default.
  REQUIRE(f.store->grant("/catalog", "bob", kEverything).ok());
  CHECK(f.rights(f.bob, "/catalog") == kAll);
  CHECK(f.rights(f.carol, "/catalog") == kR);

  // Less than the default: carol's entry gives read only although the
  // default now gives read and write.
  REQUIRE(f.store->grant("/catalog", "carol", kRead).ok());
  REQUIRE(f.store->grant("/catalog", "*", kWrite).ok());
  CHECK(f.rights(f.carol, "/catalog") == kR);
  CHECK(f.rights(f.root, "/catalog") == kAll);
  auto other = f.make("dave", false);
  CHECK(f.rights(other, "/catalog") == kRW);

  // Changing the default never removes a per-user entry.
  REQUIRE(f.store->revoke("/catalog", "*", {}).ok());
  CHECK(f.rights(other, "/catalog") == kNone);
  CHECK(f.rights(f.bob, "/catalog") == kAll);
  CHECK(f.rights(f.carol, "/catalog") == kR);
}

TEST_CASE("permissions: owners and admins have all rights; grants to them are stored",
          "[admin]") {
  Fixture f;
  CHECK(f.rights(f.alice, f.alices) == kAll);
  CHECK(f.rights(f.alice, f.bobs) == kNone);
  CHECK(f.rights(f.root, f.alices) == kAll);
  CHECK(f.rights(f.root, "/catalog") == kAll);

  REQUIRE(f.store->grant(f.alices, "alice", kRead).ok());
  REQUIRE(f.store->grant(f.alices, "root", kRead).ok());
  CHECK(f.rights(f.alice, f.alices) == kAll);
  CHECK(f.rights(f.root, f.alices) == kAll);
  CHECK(f.of_realm(f.alices).size() == 2);

  // Admin taken away: the stored entry applies.
  REQUIRE(f.store->set_admin("root", false).ok());
  auto demoted = f.store->find_user("root");
  REQUIRE(demoted.ok());
  CHECK(f.rights(*demoted, f.alices) == kR);
}

TEST_CASE("permissions: listings by Realm and by user", "[admin]") {
  Fixture f;
  REQUIRE(f.store->grant(f.alices, "carol", kRead).ok());
  REQUIRE(f.store->grant(f.alices, "bob", kReadWrite).ok());
  REQUIRE(f.store->grant(f.alices, "*", kRead).ok());
  REQUIRE(f.store->grant("/catalog", "bob", kRead).ok());
  REQUIRE(f.store->grant(f.bobs, "*", kEverything).ok());
  auto nameless = f.store->find_or_create_identity("custom/x", "someone");
  REQUIRE(nameless.ok());
  REQUIRE(f.store->grant(f.alices, nameless->id, kRead).ok());

  // Default first, then by username, users without one by their id.
  std::vector<PermissionEntry> per_user{
      PermissionEntry{f.alices, nameless->id, std::nullopt, kR}, entry(f.alices, f.bob, kRW),
      entry(f.alices, f.carol, kR)};
  std::sort(per_user.begin(), per_user.end(), [](const auto& a, const auto& b) {
    return a.username.value_or(a.user_id) < b.username.value_or(b.user_id);
  });
  per_user.insert(per_user.begin(), default_entry(f.alices, kR));
  CHECK(f.of_realm(f.alices) == per_user);
  CHECK(f.of_realm("/nothing").empty());

  auto bobs_entries = f.store->permissions_of_user("bob");
  REQUIRE(bobs_entries.ok());
  std::vector<PermissionEntry> expected{entry("/catalog", f.bob, kR),
                                        entry(f.alices, f.bob, kRW)};
  std::sort(expected.begin(), expected.end(),
            [](const auto& a, const auto& b) { return a.realm_path < b.realm_path; });
  CHECK(*bobs_entries == expected);

  auto defaults = f.store->permissions_of_user("*");
  REQUIRE(defaults.ok());
  expected = {default_entry(f.alices, kR), default_entry(f.bobs, kAll)};
  std::sort(expected.begin(), expected.end(),
            [](const auto& a, const auto& b) { return a.realm_path < b.realm_path; });
  CHECK(*defaults == expected);

  auto none = f.store->permissions_of_user(f.root.id);
  REQUIRE(none.ok());
  CHECK(none->empty());
}

TEST_CASE("permissions: unknown users and bad paths are refused", "[admin]") {
  Fixture f;
  check_error(f.store->grant(f.alices, "zed", kRead), Errc::not_found, "no user 'zed'");
  check_error(f.store->revoke(f.alices, "zed", kRead), Errc::not_found, "no user 'zed'");
  check_error(f.store->permissions_of_user("zed"), Errc::not_found, "no user 'zed'");
  check_error(f.store->grant_all_owned(f.alice, "zed", kRead), Errc::not_found, "no user 'zed'");
  check_error(f.store->list_offers("zed"), Errc::not_found, "no user 'zed'");

  struct Bad {
    std::string path;
    std::string message;
  };
  const Bad bad[] = {
      {"catalog", "invalid Realm path 'catalog': it must start with '/'"},
      {"", "invalid Realm path '': it must start with '/'"},
      {"*", "invalid Realm path '*': it must start with '/'"},
      {"/~/notes", "invalid Realm path '/~/notes': '~' needs a user"},
      {"/a//b", "invalid Realm path '/a//b': it has an empty segment"},
      {"/a/../b", "invalid Realm path '/a/../b': a segment starts with '.'"},
  };
  for (const auto& c : bad) {
    INFO(c.path);
    check_error(f.store->grant(c.path, "bob", kRead), Errc::invalid_argument, c.message);
    check_error(f.store->revoke(c.path, "bob", kRead), Errc::invalid_argument, c.message);
    check_error(f.store->rights_of(f.bob, c.path), Errc::invalid_argument, c.message);
    check_error(f.store->permissions_of_realm(c.path), Errc::invalid_argument, c.message);
    check_error(f.store->create_offer(f.root, c.path, kR, std::nullopt, kNow),
                Errc::invalid_argument, c.message);
    check_error(f.store->grant_all_owned(f.alice, "bob", kRead, {c.path}),
                Errc::invalid_argument, c.message);
  }

  // "*" is reserved for the default: no user may be called that.
  check_error(f.store->create_password_user("*", "pw", false), Errc::invalid_argument,
              "username must not be '*' (it names a Realm's default permissions)");
}

TEST_CASE("permissions: '*' as the Realm means every Realm the changer owns", "[admin]") {
  Fixture f;
  const std::string nested = "/" + f.alice.id + "/a/b";
  const std::string unnamed = "/" + f.alice.id + "/unnamed";
  REQUIRE(f.store->grant(f.alices, "carol", kRead).ok());   // in the table
  REQUIRE(f.store->grant(nested, "*", kRead).ok());         // in the table, default row
  REQUIRE(f.store->grant(f.bobs, "carol", kRead).ok());     // bob's: not touched
  REQUIRE(f.store->grant("/catalog", "carol", kRead).ok()); // nobody's: not touched

  // alices2 only in known_paths; bobs there is ignored; duplicates count once.
  auto changed = f.store->grant_all_owned(f.alice, "bob", kReadWrite,
                                          {f.alices2, f.bobs, f.alices, "/catalog"});
  REQUIRE(changed.ok());
  std::vector<PermissionEntry> expected{entry(f.alices, f.bob, kRW), entry(f.alices2, f.bob, kRW),
                                        entry(nested, f.bob, kRW)};
  std::sort(expected.begin(), expected.end(),
            [](const auto& a, const auto& b) { return a.realm_path < b.realm_path; });
  CHECK(*changed == expected);
  CHECK(f.rights(f.bob, f.alices) == kRW);
  CHECK(f.rights(f.bob, f.alices2) == kRW);
  CHECK(f.rights(f.bob, nested) == kRW);
  CHECK(f.rights(f.bob, unnamed) == kNone);
  CHECK(f.rights(f.bob, "/catalog") == kNone);
  CHECK(f.of_realm(f.bobs).size() == 1);

  // A refusal on any Realm changes none.
  check_error(f.store->grant_all_owned(f.alice, "carol", kManage), Errc::invalid_argument,
              "manage without read is not allowed; grant read too");
  auto carols = f.store->permissions_of_user("carol");
  REQUIRE(carols.ok());
  CHECK(carols->size() == 3);
  for (const auto& e : *carols) CHECK(e.rights == kR);

  // The default as the grantee.
  auto defaults = f.store->grant_all_owned(f.alice, "*", kRead);
  REQUIRE(defaults.ok());
  CHECK(defaults->size() == 3);
  auto erin = f.make("erin", false);
  CHECK(f.rights(erin, f.alices2) == kR);

  // Revoke across all: bob's entries go, the Realms stay listed by others.
  auto revoked = f.store->revoke_all_owned(f.alice, "bob", kWrite);
  REQUIRE(revoked.ok());
  CHECK(revoked->size() == 3);
  for (const auto& e : *revoked) CHECK(e.rights == kR);
  revoked = f.store->revoke_all_owned(f.alice, "bob", {});
  REQUIRE(revoked.ok());
  for (const auto& e : *revoked) CHECK(e.rights == kNone);
  CHECK(f.rights(f.bob, f.alices) == kR);  // the default alice granted remains
  auto bobs_entries = f.store->permissions_of_user("bob");
  REQUIRE(bobs_entries.ok());
  CHECK(bobs_entries->empty());

  // A changer who owns nothing changes nothing.
  auto nothing = f.store->grant_all_owned(f.carol, "bob", kRead);
  REQUIRE(nothing.ok());
  CHECK(nothing->empty());
  // An admin's "*" is still only their own Realms.
  auto admins = f.store->grant_all_owned(f.root, "bob", kRead);
  REQUIRE(admins.ok());
  CHECK(admins->empty());
}

TEST_CASE("permissions: offers need manage rights and valid rights", "[admin]") {
  Fixture f;
  check_error(f.store->create_offer(f.bob, f.alices, kR, std::nullopt, kNow),
              Errc::permission_denied, "you need manage rights on '" + f.alices + "' to offer it");
  REQUIRE(f.store->grant(f.alices, "bob", kReadWrite).ok());
  check_error(f.store->create_offer(f.bob, f.alices, kR, std::nullopt, kNow),
              Errc::permission_denied, "you need manage rights on '" + f.alices + "' to offer it");

  struct Bad {
    Rights rights;
    std::optional<std::int64_t> expires_at;
    const char* message;
  };
  const Bad bad[] = {
      {kNone, std::nullopt, "an offer must grant at least read"},
      {{false, true, false}, std::nullopt, "write without read is not allowed; grant read too"},
      {{false, false, true}, std::nullopt, "manage without read is not allowed; grant read too"},
      {kR, kNow, "the offer's expiry must be in the future"},
      {kR, kNow - 1, "the offer's expiry must be in the future"},
  };
  for (const auto& c : bad) {
    INFO(c.message);
    check_error(f.store->create_offer(f.alice, f.alices, c.rights, c.expires_at, kNow),
                Errc::invalid_argument, c.message);
  }

  // Owner, admin, and a user granted manage may offer.
  REQUIRE(f.store->grant(f.alices, "bob", kManage).ok());
  for (const User* creator : {&f.alice, &f.root, &f.bob}) {
    auto offer = f.store->create_offer(*creator, f.alices, kRW, kNow + 60, kNow);
    REQUIRE(offer.ok());
    CHECK(offer->token.size() == 32);
    CHECK(offer->token.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(offer->realm_path == f.alices);
    CHECK(offer->rights == kRW);
    CHECK(offer->created_by == creator->id);
    CHECK(offer->created_at == kNow);
    CHECK(offer->expires_at == kNow + 60);
    CHECK_FALSE(offer->revoked);
  }
  auto all = f.store->list_offers();
  REQUIRE(all.ok());
  CHECK(all->size() == 3);
  auto bobs = f.store->list_offers("bob");
  REQUIRE(bobs.ok());
  REQUIRE(bobs->size() == 1);
  CHECK(bobs->front().created_by == f.bob.id);
  auto by_id = f.store->list_offers(f.alice.id);
  REQUIRE(by_id.ok());
  CHECK(by_id->size() == 1);
}

TEST_CASE("permissions: accepting an offer grants its rights, never fewer", "[admin]") {
  Fixture f;
  auto offer = f.store->create_offer(f.alice, f.alices, kRW, std::nullopt, kNow);
  REQUIRE(offer.ok());

  auto accepted = f.store->accept_offer(offer->token, f.bob, kNow + 1);
  REQUIRE(accepted.ok());
  CHECK(*accepted == entry(f.alices, f.bob, kRW));
  CHECK(f.rights(f.bob, f.alices) == kRW);

  // Many users, many times; rights already held are kept.
  REQUIRE(f.store->grant(f.alices, "carol", kReadWrite).ok());
  REQUIRE(f.store->grant(f.alices, "carol", kManage).ok());
  auto read_only = f.store->create_offer(f.alice, f.alices, kR, std::nullopt, kNow);
  REQUIRE(read_only.ok());
  accepted = f.store->accept_offer(read_only->token, f.carol, kNow);
  REQUIRE(accepted.ok());
  CHECK(accepted->rights == kAll);
  accepted = f.store->accept_offer(read_only->token, f.bob, kNow);
  REQUIRE(accepted.ok());
  CHECK(accepted->rights == kRW);
}

TEST_CASE("permissions: expired, revoked and unknown offers are refused", "[admin]") {
  Fixture f;
  auto expiring = f.store->create_offer(f.alice, f.alices, kR, kNow + 60, kNow);
  REQUIRE(expiring.ok());
  CHECK(f.store->accept_offer(expiring->token, f.bob, kNow + 59).ok());
  check_error(f.store->accept_offer(expiring->token, f.carol, kNow + 60), Errc::conflict,
              "offer expired at 2027-01-15T08:01:00Z");
  CHECK(f.rights(f.carol, f.alices) == kNone);

  auto revocable = f.store->create_offer(f.alice, f.alices, kR, std::nullopt, kNow);
  REQUIRE(revocable.ok());
  REQUIRE(f.store->revoke_offer(revocable->token).ok());
  CHECK(f.store->revoke_offer(revocable->token).ok());  // twice: not an error
  check_error(f.store->accept_offer(revocable->token, f.carol, kNow), Errc::conflict,
              "offer was revoked");
  auto listed = f.store->list_offers("alice");
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 2);
  for (const auto& o : *listed) CHECK(o.revoked == (o.token == revocable->token));

  const std::string unknown(32, '0');
  check_error(f.store->accept_offer(unknown, f.bob, kNow), Errc::not_found,
              "no offer '" + unknown + "'");
  check_error(f.store->revoke_offer(unknown), Errc::not_found, "no offer '" + unknown + "'");

  // A creator who loses manage rights takes their offers' validity with them.
  REQUIRE(f.store->grant(f.alices, "bob", kManage).ok());
  auto bobs_offer = f.store->create_offer(f.bob, f.alices, kR, std::nullopt, kNow);
  REQUIRE(bobs_offer.ok());
  REQUIRE(f.store->revoke(f.alices, "bob", kManage).ok());
  check_error(f.store->accept_offer(bobs_offer->token, f.carol, kNow), Errc::conflict,
              "offer is no longer valid: its creator has lost manage rights on '" + f.alices +
                  "'");
  CHECK(f.rights(f.carol, f.alices) == kNone);
}

TEST_CASE("permissions: removing a user removes their entries and offers", "[admin]") {
  Fixture f;
  REQUIRE(f.store->grant(f.alices, "bob", kReadWrite).ok());
  REQUIRE(f.store->grant(f.alices, "*", kRead).ok());
  REQUIRE(f.store->grant(f.bobs, "carol", kRead).ok());
  REQUIRE(f.store->grant("/catalog", "bob", kRead).ok());
  REQUIRE(f.store->grant(f.alices, "bob", kManage).ok());
  auto offer = f.store->create_offer(f.bob, f.alices, kR, std::nullopt, kNow);
  REQUIRE(offer.ok());

  REQUIRE(f.store->remove_user("bob").ok());
  CHECK(f.of_realm(f.alices) == std::vector{default_entry(f.alices, kR)});
  CHECK(f.of_realm("/catalog").empty());
  // Entries on the removed user's Realms for others stay (rows name carol).
  CHECK(f.of_realm(f.bobs) == std::vector{entry(f.bobs, f.carol, kR)});
  auto offers = f.store->list_offers();
  REQUIRE(offers.ok());
  CHECK(offers->empty());
  check_error(f.store->accept_offer(offer->token, f.carol, kNow), Errc::not_found,
              "no offer '" + offer->token + "'");
  // A removed user accepting an offer is refused.
  auto alices_offer = f.store->create_offer(f.alice, f.alices, kR, std::nullopt, kNow);
  REQUIRE(alices_offer.ok());
  check_error(f.store->accept_offer(alices_offer->token, f.bob, kNow), Errc::not_found,
              "no user '" + f.bob.id + "'");
}

TEST_CASE("permissions: reopening the file keeps entries and offers", "[admin]") {
  Fixture f;
  REQUIRE(f.store->grant(f.alices, "bob", kReadWrite).ok());
  REQUIRE(f.store->grant(f.alices, "*", kRead).ok());
  auto offer = f.store->create_offer(f.alice, f.alices, kRM, kNow + 600, kNow);
  REQUIRE(offer.ok());
  REQUIRE(f.store->revoke_offer(offer->token).ok());
  auto before = f.of_realm(f.alices);
  f.store.reset();

  auto reopened = open_or_throw(f.file);
  auto after = reopened->permissions_of_realm(f.alices);
  REQUIRE(after.ok());
  CHECK(*after == before);
  CHECK(after->size() == 2);
  auto offers = reopened->list_offers();
  REQUIRE(offers.ok());
  REQUIRE(offers->size() == 1);
  Offer expected = *offer;
  expected.revoked = true;
  CHECK(offers->front() == expected);
  auto rights = reopened->rights_of(f.bob, f.alices);
  REQUIRE(rights.ok());
  CHECK(*rights == kRW);
}

TEST_CASE("permissions: a version-1 file migrates to version 2 with its users", "[admin]") {
  FastHashes fast;
  ros::test::TempDir dir;
  auto file = dir / "admin.db";
  {
    // The version-1 schema, as released (store.cpp, migration 0 -> 1).
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    const char* v1 =
        "CREATE TABLE users (id TEXT PRIMARY KEY NOT NULL, is_admin INTEGER NOT NULL DEFAULT 0,"
        "  created_at INTEGER NOT NULL, password_hash TEXT);"
        "CREATE TABLE identities (provider TEXT NOT NULL, provider_id TEXT NOT NULL,"
        "  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
        "  PRIMARY KEY (provider, provider_id));"
        "CREATE INDEX identities_by_user ON identities(user_id);"
        "CREATE TABLE revoked_refresh_tokens (token_sha256 TEXT PRIMARY KEY NOT NULL,"
        "  expires_at INTEGER NOT NULL);"
        "CREATE INDEX revoked_refresh_tokens_by_expiry ON revoked_refresh_tokens(expires_at);"
        "INSERT INTO users (id, is_admin, created_at) VALUES"
        "  ('0123456789abcdef0123456789abcdef', 0, 1);"
        "INSERT INTO identities VALUES ('password', 'old', '0123456789abcdef0123456789abcdef');"
        "PRAGMA user_version=1;";
    char* error = nullptr;
    int rc = sqlite3_exec(db, v1, nullptr, nullptr, &error);
    INFO((error ? error : ""));
    sqlite3_free(error);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
  }
  auto store = open_or_throw(file);
  CHECK(*store->schema_version() == kSchemaVersion);
  auto old = store->find_user("old");
  REQUIRE(old.ok());
  CHECK(old->id == "0123456789abcdef0123456789abcdef");
  auto granted = store->grant("/catalog", "old", kRead);
  REQUIRE(granted.ok());
  CHECK(*store->rights_of(*old, "/catalog") == kR);
  auto offer = store->create_offer(*old, "/" + old->id + "/x", kR, std::nullopt, kNow);
  CHECK(offer.ok());
}

TEST_CASE("permissions: concurrent changes from two connections lose no flag", "[admin]") {
  Fixture f;
  auto other = open_or_throw(f.file);  // as another process would
  constexpr int kPaths = 20;
  auto path = [](int i) { return "/shared-" + std::to_string(i); };
  for (int i = 0; i < kPaths; ++i) REQUIRE(f.store->grant(path(i), "bob", kRead).ok());

  std::atomic<int> failures{0};
  std::thread writer([&] {
    for (int i = 0; i < kPaths; ++i) {
      if (!f.store->grant(path(i), "bob", kWrite).ok()) ++failures;
    }
  });
  std::thread manager([&] {
    for (int i = 0; i < kPaths; ++i) {
      if (!other->grant(path(i), "bob", kManage).ok()) ++failures;
    }
  });
  writer.join();
  manager.join();
  CHECK(failures == 0);
  for (int i = 0; i < kPaths; ++i) CHECK(f.rights(f.bob, path(i)) == kAll);
}
