// The first step of a sync connection (protocol.md sections 1.1, 1.2, 5.6):
// is this HTTP request for the sync service, and which token does it carry?
//
// Sync request paths: "/realm-sync" exactly, "/realm-sync?...",
// "/realm-sync/<percent-encoded server path>" (very old clients), and
// "/api/client/v2.0/app/<app id>/realm-sync[?...]" (SDKs built on App).
// Anything else is not a sync request (404).
//
// The token, in this order: the raw bytes of the `baas_at` query parameter
// (14.x clients append the classic token unescaped, so "+" stays "+": no
// form decoding, only %XX escapes are decoded); an "Authorization: Bearer
// <token>" header (clients up to core 11.9); an "Authorization:
// Realm-Access-Token version=1 token=\"<token>\"" header (ROS-era clients).
// No token at all is not an error here: the caller answers 401.
//
// authorize_upgrade() verifies a token as ros-syncd must at the upgrade: a bad
// signature, a malformed or expired token is refused (answer HTTP 401, never
// sync errors 202/203, which crash 14.x clients), and so is a refresh token,
// which proves identity but grants no access.
//
// Pure functions over their inputs; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/token.hpp"
#include "common/result.hpp"

namespace ros::sync::server {

struct SyncTarget {
  // The token in `baas_at`, when present (possibly empty).
  std::optional<std::string> query_token;
  // For "/realm-sync/<path>": the decoded server path, informational only
  // (BIND carries the path that counts).
  std::optional<std::string> legacy_path;
  // For the App form: the app id.
  std::optional<std::string> app_id;
};

// The parts of a sync request target, or nullopt when `target` (path and
// query, as in the request line) is not a sync request.
std::optional<SyncTarget> parse_sync_target(std::string_view target);

// The token of a request: the query's baas_at, else one from the
// Authorization header value (empty when the request has none).
std::optional<std::string> request_token(const SyncTarget& target, std::string_view authorization);

// The claims of `token` when it may open a sync connection at `now_unix`;
// permission_denied (or invalid_argument for a malformed token) otherwise,
// with a message for the log. Every error means HTTP 401.
Result<auth::TokenClaims> authorize_upgrade(const auth::TokenVerifier& verifier,
                                            const std::optional<std::string>& token,
                                            std::int64_t now_unix);

// `text` with %XX escapes decoded ("+" stays "+"); nullopt for a malformed
// escape.
std::optional<std::string> percent_decode(std::string_view text);

}  // namespace ros::sync::server
