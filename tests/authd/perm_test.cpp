// Permissions end to end (issue 4): grants change the rights in access
// tokens, revocations refuse them and are announced on perm.changed, offers
// work over HTTP and through ros-perm.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>

#include "auth/token.hpp"
#include "authd/authd_fixture.hpp"
#include "control/client.hpp"
#include "support/run.hpp"

using nlohmann::json;
using ros::test::AuthdFixture;
using ros::test::body_of;

namespace {

struct LoggedIn {
  std::string id;
  std::string refresh;
};

LoggedIn register_user(const AuthdFixture& fx, const std::string& name) {
  json body = body_of(fx.password_login(name, "pw-" + name, true));
  return {body["user"]["id"], body["refresh_token"]["token"]};
}

// The access a fresh token for `path` carries, or the HTTP status when refused.
std::variant<std::vector<std::string>, int> access_for(const AuthdFixture& fx, const LoggedIn& who,
                                                       const std::string& path) {
  auto reply = fx.post_json("/auth", {{"provider", "realm"}, {"data", who.refresh}, {"path", path}});
  if (reply.status != 200) return reply.status;
  auto verifier = ros::auth::TokenVerifier::load(fx.keys.public_key);
  auto claims = verifier->verify(body_of(reply)["access_token"]["token"].get<std::string>(),
                                 std::time(nullptr));
  REQUIRE(claims.ok());
  return claims->access;
}

using Access = std::vector<std::string>;

// Follows perm.changed on a thread and keeps every notice.
class ChangeWatcher {
 public:
  explicit ChangeWatcher(const std::filesystem::path& socket) {
    thread_ = std::thread([this, socket] {
      auto client = ros::control::Client::connect(socket, "ros-authd");
      if (!client) return;
      (void)client->stream("perm.changed", json::object(), [this](const json& notice) {
        std::lock_guard lock(mutex_);
        notices_.push_back(notice);
        changed_.notify_all();
        return !stop_.load();
      });
    });
    wait_for([](const std::vector<json>& n) { return !n.empty(); });
  }
  ~ChangeWatcher() {
    stop_ = true;
    thread_.detach();  // its connection ends with the daemon
  }
  // Waits (up to 10 s) until `done` holds for the notices received so far.
  template <class Pred>
  std::vector<json> wait_for(Pred done) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::seconds(10), [&] { return done(notices_); });
    return notices_;
  }

 private:
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<json> notices_;
  std::atomic<bool> stop_{false};
};

}  // namespace

TEST_CASE("permissions: grants shape the access token, a revoke refuses it and is announced",
          "[authd][perm]") {
  AuthdFixture fx;
  auto alice = register_user(fx, "alice");
  auto bob = register_user(fx, "bob");
  const std::string notes = "/" + alice.id + "/notes";
  ChangeWatcher watcher(fx.root / "run" / "authd.sock");
  auto perm = [&](std::vector<std::string> args) {
    return ros::test::run_program("ros-perm", fx.with_config(std::move(args)));
  };

  CHECK(access_for(fx, bob, notes) == std::variant<Access, int>(403));
  CHECK(access_for(fx, alice, notes) == std::variant<Access, int>(Access{"download", "upload", "manage"}));

  REQUIRE(perm({"grant", "bob", notes, "--read"}).exit_code == 0);
  CHECK(access_for(fx, bob, notes) == std::variant<Access, int>(Access{"download"}));

  REQUIRE(perm({"grant", "bob", notes, "--write"}).exit_code == 0);
  CHECK(access_for(fx, bob, notes) == std::variant<Access, int>(Access{"download", "upload"}));

  auto write_only = perm({"grant", "carol-does-not-exist", notes, "--write"});
  CHECK(write_only.exit_code == 1);
  auto refused = perm({"grant", "*", "/catalog", "--write"});
  CHECK(refused.exit_code == 1);
  CHECK(refused.err == "ros-perm: write without read is not allowed; grant read too\n");
  CHECK(perm({"grant", "bob", notes}).exit_code == 2);

  REQUIRE(perm({"revoke", "bob", notes}).exit_code == 0);
  auto after = fx.post_json("/auth", {{"provider", "realm"}, {"data", bob.refresh}, {"path", notes}});
  CHECK(after.status == 403);

  auto notices = watcher.wait_for([](const std::vector<json>& n) { return n.size() >= 4; });
  REQUIRE(notices.size() >= 4);
  CHECK(notices[0]["subscribed"] == true);
  CHECK(notices[1]["event"] == "grant");
  CHECK(notices[1]["user"] == bob.id);
  CHECK(notices[1]["realm"] == notes);
  CHECK(notices[1]["rights"] == json{{"read", true}, {"write", false}, {"manage", false}});
  CHECK(notices[2]["rights"] == json{{"read", true}, {"write", true}, {"manage", false}});
  CHECK(notices[3]["event"] == "revoke");
  CHECK(notices[3]["rights"] == json{{"read", false}, {"write", false}, {"manage", false}});
  CHECK(notices[3]["seq"].get<int>() == notices[2]["seq"].get<int>() + 1);

  // The Realm's default gives everyone read; a per-user entry wins over it.
  REQUIRE(perm({"grant", "*", "/catalog", "--read"}).exit_code == 0);
  CHECK(access_for(fx, bob, "/catalog") == std::variant<Access, int>(Access{"download"}));
  REQUIRE(perm({"grant", "bob", "/catalog", "--read", "--write"}).exit_code == 0);
  CHECK(access_for(fx, bob, "/catalog") == std::variant<Access, int>(Access{"download", "upload"}));

  // Removing a user and changing the admin flag are announced too.
  REQUIRE(ros::test::run_program("ros-user", fx.with_config({"admin", "bob", "--grant"})).exit_code == 0);
  REQUIRE(ros::test::run_program("ros-user", fx.with_config({"rm", "bob"})).exit_code == 0);
  notices = watcher.wait_for([](const std::vector<json>& n) {
    return !n.empty() && n.back()["event"] == "user_removed";
  });
  REQUIRE(notices.size() >= 3);
  CHECK(notices[notices.size() - 2]["event"] == "admin_changed");
  CHECK(notices.back()["user"] == bob.id);
}

TEST_CASE("permissions: offers over HTTP need manage rights and a valid token", "[authd][perm]") {
  AuthdFixture fx;
  auto alice = register_user(fx, "alice");
  auto bob = register_user(fx, "bob");
  auto auth_header = [](const LoggedIn& who) {
    return std::map<std::string, std::string>{{"Authorization", "Bearer " + who.refresh}};
  };
  auto post = [&](const std::string& target, const json& body, const LoggedIn& who) {
    return ros::test::http_request(fx.http_port, "POST", target, body.dump(), auth_header(who));
  };

  auto offer = post("/permissions/offers", {{"realmPath", "/~/shared"}, {"accessLevel", "write"}}, alice);
  REQUIRE(offer.status == 201);
  std::string token = body_of(offer)["token"];
  CHECK(body_of(offer)["realmPath"] == "/" + alice.id + "/shared");

  // Bob has no manage rights on Alice's Realm.
  auto not_his = post("/permissions/offers", {{"realmPath", "/" + alice.id + "/shared"},
                                              {"accessLevel", "read"}}, bob);
  CHECK(not_his.status == 403);
  // No token, a bad token.
  CHECK(ros::test::http_request(fx.http_port, "POST", "/permissions/offers", "{}").status == 401);
  CHECK(post("/permissions/offers/" + token + "/accept", json::object(),
             LoggedIn{"", "garbage"}).status == 401);

  auto accepted = post("/permissions/offers/" + token + "/accept", json::object(), bob);
  REQUIRE(accepted.status == 200);
  CHECK(body_of(accepted)["path"] == "/" + alice.id + "/shared");
  CHECK(access_for(fx, bob, "/" + alice.id + "/shared") ==
        std::variant<Access, int>(Access{"download", "upload"}));

  CHECK(post("/permissions/offers/0123/accept", json::object(), bob).status == 404);

  // A revoked offer and an expired one are refused.
  REQUIRE(ros::test::run_program("ros-perm", fx.with_config({"withdraw", token})).exit_code == 0);
  auto revoked = post("/permissions/offers/" + token + "/accept", json::object(), bob);
  CHECK(revoked.status == 409);
  CHECK(body_of(revoked)["detail"] == "offer was revoked");

  auto short_lived = ros::test::run_program(
      "ros-perm", fx.with_config({"offer", "/" + alice.id + "/brief", "--read", "--expires", "1"}));
  REQUIRE(short_lived.exit_code == 0);
  std::string brief = short_lived.out.substr(0, short_lived.out.size() - 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  auto expired = ros::test::run_program("ros-perm", fx.with_config({"accept", brief, "--user", "bob"}));
  CHECK(expired.exit_code == 1);
  CHECK(expired.err.rfind("ros-perm: offer expired at ", 0) == 0);
}
