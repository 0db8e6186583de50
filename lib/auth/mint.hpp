// The claims of the tokens ros issues: refresh tokens (identity, long-lived)
// and access tokens (short-lived, path-less or scoped to one path).
//
// Every minted token sets `admin` explicitly, so the reference rule "a token
// without path is admin" (token.hpp, TokenClaims::is_admin) never applies to
// one of ours by accident.
//
// A refresh token's `access` is exactly ["refresh"]: it grants no right, and a
// verifier of access tokens must refuse any token for which
// is_refresh_token() holds (an admin's refresh token is otherwise admin).
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/token.hpp"

namespace ros::auth {

// The identity of ros-authd's admin token (admin_token.base64). No user id
// looks like it (those are 32 hex characters). A path-less token naming it
// is admin only while admin.db lists its token_id (AdminStore::is_admin_token).
inline constexpr const char* kAdminTokenIdentity = "__admin";

// 10 years of 365 days, as the original server's refresh tokens.
inline constexpr std::int64_t kDefaultRefreshLifetime = 10LL * 365 * 24 * 60 * 60;
// 10 minutes.
inline constexpr std::int64_t kDefaultAccessLifetime = 600;

// identity, access ["refresh"], admin = is_admin, app_id if given,
// timestamp = now, expires = now + lifetime_seconds.
TokenClaims refresh_claims(std::string identity, bool is_admin, std::optional<std::string> app_id,
                           std::int64_t now, std::int64_t lifetime_seconds = kDefaultRefreshLifetime);

// identity, path if given, access, admin = false (set claims.admin = true for
// an admin token), timestamp = now, expires = now + lifetime_seconds.
TokenClaims access_claims(std::string identity, std::optional<std::string> path,
                          std::vector<std::string> access, std::int64_t now,
                          std::int64_t lifetime_seconds = kDefaultAccessLifetime);

// True for a refresh token (its access names "refresh"); such a token must
// never be accepted where an access token is expected.
bool is_refresh_token(const TokenClaims& claims);

}  // namespace ros::auth
