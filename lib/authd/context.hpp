// What ros-authd's HTTP routes and control ops share: the configuration, the
// admin store, the token keys, metrics and the failed-login limiter.
//
// Thread safety: members are constant after construction or thread-safe
// themselves (AdminStore, Metrics, FailureLimiter), so routes and ops may run
// on any io_context thread at once.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "admin/store.hpp"
#include "authd/change_feed.hpp"
#include "auth/token.hpp"
#include "config/config.hpp"
#include "http/failure_limiter.hpp"
#include "http/metrics.hpp"
#include "storage/layout.hpp"

namespace ros::authd {

// The identity of the admin token written to admin_token.base64.
inline constexpr const char* kAdminTokenIdentity = "__admin";

struct Context {
  Context(const config::Config& config, admin::AdminStore& store, auth::TokenSigner signer,
          auth::TokenVerifier verifier);

  const config::Config& config;
  const storage::Layout layout;
  admin::AdminStore& store;
  const auth::TokenSigner signer;
  const auth::TokenVerifier verifier;
  http::Metrics metrics;
  http::FailureLimiter failed_logins;
  ChangeFeed changes;  // the perm.changed stream
  // Unix seconds; replaceable in tests.
  std::function<std::int64_t()> now;

  // A signed token with its claims, as /auth and the token ops answer:
  // {"token":"...","token_data":{...}}. Refresh tokens also carry a random
  // "token_id", so that two issued in the same second differ and revoking
  // one never revokes another.
  nlohmann::json token_json(const auth::TokenClaims& claims) const;
};

// {"id","username","is_admin","created_at","identities":[{"provider","provider_id"}]}
nlohmann::json user_json(const admin::User& user);

}  // namespace ros::authd
