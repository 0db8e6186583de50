#include "authd/app_tokens.hpp"

#include "auth/jwt.hpp"
#include "auth/mint.hpp"

namespace ros::authd {
namespace {

using nlohmann::json;

Error invalid_session(const std::string& why) {
  return make_error(Errc::permission_denied, "invalid session: " + why);
}

}  // namespace

std::string mint_app_access_token(Context& ctx, const config::AppConfig& app,
                                  const admin::User& user) {
  const std::int64_t now = ctx.now();
  json payload = {{"sub", user.id},
                  {"iat", now},
                  {"exp", now + app.access_token_lifetime},
                  {"typ", "access"},
                  {"access", {auth::kAccessDownload, auth::kAccessUpload}},
                  {"admin", user.is_admin},
                  {"app_id", app.id},
                  {"user_data", json::object()}};
  return ctx.signer.sign_jwt(payload);
}

Result<std::string> mint_app_refresh_token(Context& ctx, const config::AppConfig& app,
                                           const admin::User& user) {
  const std::int64_t now = ctx.now();
  const std::int64_t expires = now + app.refresh_token_lifetime;
  auto session = ctx.store.create_app_session(user.id, app.id, now, expires);
  if (!session) return session.error();
  json payload = {{"sub", user.id},
                  {"iat", now},
                  {"exp", expires},
                  {"typ", "refresh"},
                  {"access", {auth::kAccessRefresh}},
                  {"admin", false},
                  {"app_id", app.id},
                  {"session", session->id}};
  return ctx.signer.sign_jwt(payload);
}

bool is_jwt_form(std::string_view token) {
  auto first = token.find('.');
  return first != std::string_view::npos && token.find('.', first + 1) != std::string_view::npos &&
         token.find(':') == std::string_view::npos;
}

Result<AppTokenUser> verify_app_token(Context& ctx, std::string_view token, AppTokenKind kind) {
  if (token.empty()) return invalid_session("no token (send Authorization: Bearer <token>)");
  if (!is_jwt_form(token)) return invalid_session("not an App Services token");
  auto claims = ctx.verifier.verify(token, ctx.now());
  if (!claims) return invalid_session(claims.error().message);
  auto payload = auth::jwt_payload(token);
  if (!payload) return invalid_session("malformed token");
  const char* wanted = kind == AppTokenKind::access ? "access" : "refresh";
  auto typ = payload->find("typ");
  if (typ == payload->end() || !typ->is_string() || *typ != wanted) {
    return invalid_session(std::string("expected ") + (kind == AppTokenKind::access ? "an access" : "a refresh") +
                           " token");
  }
  AppTokenUser out;
  out.app_id = claims->app_id.value_or("");
  if (kind == AppTokenKind::refresh) {
    auto sid = payload->find("session");
    if (sid == payload->end() || !sid->is_string()) return invalid_session("malformed token");
    auto session = ctx.store.find_app_session(sid->get<std::string>(), ctx.now());
    if (!session) {
      if (session.error().code == Errc::not_found) return invalid_session("the session has ended");
      return session.error();
    }
    if (session->user_id != claims->identity) return invalid_session("the session has ended");
    out.session_id = session->id;
  }
  auto user = ctx.store.find_user(claims->identity);
  if (!user) {
    if (user.error().code == Errc::not_found) return invalid_session("the user no longer exists");
    return user.error();
  }
  // find_user also takes a username: the token names an id.
  if (user->id != claims->identity) return invalid_session("the user no longer exists");
  out.user = std::move(*user);
  return out;
}

}  // namespace ros::authd
