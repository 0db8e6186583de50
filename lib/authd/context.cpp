#include "authd/context.hpp"

#include <chrono>
#include <stdexcept>

#include "auth/mint.hpp"

namespace ros::authd {

Context::Context(const config::Config& config_, admin::AdminStore& store_, auth::TokenSigner signer_,
                 auth::TokenVerifier verifier_)
    : config(config_),
      layout(config_.storage.root_path),
      store(store_),
      signer(std::move(signer_)),
      verifier(std::move(verifier_)),
      failed_logins(static_cast<std::size_t>(config_.http.login_failures_per_minute),
                    std::chrono::minutes(1)),
      failed_peers(static_cast<std::size_t>(config_.http.login_failures_per_minute *
                                            kPeerFailureFactor),
                   std::chrono::minutes(1)),
      now([] {
        return std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
      }) {}

nlohmann::json Context::token_json(const auth::TokenClaims& claims) const {
  auth::TokenClaims signed_claims = claims;
  if (auth::is_refresh_token(claims) && !signed_claims.token_id) {
    signed_claims.token_id = auth::new_token_id();
  }
  return {{"token", signer.sign(signed_claims)}, {"token_data", signed_claims.to_json()}};
}

nlohmann::json user_json(const admin::User& user) {
  nlohmann::json identities = nlohmann::json::array();
  for (const auto& identity : user.identities) {
    identities.push_back({{"provider", identity.provider}, {"provider_id", identity.provider_id}});
  }
  nlohmann::json out = {{"id", user.id},
                        {"is_admin", user.is_admin},
                        {"created_at", user.created_at},
                        {"identities", identities}};
  auto username = user.username();
  out["username"] = username ? nlohmann::json(*username) : nlohmann::json(nullptr);
  return out;
}

}  // namespace ros::authd
