#include "authd/control_ops.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "auth/mint.hpp"
#include "authd/perm_ops.hpp"
#include "log/logger.hpp"
#include "storage/realm_path.hpp"

namespace ros::authd {
namespace {

using control::Access;
using control::Arg;
using control::ArgType;
using control::Request;
using nlohmann::json;

Result<json> user_result(const Result<admin::User>& user) {
  if (!user) return user.error();
  return user_json(*user);
}

const std::vector<std::string> kKnownRights = {"download", "upload", "manage"};

auth::TokenClaims admin_claims(Context& ctx) {
  auto claims = auth::access_claims(kAdminTokenIdentity, std::nullopt, kKnownRights, ctx.now(),
                                    ctx.config.tokens.admin_lifetime);
  claims.admin = true;
  claims.token_id = auth::new_token_id();
  return claims;
}

Result<void> write_file_atomically(const std::filesystem::path& target, const std::string& content) {
  auto temp = target;
  temp += ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return make_error(Errc::unavailable,
                      "cannot write '" + temp.string() + "': " + std::strerror(errno));
  }
  bool ok = ::fchmod(fd, 0600) == 0 &&
            ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
            ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  // Renamed only after the data is on disk, so readers never see half a token.
  if (!ok || ::rename(temp.c_str(), target.c_str()) != 0) {
    if (ok) err = errno;
    ::unlink(temp.c_str());
    return make_error(Errc::unavailable,
                      "cannot write '" + target.string() + "': " + std::strerror(err));
  }
  return {};
}

Result<json> token_mint(Context& ctx, const Request& req) {
  std::string user = req.string_arg("user");
  // A known user is named by its id; anything else is taken as the identity
  // itself (a capability for a script or an external service).
  std::string identity = user;
  if (auto found = ctx.store.find_user(user)) {
    identity = found->id;
  } else if (found.error().code != Errc::not_found) {
    return found.error();
  }
  if (identity.empty()) return make_error(Errc::invalid_argument, "argument 'user' is empty");

  std::optional<std::string> path;
  if (const json* p = req.arg("path")) {
    auto resolved = storage::resolve_realm_path(p->get<std::string>(), identity);
    if (!resolved) return resolved.error();
    path = *resolved;
  }
  std::vector<std::string> access = {"download"};
  if (const json* a = req.arg("access")) {
    access.clear();
    for (const auto& right : *a) {
      if (!right.is_string() ||
          std::find(kKnownRights.begin(), kKnownRights.end(), right.get<std::string>()) ==
              kKnownRights.end()) {
        return make_error(Errc::invalid_argument,
                          "argument 'access' must list rights among download, upload, manage");
      }
      access.push_back(right.get<std::string>());
    }
  }
  std::int64_t lifetime = ctx.config.tokens.access_lifetime;
  if (const json* e = req.arg("expires")) {
    lifetime = e->get<std::int64_t>();
    if (lifetime <= 0) return make_error(Errc::invalid_argument, "argument 'expires' must be positive");
  }
  auto claims = auth::access_claims(identity, path, access, ctx.now(), lifetime);
  return ctx.token_json(claims);
}

Result<json> token_inspect(Context& ctx, const Request& req) {
  std::string token = req.string_arg("token");
  auto claims = auth::inspect(token);
  if (!claims) return claims.error();
  json out = {{"token_data", claims->to_json()}};
  auto verified = ctx.verifier.verify(token, ctx.now());
  out["valid"] = verified.ok();
  if (!verified) out["error"] = verified.error().message;
  out["kind"] = auth::is_refresh_token(*claims) ? "refresh" : "access";
  return out;
}

}  // namespace

Result<std::string> rotate_admin_token(Context& ctx, bool revoke_others) {
  auto claims = admin_claims(ctx);
  std::string token = ctx.signer.sign(claims);
  // Recorded before the file is written, so that a reader of the file never
  // holds a token ros-syncd does not know yet.
  if (auto recorded = ctx.store.add_admin_token(*claims.token_id, *claims.expires, revoke_others);
      !recorded) {
    return make_error(recorded.error().code,
                      "cannot record the admin token in admin.db: " + recorded.error().message);
  }
  if (auto written = write_file_atomically(ctx.layout.admin_token(), token + "\n"); !written) {
    return written.error();
  }
  {
    std::lock_guard lock(ctx.admin_token_mutex);
    ctx.admin_token = token;
  }
  if (revoke_others) {
    // Sessions opened with an earlier admin token end now (ros-syncd).
    ctx.changes.publish({{"event", "token_revoked"}, {"user", kAdminTokenIdentity},
                         {"realm", nullptr}, {"rights", nullptr}});
  }
  return token;
}

std::vector<control::Op> control_ops(Context& ctx) {
  Context* c = &ctx;
  std::vector<control::Op> ops = {
      {"user.add", Access::write,
       {{"username", ArgType::string}, {"password", ArgType::string},
        {"admin", ArgType::boolean, false}},
       [c](const Request& r) -> Result<json> {
         bool admin = r.arg("admin") && r.arg("admin")->get<bool>();
         return user_result(
             c->store.create_password_user(r.string_arg("username"), r.string_arg("password"), admin));
       }},
      {"user.list", Access::read, {},
       [c](const Request&) -> Result<json> {
         auto users = c->store.list_users();
         if (!users) return users.error();
         json list = json::array();
         for (const auto& u : *users) list.push_back(user_json(u));
         return json{{"users", list}};
       }},
      {"user.show", Access::read, {{"user", ArgType::string}},
       [c](const Request& r) -> Result<json> {
         return user_result(c->store.find_user(r.string_arg("user")));
       }},
      {"user.remove", Access::write, {{"user", ArgType::string}},
       [c](const Request& r) -> Result<json> {
         auto user = c->store.find_user(r.string_arg("user"));
         if (!user) return user.error();
         if (auto removed = c->store.remove_user(user->id); !removed) return removed.error();
         c->changes.publish({{"event", "user_removed"}, {"user", user->id}, {"realm", nullptr},
                             {"rights", nullptr}});
         return json{{"removed", user->id}};
       }},
      {"user.passwd", Access::write, {{"user", ArgType::string}, {"password", ArgType::string}},
       [c](const Request& r) -> Result<json> {
         if (auto done = c->store.set_password(r.string_arg("user"), r.string_arg("password")); !done) {
           return done.error();
         }
         auto user = c->store.find_user(r.string_arg("user"));
         if (!user) return user.error();
         // The user's earlier tokens are void now (set_password); sessions
         // opened with them end.
         c->changes.publish({{"event", "token_revoked"}, {"user", user->id}, {"realm", nullptr},
                             {"rights", nullptr}});
         return user_json(*user);
       }},
      {"user.admin", Access::write, {{"user", ArgType::string}, {"grant", ArgType::boolean}},
       [c](const Request& r) -> Result<json> {
         if (auto done = c->store.set_admin(r.string_arg("user"), r.arg("grant")->get<bool>()); !done) {
           return done.error();
         }
         auto user = c->store.find_user(r.string_arg("user"));
         if (!user) return user.error();
         c->changes.publish({{"event", "admin_changed"}, {"user", user->id}, {"realm", nullptr},
                             {"rights", nullptr}, {"is_admin", user->is_admin}});
         return user_json(*user);
       }},
      {"token.admin", Access::read, {},
       [c](const Request&) -> Result<json> {
         std::string token;
         {
           std::lock_guard lock(c->admin_token_mutex);
           token = c->admin_token;
         }
         if (token.empty()) return make_error(Errc::unavailable, "no admin token yet");
         auto claims = auth::inspect(token);
         if (!claims) return claims.error();
         return json{{"token", token},
                     {"token_data", claims->to_json()},
                     {"path", c->layout.admin_token().string()}};
       }},
      {"token.admin.rotate", Access::write, {},
       [c](const Request&) -> Result<json> {
         auto token = rotate_admin_token(*c, true);
         if (!token) return token.error();
         auto claims = auth::inspect(*token);
         if (!claims) return claims.error();
         log::info("admin token replaced; earlier admin tokens are revoked");
         return json{{"token", *token},
                     {"token_data", claims->to_json()},
                     {"path", c->layout.admin_token().string()}};
       }},
      {"token.mint", Access::write,
       {{"user", ArgType::string}, {"path", ArgType::string, false},
        {"access", ArgType::array, false}, {"expires", ArgType::integer, false}},
       [c](const Request& r) { return token_mint(*c, r); }},
      {"token.inspect", Access::read, {{"token", ArgType::string}},
       [c](const Request& r) { return token_inspect(*c, r); }},
  };
  for (auto& op : permission_ops(ctx)) ops.push_back(std::move(op));
  return ops;
}

}  // namespace ros::authd
