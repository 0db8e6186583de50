// The tokens of ros's App Services API (app-services.md section 2): RS256
// JWTs signed with auth.private_key_path, which ros-syncd verifies with the
// public key as it verifies every token.
//
//   access   {"sub","iat","exp","typ":"access","access":["download","upload"],
//             "admin":<bool>,"app_id","user_data":{}}
//   refresh  {"sub","iat","exp","typ":"refresh","access":["refresh"],
//             "admin":false,"app_id","session":<id of an admin.db app session>}
//
// `admin` is always explicit, so the reference rule "a path-less token is
// admin" never applies (mint.hpp); a refresh token names "refresh" in its
// access list, so ros-syncd refuses it at the upgrade. A refresh token is
// valid while its session row exists: logout, user deletion and `ros-user
// rm` end it. Classic tokens (base64 JSON ":" signature) are never accepted
// here, nor these JWTs by the classic /auth routes.
//
// Thread safety: pure functions over the Context (see context.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "admin/store.hpp"
#include "authd/context.hpp"
#include "common/result.hpp"

namespace ros::authd {

enum class AppTokenKind { access, refresh };

// A verified App token: its user (as admin.db has it now) and claims.
struct AppTokenUser {
  admin::User user;
  std::string app_id;
  std::string session_id;  // refresh tokens only
};

// An access token for `user` in `app`, valid for the app's access lifetime.
std::string mint_app_access_token(Context& ctx, const config::AppConfig& app,
                                  const admin::User& user);

// A new session and its refresh token (the app's refresh lifetime).
Result<std::string> mint_app_refresh_token(Context& ctx, const config::AppConfig& app,
                                           const admin::User& user);

// Verifies `token` as an App token of `kind`: signature, expiry, the `typ`
// claim, for refresh tokens a live session, and a user admin.db still knows.
// Errors (all mean 401 InvalidSession): permission_denied with the reason.
Result<AppTokenUser> verify_app_token(Context& ctx, std::string_view token, AppTokenKind kind);

// True when `token` is a JWT (three dot-separated parts): the classic routes
// refuse these.
bool is_jwt_form(std::string_view token);

}  // namespace ros::authd
