#include "admin/store.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <regex>
#include <thread>

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include "admin/password.hpp"
#include "support/temp_dir.hpp"

using ros::Errc;
using namespace ros::admin;

namespace {

// Cheap hashes for tests; restores the real count afterwards.
struct FastHashes {
  explicit FastHashes(int iterations = 1000) { set_pbkdf2_iterations_for_testing(iterations); }
  ~FastHashes() { set_pbkdf2_iterations_for_testing(kPbkdf2Iterations); }
};

struct Fixture {
  FastHashes fast;
  ros::test::TempDir dir;
  std::filesystem::path file = dir / "admin.db";
  std::unique_ptr<AdminStore> store = open_or_throw(file);

  static std::unique_ptr<AdminStore> open_or_throw(const std::filesystem::path& file) {
    auto store = AdminStore::open(file);
    if (!store) throw std::runtime_error(store.error().message);
    return std::move(*store);
  }
};

template <class T>
void check_error(const ros::Result<T>& r, Errc code, const std::string& message) {
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == code);
  CHECK(r.error().message == message);
}

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void set_user_version(const std::filesystem::path& file, int version) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, ("PRAGMA user_version=" + std::to_string(version)).c_str(), nullptr,
                       nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
}

}  // namespace

TEST_CASE("store: creates password users and logs them in", "[admin]") {
  Fixture f;
  auto alice = f.store->create_password_user("alice", "secret-1", false);
  auto bob = f.store->create_password_user("bob", "secret-2", true);
  REQUIRE(alice.ok());
  REQUIRE(bob.ok());
  CHECK(std::regex_match(alice->id, std::regex("[0-9a-f]{32}")));
  CHECK(alice->id != bob->id);
  CHECK_FALSE(alice->is_admin);
  CHECK(bob->is_admin);
  CHECK(alice->username() == "alice");
  CHECK(alice->identities == std::vector<Identity>{{"password", "alice"}});
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch()).count();
  CHECK(std::abs(alice->created_at - now) < 60);

  auto login = f.store->check_password("alice", "secret-1");
  REQUIRE(login.ok());
  CHECK(login->id == alice->id);
  auto admin_login = f.store->check_password("bob", "secret-2");
  REQUIRE(admin_login.ok());
  CHECK(admin_login->is_admin);

  auto by_name = f.store->find_user("alice");
  auto by_id = f.store->find_user(alice->id);
  REQUIRE(by_name.ok());
  REQUIRE(by_id.ok());
  CHECK(by_name->id == alice->id);
  CHECK(by_id->username() == "alice");
}

TEST_CASE("store: duplicates and failed logins get the documented errors", "[admin]") {
  Fixture f;
  auto alice = f.store->create_password_user("alice", "secret", false);
  REQUIRE(alice.ok());
  check_error(f.store->create_password_user("alice", "other", true), Errc::already_exists,
              "user 'alice' already exists");
  // Usernames are case-sensitive.
  CHECK(f.store->create_password_user("Alice", "other", false).ok());
  // A username equal to another user's id would be shadowed by the id.
  check_error(f.store->create_password_user(alice->id, "other", false), Errc::already_exists,
              "user '" + alice->id + "' already exists");

  const std::string denied = "invalid username or password";
  check_error(f.store->check_password("alice", "wrong"), Errc::permission_denied, denied);
  check_error(f.store->check_password("alice", "secreT"), Errc::permission_denied, denied);
  check_error(f.store->check_password("nobody", "secret"), Errc::permission_denied, denied);
  check_error(f.store->check_password(alice->id, "secret"), Errc::permission_denied, denied);
  check_error(f.store->check_password("alice", ""), Errc::permission_denied, denied);
  check_error(f.store->check_password("", "secret"), Errc::permission_denied, denied);
  check_error(f.store->check_password("alice", std::string(5000, 'x')), Errc::permission_denied,
              denied);
}

TEST_CASE("store: an unknown user takes as long to refuse as a wrong password", "[admin]") {
  Fixture f;
  FastHashes real_cost(40000);  // ~15 ms a hash: measurable, not slow
  REQUIRE(f.store->create_password_user("alice", "secret", false).ok());
  auto median_ms = [&](const char* user) {
    std::vector<double> times;
    for (int i = 0; i < 7; ++i) {
      auto start = std::chrono::steady_clock::now();
      CHECK_FALSE(f.store->check_password(user, "wrong").ok());
      times.push_back(std::chrono::duration<double, std::milli>(
                          std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
  };
  double wrong = median_ms("alice");
  double unknown = median_ms("nobody");
  INFO("wrong password " << wrong << " ms, unknown user " << unknown << " ms");
  // Without the dummy hash the unknown user would answer in well under 1% of
  // the time; the bounds leave room for a busy machine.
  CHECK(unknown > wrong * 0.4);
  CHECK(unknown < wrong * 2.5);
}

TEST_CASE("store: usernames and passwords are validated at the edge", "[admin]") {
  Fixture f;
  struct Case {
    std::string username, password, message;
  };
  const Case refused[] = {
      {"", "pw", "username must not be empty"},
      {std::string(129, 'a'), "pw", "username must be at most 128 characters"},
      {"al\nice", "pw", "username must not contain control characters"},
      {"al\tice", "pw", "username must not contain control characters"},
      {std::string("al\0ice", 6), "pw", "username must not contain control characters"},
      {"al\x7f" "ice", "pw", "username must not contain control characters"},
      {"al\xc2\x85ice", "pw", "username must not contain control characters"},  // U+0085
      {"al\xffice", "pw", "username must be valid UTF-8"},
      {"al\xc0\xafice", "pw", "username must be valid UTF-8"},  // overlong '/'
      {"al\xed\xa0\x80ice", "pw", "username must be valid UTF-8"},  // surrogate
      {"\xe2\x82", "pw", "username must be valid UTF-8"},  // truncated
      {" alice", "pw", "username must not begin or end with a space"},
      {"alice ", "pw", "username must not begin or end with a space"},
      {"alice", "", "password must not be empty"},
      {"alice", std::string(1025, 'p'), "password must be at most 1024 bytes"},
  };
  for (const auto& c : refused) {
    CAPTURE(c.username, c.message);
    check_error(f.store->create_password_user(c.username, c.password, false),
                Errc::invalid_argument, c.message);
  }
  const Case accepted[] = {
      {"a", "p", ""},
      {std::string(128, 'a'), std::string(1024, 'p'), ""},
      {[] { std::string s; for (int i = 0; i < 128; ++i) s += "\xc3\xa9"; return s; }(), "p", ""},
      {"alice smith", "pass word with spaces", ""},
      {"alice@example.com", "p", ""},
      {"\xe3\x83\xa6\xe3\x83\xbc\xe3\x82\xb6", "\xf0\x9f\x94\x91", ""},  // ユーザ / key emoji
      {"'; DROP TABLE users; --", "p", ""},
  };
  for (const auto& c : accepted) {
    CAPTURE(c.username);
    auto user = f.store->create_password_user(c.username, c.password, false);
    REQUIRE(user.ok());
    CHECK(user->username() == c.username);
    CHECK(f.store->check_password(c.username, c.password).ok());
  }
  auto all = f.store->list_users();
  REQUIRE(all.ok());
  CHECK(all->size() == std::size(accepted));
}

TEST_CASE("store: list, show, remove, passwd and admin", "[admin]") {
  Fixture f;
  auto alice = f.store->create_password_user("alice", "one", false);
  auto bob = f.store->create_password_user("bob", "two", false);
  REQUIRE(alice.ok());
  REQUIRE(bob.ok());

  auto all = f.store->list_users();
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2);
  std::vector<std::string> names;
  for (const auto& u : *all) names.push_back(u.username().value_or("?"));
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"alice", "bob"});

  SECTION("admin is granted and revoked by name or id") {
    REQUIRE(f.store->set_admin("alice", true).ok());
    CHECK(f.store->find_user(alice->id)->is_admin);
    REQUIRE(f.store->set_admin("alice", true).ok());  // not an error
    REQUIRE(f.store->set_admin(alice->id, false).ok());
    CHECK_FALSE(f.store->find_user("alice")->is_admin);
    check_error(f.store->set_admin("carol", true), Errc::not_found, "no user 'carol'");
  }
  SECTION("passwd replaces the password") {
    REQUIRE(f.store->set_password("alice", "three").ok());
    CHECK(f.store->check_password("alice", "three").ok());
    CHECK_FALSE(f.store->check_password("alice", "one").ok());
    CHECK(f.store->check_password("bob", "two").ok());
    REQUIRE(f.store->set_password(bob->id, "four").ok());
    CHECK(f.store->check_password("bob", "four").ok());
    check_error(f.store->set_password("alice", ""), Errc::invalid_argument,
                "password must not be empty");
    check_error(f.store->set_password("carol", "x"), Errc::not_found, "no user 'carol'");
  }
  SECTION("remove deletes the user and frees the name") {
    REQUIRE(f.store->remove_user("alice").ok());
    check_error(f.store->find_user("alice"), Errc::not_found, "no user 'alice'");
    check_error(f.store->find_user(alice->id), Errc::not_found, "no user '" + alice->id + "'");
    check_error(f.store->remove_user("alice"), Errc::not_found, "no user 'alice'");
    check_error(f.store->check_password("alice", "one"), Errc::permission_denied,
                "invalid username or password");
    REQUIRE(f.store->remove_user(bob->id).ok());
    CHECK(f.store->list_users()->empty());
    auto again = f.store->create_password_user("alice", "new", false);
    REQUIRE(again.ok());
    CHECK(again->id != alice->id);
  }
  SECTION("unknown users are named in the error, control characters escaped") {
    check_error(f.store->find_user("carol"), Errc::not_found, "no user 'carol'");
    check_error(f.store->find_user("a\nb"), Errc::not_found, "no user 'a\\x0ab'");
    check_error(f.store->find_user("0123456789abcdef0123456789abcdef"), Errc::not_found,
                "no user '0123456789abcdef0123456789abcdef'");
  }
}

TEST_CASE("store: identities of other providers", "[admin]") {
  Fixture f;
  auto g = f.store->find_or_create_identity("google", "1234567890");
  REQUIRE(g.ok());
  CHECK(g->identities == std::vector<Identity>{{"google", "1234567890"}});
  CHECK_FALSE(g->username().has_value());
  CHECK_FALSE(g->is_admin);

  auto again = f.store->find_or_create_identity("google", "1234567890");
  REQUIRE(again.ok());
  CHECK(again->id == g->id);
  auto other = f.store->find_or_create_identity("custom/sso", "1234567890");
  REQUIRE(other.ok());
  CHECK(other->id != g->id);

  CHECK(f.store->find_user(g->id).ok());
  check_error(f.store->find_user("1234567890"), Errc::not_found, "no user '1234567890'");
  check_error(f.store->set_password(g->id, "pw"), Errc::conflict,
              "user '" + g->id + "' has no password login");

  struct Case {
    std::string provider, id, message;
  };
  const Case refused[] = {
      {"", "x", "identity provider must not be empty"},
      {"google", "", "provider id must not be empty"},
      {"goo\ngle", "x", "identity provider must not contain control characters"},
      {"google", std::string(257, 'x'), "provider id must be at most 256 bytes"},
      {"google", "\xff", "provider id must be valid UTF-8"},
      {"password", "alice", "password identities are created with a username and a password"},
  };
  for (const auto& c : refused) {
    CAPTURE(c.message);
    check_error(f.store->find_or_create_identity(c.provider, c.id), Errc::invalid_argument,
                c.message);
  }

  REQUIRE(f.store->remove_user(g->id).ok());
  auto fresh = f.store->find_or_create_identity("google", "1234567890");
  REQUIRE(fresh.ok());
  CHECK(fresh->id != g->id);  // the identity went with the user
}

TEST_CASE("store: refresh-token revocations", "[admin]") {
  Fixture f;
  const std::string token = "eyJpZGVudGl0eSI6InUifQ==:c2lnbmF0dXJlLWJ5dGVz";
  const std::string other = "eyJpZGVudGl0eSI6InYifQ==:c2lnbmF0dXJlLWJ5dGVz";
  CHECK(*f.store->is_refresh_token_revoked(token) == false);
  REQUIRE(f.store->revoke_refresh_token(token, 2000).ok());
  CHECK(*f.store->is_refresh_token_revoked(token) == true);
  CHECK(*f.store->is_refresh_token_revoked(other) == false);
  REQUIRE(f.store->revoke_refresh_token(token, 1000).ok());  // twice: not an error
  REQUIRE(f.store->revoke_refresh_token(other, 1500).ok());

  // Only the digest is stored: the token text is nowhere in the files.
  for (const char* name : {"admin.db", "admin.db-wal"}) {
    CHECK(file_bytes(f.dir / name).find(token) == std::string::npos);
  }

  CHECK(*f.store->purge_expired_revocations(1500) == 0);  // expires_at < now only
  CHECK(*f.store->purge_expired_revocations(1501) == 1);  // `other`
  CHECK(*f.store->is_refresh_token_revoked(other) == false);
  CHECK(*f.store->is_refresh_token_revoked(token) == true);  // the later expiry was kept
  CHECK(*f.store->purge_expired_revocations(2001) == 1);
  CHECK(*f.store->is_refresh_token_revoked(token) == false);
  CHECK(*f.store->purge_expired_revocations(5000) == 0);
}

TEST_CASE("store: reopening the file keeps everything", "[admin]") {
  Fixture f;
  auto alice = f.store->create_password_user("alice", "secret", true);
  REQUIRE(alice.ok());
  auto g = f.store->find_or_create_identity("google", "42");
  REQUIRE(g.ok());
  REQUIRE(f.store->revoke_refresh_token("tok", 9999).ok());
  f.store.reset();

  auto reopened = Fixture::open_or_throw(f.file);
  auto login = reopened->check_password("alice", "secret");
  REQUIRE(login.ok());
  CHECK(login->id == alice->id);
  CHECK(login->is_admin);
  CHECK(reopened->find_or_create_identity("google", "42")->id == g->id);
  CHECK(*reopened->is_refresh_token_revoked("tok"));
  CHECK(reopened->list_users()->size() == 2);
  CHECK(*reopened->schema_version() == kSchemaVersion);
}

TEST_CASE("store: two connections to one file see each other's writes", "[admin]") {
  Fixture f;
  auto second = Fixture::open_or_throw(f.file);
  REQUIRE(f.store->create_password_user("alice", "secret", false).ok());
  CHECK(second->check_password("alice", "secret").ok());
  REQUIRE(second->remove_user("alice").ok());
  CHECK_FALSE(f.store->find_user("alice").ok());
}

TEST_CASE("store: concurrent callers on one store", "[admin]") {
  Fixture f;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        std::string name = "user-" + std::to_string(t) + "-" + std::to_string(i);
        if (!f.store->create_password_user(name, "pw", false).ok()) ++failures;
        if (!f.store->check_password(name, "pw").ok()) ++failures;
        if (!f.store->list_users().ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  CHECK(f.store->list_users()->size() == 40);
}

TEST_CASE("store: schema migrations and version checks", "[admin]") {
  FastHashes fast;
  ros::test::TempDir dir;

  SECTION("a new file is created at the current version") {
    auto store = AdminStore::open(dir / "admin.db");
    REQUIRE(store.ok());
    CHECK(*(*store)->schema_version() == kSchemaVersion);
  }
  SECTION("an existing empty file is migrated from version 0") {
    auto file = dir.write("admin.db", "");
    auto store = AdminStore::open(file);
    REQUIRE(store.ok());
    CHECK(*(*store)->schema_version() == kSchemaVersion);
    CHECK((*store)->create_password_user("alice", "pw", false).ok());
  }
  SECTION("a file from a newer ros is refused") {
    auto file = dir / "admin.db";
    REQUIRE(AdminStore::open(file).ok());
    set_user_version(file, kSchemaVersion + 1);
    check_error(AdminStore::open(file), Errc::conflict,
                "admin database '" + file.string() + "' has schema version " +
                    std::to_string(kSchemaVersion + 1) + ", newer than this ros supports (" +
                    std::to_string(kSchemaVersion) + "); upgrade ros or restore a backup");
  }
  SECTION("a file that is not a database is refused") {
    auto file = dir.write("admin.db", std::string(4096, 'x'));
    check_error(AdminStore::open(file), Errc::unavailable,
                "cannot open admin database '" + file.string() + "': file is not a database");
  }
  SECTION("a missing directory is refused") {
    auto file = dir / "missing" / "admin.db";
    check_error(AdminStore::open(file), Errc::unavailable,
                "cannot open admin database '" + file.string() + "': unable to open database file");
  }
}

TEST_CASE("store: what a token's identity is to admin.db (issue 14)", "[admin]") {
  Fixture f;
  auto alice = f.store->create_password_user("alice", "secret", false);
  REQUIRE(alice.ok());
  const auto now = static_cast<std::int64_t>(std::time(nullptr));

  auto active = f.store->token_subject(alice->id, now);
  REQUIRE(active.ok());
  CHECK(active->state == SubjectState::active);
  REQUIRE(active->user.has_value());
  CHECK(active->user->id == alice->id);
  CHECK(f.store->token_subject("0123456789abcdef0123456789abcdef", now)->state ==
        SubjectState::unknown);
  // A username is not an identity.
  CHECK(f.store->token_subject("alice", now)->state == SubjectState::unknown);

  // A password change voids what was issued until now, not what comes after.
  REQUIRE(f.store->set_password("alice", "new secret").ok());
  auto changed = f.store->find_user(alice->id);
  REQUIRE(changed.ok());
  CHECK(changed->tokens_valid_after > now);
  CHECK(f.store->token_subject(alice->id, now)->state == SubjectState::superseded);
  CHECK(f.store->token_subject(alice->id, std::nullopt)->state == SubjectState::superseded);
  const auto issued = AdminStore::issue_time(*changed, now);
  CHECK(issued == changed->tokens_valid_after);
  CHECK(f.store->token_subject(alice->id, issued)->state == SubjectState::active);
  CHECK(AdminStore::issue_time(*changed, issued + 100) == issued + 100);

  // Removed: remembered as such, also across a reopen.
  REQUIRE(f.store->remove_user("alice").ok());
  CHECK(f.store->token_subject(alice->id, issued)->state == SubjectState::removed);
  f.store.reset();
  auto reopened = Fixture::open_or_throw(f.file);
  CHECK(reopened->token_subject(alice->id, issued)->state == SubjectState::removed);
  CHECK(reopened->username_taken("alice").value() == false);
  check_error(reopened->invalidate_tokens("alice"), Errc::not_found, "no user 'alice'");
}

TEST_CASE("store: admin tokens are valid while listed and unexpired", "[admin]") {
  Fixture f;
  CHECK(*f.store->is_admin_token("one", 100) == false);
  REQUIRE(f.store->add_admin_token("one", 1000, true).ok());
  REQUIRE(f.store->add_admin_token("two", 2000, false).ok());
  CHECK(*f.store->is_admin_token("one", 1000));
  CHECK_FALSE(*f.store->is_admin_token("one", 1001));  // expired
  CHECK(*f.store->is_admin_token("two", 1001));
  REQUIRE(f.store->add_admin_token("three", 3000, true).ok());  // revokes the others
  CHECK_FALSE(*f.store->is_admin_token("two", 1001));
  CHECK(*f.store->is_admin_token("three", 1001));
  REQUIRE(f.store->purge_expired_revocations(3001).ok());
  CHECK_FALSE(*f.store->is_admin_token("three", 0));
}

TEST_CASE("store: registering a taken name is refused before the password is hashed",
          "[admin]") {
  Fixture f;
  REQUIRE(f.store->create_password_user("bob", "secret", false).ok());
  CHECK(*f.store->username_taken("bob"));
  const auto before = ros::admin::password_work_count();
  check_error(f.store->create_password_user("bob", "other", false), Errc::already_exists,
              "user 'bob' already exists");
  CHECK(ros::admin::password_work_count() == before);
}
