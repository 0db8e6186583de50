#include "authd/http_routes.hpp"

#include <algorithm>
#include <limits>

#include "admin/password.hpp"
#include "admin/permissions.hpp"
#include "auth/mint.hpp"
#include "authd/app_routes.hpp"
#include "authd/app_tokens.hpp"
#include "authd/perm_ops.hpp"
#include "http/problem.hpp"
#include "log/logger.hpp"
#include "storage/realm_path.hpp"

namespace ros::authd {
namespace {

using nlohmann::json;
namespace problems = http::problems;

http::Response json_response(int status, const json& body) {
  http::Response r;
  r.status = status;
  r.body = body.dump();
  return r;
}

// A failure counted under `reason` and answered with `problem`.
http::Response fail(Context& ctx, const char* reason, const http::Problem& problem,
                    const std::string& detail) {
  ctx.metrics.add("ros_auth_failures_total", std::string("reason=\"") + reason + "\"");
  return http::problem_response(problem, detail);
}

// The string field `name` of `object`: missing-parameters when absent,
// invalid-parameters when not a string. `where` prefixes the name in messages.
std::optional<std::string> string_field(const json& object, const char* name, const char* where,
                                        http::Response& error, Context& ctx) {
  std::string label = std::string(where) + name;
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) {
    error = fail(ctx, "bad_request", problems::kMissingParameters, "missing '" + label + "'");
    return std::nullopt;
  }
  if (!it->is_string()) {
    error = fail(ctx, "bad_request", problems::kInvalidParameters,
                 "'" + label + "' must be a string");
    return std::nullopt;
  }
  return it->get<std::string>();
}

// The optional string field `name`: nullopt when absent or null; `error` set
// (and false returned) when it has another type.
bool optional_string_field(const json& object, const char* name, std::optional<std::string>& out,
                           http::Response& error, Context& ctx) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return true;
  if (!it->is_string()) {
    error = fail(ctx, "bad_request", problems::kInvalidParameters,
                 std::string("'") + name + "' must be a string");
    return false;
  }
  out = it->get<std::string>();
  return true;
}

json user_summary(const admin::User& user) {
  return {{"id", user.id}, {"is_admin", user.is_admin}};
}

http::Response login_password(Context& ctx, const http::Request& req, const json& body) {
  http::Response error;
  auto username = string_field(body, "data", "", error, ctx);
  if (!username) return error;
  auto info = body.find("user_info");
  if (info == body.end() || !info->is_object()) {
    return fail(ctx, "bad_request",
                info == body.end() ? problems::kMissingParameters : problems::kInvalidParameters,
                info == body.end() ? "missing 'user_info.password'"
                                   : "'user_info' must be an object");
  }
  auto password = string_field(*info, "password", "user_info.", error, ctx);
  if (!password) return error;
  std::optional<std::string> app_id;
  if (!optional_string_field(body, "app_id", app_id, error, ctx)) return error;
  bool register_user = false;
  if (auto reg = info->find("register"); reg != info->end() && !reg->is_null()) {
    if (!reg->is_boolean()) {
      return fail(ctx, "bad_request", problems::kInvalidParameters,
                  "'user_info.register' must be true or false");
    }
    register_user = reg->get<bool>();
  }

  // Failures count per (address, user) pair, never per user alone: then an
  // attacker elsewhere could lock the owner out by failing on purpose. An
  // address trying many names is held back by the pairs' sum (kPeerFactor
  // times the pair limit). Keys are bounded, so that long made-up names
  // cannot swell the limiter.
  const std::string peer_key = "addr:" + req.peer;
  const std::string pair_key = peer_key + "\n" + "user:" + username->substr(0, 256);
  if (ctx.failed_logins.blocked(pair_key) || ctx.failed_peers.blocked(peer_key)) {
    ctx.metrics.add("ros_auth_logins_total", R"(provider="password",result="failure")");
    http::Response r = fail(ctx, "rate_limited", problems::kTooManyRequests,
                            "too many failed logins from this address; wait a minute");
    r.headers["Retry-After"] = "60";
    return r;
  }

  Result<admin::User> user = make_error(Errc::internal, "");
  if (register_user && !ctx.config.auth.providers.password.allow_registration) {
    return fail(ctx, "registration_disabled", problems::kAccessDenied,
                "registration is switched off on this server "
                "(auth.providers.password.allow_registration); ask an operator for an account");
  }
  if (register_user) {
    user = ctx.store.create_password_user(*username, *password, false);
    if (!user) {
      if (user.error().code == Errc::already_exists) {
        return fail(ctx, "existing_account", problems::kExistingAccount, user.error().message);
      }
      if (user.error().code == Errc::invalid_argument) {
        return fail(ctx, "bad_request", problems::kInvalidParameters, user.error().message);
      }
      log::error("registering '", *username, "' failed: ", user.error().message);
      return fail(ctx, "internal", problems::kInternal, "");
    }
    ctx.metrics.add("ros_auth_registrations_total");
    log::info("registered user ", user->id, " ('", *username, "') from ", req.peer);
  } else {
    user = ctx.store.check_password(*username, *password);
    if (!user) {
      if (user.error().code != Errc::permission_denied) {
        log::error("login of '", *username, "' failed: ", user.error().message);
        return fail(ctx, "internal", problems::kInternal, "");
      }
      ctx.failed_logins.record_failure(pair_key);
      ctx.failed_peers.record_failure(peer_key);
      ctx.metrics.add("ros_auth_logins_total", R"(provider="password",result="failure")");
      log::info("failed login for '", *username, "' from ", req.peer);
      return fail(ctx, "invalid_credentials", problems::kInvalidCredentials, "");
    }
    ctx.failed_logins.reset(pair_key);
  }
  ctx.metrics.add("ros_auth_logins_total", R"(provider="password",result="success")");

  auto claims = auth::refresh_claims(user->id, user->is_admin, app_id,
                                     admin::AdminStore::issue_time(*user, ctx.now()),
                                     ctx.config.tokens.refresh_lifetime);
  ctx.metrics.add("ros_auth_tokens_issued_total", R"(kind="refresh")");
  return json_response(200, {{"refresh_token", ctx.token_json(claims)},
                             {"user", user_summary(*user)}});
}

// The user a refresh token proves, or nullopt with `error` set (401 for a
// bad, expired, revoked, superseded or wrong-kind token; 403 for a user that
// is gone). Revocation is by the token's identity (its signed token_id), and
// only the canonical text verifies, so re-encoding a token changes nothing.
std::optional<admin::User> authenticate(Context& ctx, const std::string& token,
                                        http::Response& error) {
  // App Services refresh tokens are JWTs with a session of their own
  // (app_tokens.hpp); taking them here would survive their logout.
  if (is_jwt_form(token)) {
    error = fail(ctx, "invalid_token", problems::kExpiredToken,
                 "App Services tokens are used with /api/client/v2.0, not /auth");
    return std::nullopt;
  }
  auto claims = ctx.verifier.verify(token, ctx.now());
  if (!claims) {
    error = fail(ctx, "invalid_token", problems::kExpiredToken, claims.error().message);
    return std::nullopt;
  }
  if (!auth::is_refresh_token(*claims)) {
    error = fail(ctx, "invalid_token", problems::kExpiredToken, "the token is not a refresh token");
    return std::nullopt;
  }
  auto revoked = ctx.store.is_refresh_token_revoked(auth::token_identity(*claims, token));
  // Revocations recorded before schema 4 are keyed on the token's text.
  if (revoked && !*revoked) revoked = ctx.store.is_refresh_token_revoked(token);
  if (!revoked) {
    log::error("checking a revocation failed: ", revoked.error().message);
    error = fail(ctx, "internal", problems::kInternal, "");
    return std::nullopt;
  }
  if (*revoked) {
    error = fail(ctx, "revoked", problems::kExpiredToken, "the refresh token was revoked");
    return std::nullopt;
  }
  auto subject = ctx.store.token_subject(claims->identity, claims->timestamp);
  if (!subject) {
    log::error("looking up a user failed: ", subject.error().message);
    error = fail(ctx, "internal", problems::kInternal, "");
    return std::nullopt;
  }
  switch (subject->state) {
    case admin::SubjectState::active:
      return std::move(*subject->user);
    case admin::SubjectState::superseded:
      error = fail(ctx, "superseded", problems::kExpiredToken,
                   "the refresh token was issued before the password was last changed; log in "
                   "again");
      return std::nullopt;
    case admin::SubjectState::removed:
    case admin::SubjectState::unknown:
      break;
  }
  error = fail(ctx, "unknown_user", problems::kAccessDenied, "the user no longer exists");
  return std::nullopt;
}

// The response for a store error: client mistakes as 400/403/404/409,
// the rest as 500 (logged, not shown).
http::Response store_failure(Context& ctx, const Error& e) {
  switch (e.code) {
    case Errc::invalid_argument:
      return fail(ctx, "bad_request", problems::kInvalidParameters, e.message);
    case Errc::permission_denied:
      return fail(ctx, "no_access", problems::kAccessDenied, e.message);
    case Errc::not_found:
      return fail(ctx, "not_found", problems::kNotFound, e.message);
    case Errc::conflict:
      return fail(ctx, "conflict", problems::kExpiredOffer, e.message);
    default:
      log::error("admin store: ", e.message);
      return fail(ctx, "internal", problems::kInternal, "");
  }
}

http::Response access_token(Context& ctx, const json& body) {
  http::Response error;
  auto token = string_field(body, "data", "", error, ctx);
  if (!token) return error;
  std::optional<std::string> path, app_id;
  if (!optional_string_field(body, "path", path, error, ctx) ||
      !optional_string_field(body, "app_id", app_id, error, ctx)) {
    return error;
  }

  auto user = authenticate(ctx, *token, error);
  if (!user) return error;

  auth::TokenClaims access;
  if (path) {
    auto resolved = storage::resolve_realm_path(*path, user->id);
    if (!resolved) return fail(ctx, "bad_request", problems::kInvalidParameters, resolved.error().message);
    auto rights = ctx.store.rights_of(*user, *resolved);
    if (!rights) return store_failure(ctx, rights.error());
    if (!rights->read) {
      return fail(ctx, "no_access", problems::kAccessDenied,
                  "no read access to '" + *resolved + "'");
    }
    access = auth::access_claims(user->id, *resolved, admin::access_list(*rights),
                                 admin::AdminStore::issue_time(*user, ctx.now()),
                                 ctx.config.tokens.access_lifetime);
  } else {
    // Path-less: identity and expiry; ros-syncd decides each BIND.
    access = auth::access_claims(user->id, std::nullopt, {},
                                 admin::AdminStore::issue_time(*user, ctx.now()),
                                 ctx.config.tokens.access_lifetime);
  }
  access.admin = user->is_admin;
  access.app_id = app_id;
  ctx.metrics.add("ros_auth_tokens_issued_total", R"(kind="access")");
  return json_response(200, {{"access_token", ctx.token_json(access)},
                             {"user", user_summary(*user)}});
}

// The JSON object of a request body, or an error response.
std::optional<json> body_object(Context& ctx, const http::Request& req, http::Response& error) {
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded()) {
    error = fail(ctx, "bad_request", problems::kInvalidParameters, "the body is not valid JSON");
    return std::nullopt;
  }
  if (!body.is_object()) {
    error = fail(ctx, "bad_request", problems::kInvalidParameters, "the body must be a JSON object");
    return std::nullopt;
  }
  return body;
}

http::Response post_auth(Context& ctx, const http::Request& req) {
  http::Response error;
  auto body = body_object(ctx, req, error);
  if (!body) return error;
  auto provider = string_field(*body, "provider", "", error, ctx);
  if (!provider) return error;
  if (*provider == "password") return login_password(ctx, req, *body);
  if (*provider == "realm") return access_token(ctx, *body);
  const auto& p = ctx.config.auth.providers;
  bool configured = (*provider == "google" && p.google.enabled) ||
                    (*provider == "facebook" && p.facebook.enabled) ||
                    (*provider == "azuread" && p.azuread.enabled) ||
                    (*provider == "cloudkit" && p.cloudkit.enabled) ||
                    (provider->rfind("custom/", 0) == 0 && p.custom.count(provider->substr(7)));
  if (configured) {
    return fail(ctx, "unknown_provider", problems::kUnknownProvider,
                "provider '" + *provider + "' is configured, but this version of ros cannot "
                "verify its tokens yet");
  }
  return fail(ctx, "unknown_provider", problems::kUnknownProvider,
              "provider '" + provider->substr(0, 64) + "' is not enabled");
}

http::Response post_revoke(Context& ctx, const http::Request& req) {
  http::Response error;
  auto body = body_object(ctx, req, error);
  if (!body) return error;
  auto token = string_field(*body, "token", "", error, ctx);
  if (!token) return error;
  // An expired token needs no revocation; it is still proven ours by its signature.
  const std::int64_t before_any_expiry = std::numeric_limits<std::int64_t>::min();
  auto claims = ctx.verifier.verify(*token, before_any_expiry);
  if (!claims) return fail(ctx, "invalid_token", problems::kInvalidParameters, claims.error().message);
  if (!auth::is_refresh_token(*claims)) {
    return fail(ctx, "bad_request", problems::kInvalidParameters,
                "only refresh tokens can be revoked; access tokens expire by themselves");
  }
  std::int64_t until = claims->expires.value_or(ctx.now() + ctx.config.tokens.refresh_lifetime);
  if (auto done = ctx.store.revoke_refresh_token(auth::token_identity(*claims, *token), until);
      !done) {
    log::error("revoking a token failed: ", done.error().message);
    return fail(ctx, "internal", problems::kInternal, "");
  }
  log::info("revoked a refresh token of ", claims->identity, " from ", req.peer);
  ctx.metrics.add("ros_auth_revocations_total");
  return json_response(200, {{"revoked", true}});
}

// The refresh token of a request: "Authorization: Bearer <token>", or the
// bare token as the original server's clients sent it.
std::string bearer_token(const http::Request& req) {
  std::string value = req.header("authorization");
  if (value.rfind("Bearer ", 0) == 0) value = value.substr(7);
  return value;
}

std::optional<admin::User> authenticated_user(Context& ctx, const http::Request& req,
                                              http::Response& error) {
  std::string token = bearer_token(req);
  if (token.empty()) {
    error = fail(ctx, "invalid_token", problems::kExpiredToken,
                 "send a refresh token in the Authorization header");
    return std::nullopt;
  }
  return authenticate(ctx, token, error);
}

json offer_reply(const admin::Offer& offer) {
  json out = offer_json(offer);
  out["realmPath"] = offer.realm_path;  // the original server's name
  return out;
}

// POST /permissions/offers {"realmPath", "accessLevel": read|write|admin, or
// "read"/"write"/"manage" flags, "expiresAt": Unix seconds}
http::Response create_offer(Context& ctx, const http::Request& req) {
  http::Response error;
  auto user = authenticated_user(ctx, req, error);
  if (!user) return error;
  auto body = body_object(ctx, req, error);
  if (!body) return error;
  const char* path_key = body->contains("realmPath") ? "realmPath" : "path";
  auto path = string_field(*body, path_key, "", error, ctx);
  if (!path) return error;
  auto resolved = storage::resolve_realm_path(*path, user->id);
  if (!resolved) return fail(ctx, "bad_request", problems::kInvalidParameters, resolved.error().message);

  admin::Rights rights;
  if (auto level = body->find("accessLevel"); level != body->end()) {
    std::string name = level->is_string() ? level->get<std::string>() : "";
    if (name == "read") rights = {true, false, false};
    else if (name == "write") rights = {true, true, false};
    else if (name == "admin") rights = admin::Rights::all();
    else return fail(ctx, "bad_request", problems::kInvalidParameters,
                     "'accessLevel' must be \"read\", \"write\" or \"admin\"");
  } else {
    for (auto [key, flag] : {std::pair{"read", &rights.read}, std::pair{"write", &rights.write},
                             std::pair{"manage", &rights.manage}}) {
      auto it = body->find(key);
      if (it == body->end() || it->is_null()) continue;
      if (!it->is_boolean()) {
        return fail(ctx, "bad_request", problems::kInvalidParameters,
                    std::string("'") + key + "' must be true or false");
      }
      *flag = it->get<bool>();
    }
  }
  std::optional<std::int64_t> expires_at;
  if (auto it = body->find("expiresAt"); it != body->end() && !it->is_null()) {
    if (!it->is_number_integer()) {
      return fail(ctx, "bad_request", problems::kInvalidParameters,
                  "'expiresAt' must be a Unix time in seconds");
    }
    expires_at = it->get<std::int64_t>();
  }
  auto offer = ctx.store.create_offer(*user, *resolved, rights, expires_at, ctx.now());
  if (!offer) return store_failure(ctx, offer.error());
  log::info("user ", user->id, " offered ", *resolved, " from ", req.peer);
  return json_response(201, offer_reply(*offer));
}

// POST /permissions/offers/<token>/accept
http::Response accept_offer(Context& ctx, const http::Request& req, const std::string& token) {
  http::Response error;
  auto user = authenticated_user(ctx, req, error);
  if (!user) return error;
  auto entry = ctx.store.accept_offer(token, *user, ctx.now());
  if (!entry) return store_failure(ctx, entry.error());
  ctx.changes.publish({{"event", "offer_accepted"},
                       {"user", entry->user_id},
                       {"realm", entry->realm_path},
                       {"rights", {{"read", entry->rights.read},
                                   {"write", entry->rights.write},
                                   {"manage", entry->rights.manage}}}});
  json out = entry_json(*entry);
  out["path"] = entry->realm_path;  // the original server's answer
  return json_response(200, out);
}

struct Route {
  const char* path;
  const char* method;
  http::Response (*handler)(Context&, const http::Request&);
};

const Route kRoutes[] = {
    {"/auth", "POST", post_auth},
    {"/auth/revoke", "POST", post_revoke},
    {"/permissions/offers", "POST", create_offer},
    {"/health", "GET",
     [](Context&, const http::Request&) {
       return json_response(200, {{"status", "ok"}, {"version", ROS_VERSION}});
     }},
    {"/metrics", "GET",
     [](Context& ctx, const http::Request&) {
       http::Response r;
       r.content_type = "text/plain; version=0.0.4";
       r.body = ctx.metrics.render() +
                "# HELP ros_auth_password_hashes_total PBKDF2 runs (hashing and checking "
                "passwords; about 50 ms of CPU each).\n"
                "# TYPE ros_auth_password_hashes_total counter\n"
                "ros_auth_password_hashes_total " +
                std::to_string(admin::password_work_count()) + "\n";
       return r;
     }},
};

}  // namespace

void declare_metrics(http::Metrics& metrics) {
  metrics.declare("ros_http_requests_total", "HTTP requests by route and status.");
  metrics.declare("ros_auth_logins_total", "Logins by provider and result.");
  metrics.declare("ros_auth_failures_total", "Refused /auth requests by reason.");
  metrics.declare("ros_auth_registrations_total", "Users registered through /auth.");
  metrics.declare("ros_auth_tokens_issued_total", "Tokens issued by kind.");
  metrics.declare("ros_auth_revocations_total", "Refresh tokens revoked.");
  declare_app_metrics(metrics);
}

http::Response handle_http(Context& context, const http::Request& request) {
  const std::string path = request.path();
  if (path.rfind(kAppApiPrefix, 0) == 0 &&
      (path.size() == kAppApiPrefix.size() || path[kAppApiPrefix.size()] == '/')) {
    return handle_app_http(context, request);
  }
  const Route* route = nullptr;
  for (const auto& r : kRoutes) {
    if (path == r.path) route = &r;
  }
  http::Response response;
  // /permissions/offers/<token>/accept: the one route with a parameter.
  const std::string offers = "/permissions/offers/";
  const std::string accept = "/accept";
  if (route == nullptr && path.rfind(offers, 0) == 0 && path.size() > offers.size() + accept.size() &&
      path.compare(path.size() - accept.size(), accept.size(), accept) == 0) {
    std::string token = path.substr(offers.size(), path.size() - offers.size() - accept.size());
    response = request.method == "POST"
                   ? accept_offer(context, request, token)
                   : http::problem_response(problems::kMethodNotAllowed, "use POST");
    context.metrics.add("ros_http_requests_total",
                        "route=\"/permissions/offers/accept\",status=\"" +
                            std::to_string(response.status) + "\"");
    return response;
  }
  if (route == nullptr) {
    response = http::problem_response(problems::kNotFound, "no resource at this path");
  } else if (request.method != route->method) {
    response = http::problem_response(problems::kMethodNotAllowed,
                                      "use " + std::string(route->method));
    response.headers["Allow"] = route->method;
  } else {
    response = route->handler(context, request);
  }
  context.metrics.add("ros_http_requests_total",
                      std::string("route=\"") + (route ? route->path : "other") + "\",status=\"" +
                          std::to_string(response.status) + "\"");
  return response;
}

}  // namespace ros::authd
