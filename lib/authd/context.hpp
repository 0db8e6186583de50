// What ros-authd's HTTP routes and control ops share: the configuration, the
// admin store, the token keys, metrics and the failed-login limiter.
//
// Thread safety: members are constant after construction or thread-safe
// themselves (AdminStore, Metrics, FailureLimiter), so routes and ops may run
// on any io_context thread at once.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "admin/store.hpp"
#include "authd/change_feed.hpp"
#include "auth/mint.hpp"
#include "auth/jwt.hpp"
#include "auth/token.hpp"
#include "config/config.hpp"
#include "http/failure_limiter.hpp"
#include "http/metrics.hpp"
#include "storage/layout.hpp"

namespace ros::authd {

// The identity of the admin token written to admin_token.base64.
inline constexpr const char* kAdminTokenIdentity = auth::kAdminTokenIdentity;

// An address may fail this many times more logins per minute than one
// (address, user) pair.
inline constexpr std::int64_t kPeerFailureFactor = 20;

struct Context {
  Context(const config::Config& config, admin::AdminStore& store, auth::TokenSigner signer,
          auth::TokenVerifier verifier);

  const config::Config& config;
  const storage::Layout layout;
  admin::AdminStore& store;
  const auth::TokenSigner signer;
  const auth::TokenVerifier verifier;
  http::Metrics metrics;
  // Failed logins per (address, user) pair, http.login_failures_per_minute
  // each; and per address, kPeerFailureFactor times that (one address trying
  // many names). Never per user alone: that would let anyone lock a user out.
  http::FailureLimiter failed_logins;
  http::FailureLimiter failed_peers;
  ChangeFeed changes;  // the perm.changed stream
  // The custom-token keys of the apps that enable that provider, by app id;
  // filled by the daemon before serving, constant afterwards.
  std::map<std::string, auth::CustomTokenKey> custom_token_keys;
  // Unix seconds; replaceable in tests.
  std::function<std::int64_t()> now;

  // The current admin token, as in admin_token.base64 (rotate_admin_token()).
  std::mutex admin_token_mutex;
  std::string admin_token;  // guarded by admin_token_mutex

  // A signed token with its claims, as /auth and the token ops answer:
  // {"token":"...","token_data":{...}}. Refresh tokens also carry a random
  // "token_id", so that two issued in the same second differ and revoking
  // one never revokes another.
  nlohmann::json token_json(const auth::TokenClaims& claims) const;
};

// {"id","username","is_admin","created_at","identities":[{"provider","provider_id"}]}
nlohmann::json user_json(const admin::User& user);

}  // namespace ros::authd
