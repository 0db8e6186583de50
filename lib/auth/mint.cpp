#include "auth/mint.hpp"

#include <limits>

namespace ros::auth {
namespace {

// now + lifetime, saturating instead of overflowing.
std::int64_t expiry(std::int64_t now, std::int64_t lifetime) {
  if (lifetime > 0 && now > std::numeric_limits<std::int64_t>::max() - lifetime) {
    return std::numeric_limits<std::int64_t>::max();
  }
  return now + lifetime;
}

}  // namespace

TokenClaims refresh_claims(std::string identity, bool is_admin, std::optional<std::string> app_id,
                           std::int64_t now, std::int64_t lifetime_seconds) {
  TokenClaims c;
  c.identity = std::move(identity);
  c.access = {std::string(kAccessRefresh)};
  c.admin = is_admin;
  c.app_id = std::move(app_id);
  c.timestamp = now;
  c.expires = expiry(now, lifetime_seconds);
  return c;
}

TokenClaims access_claims(std::string identity, std::optional<std::string> path,
                          std::vector<std::string> access, std::int64_t now,
                          std::int64_t lifetime_seconds) {
  TokenClaims c;
  c.identity = std::move(identity);
  c.path = std::move(path);
  c.access = std::move(access);
  c.admin = false;
  c.timestamp = now;
  c.expires = expiry(now, lifetime_seconds);
  return c;
}

bool is_refresh_token(const TokenClaims& claims) { return claims.has(kAccessRefresh); }

}  // namespace ros::auth
