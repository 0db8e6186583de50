#include "authd/app_routes.hpp"

#include <vector>

#include "admin/store.hpp"
#include "auth/jwt.hpp"
#include "authd/app_hooks.hpp"
#include "authd/app_tokens.hpp"
#include "log/logger.hpp"

namespace ros::authd {
namespace {

using nlohmann::json;
using RegistrationState = admin::AdminStore::RegistrationState;

// The "device_id" of every login: all zeros means "no device id assigned".
constexpr const char* kNoDevice = "000000000000000000000000";

// --- Answers ------------------------------------------------------------------

http::Response app_error(Context& ctx, int status, const char* code, const std::string& message) {
  ctx.metrics.add("ros_app_failures_total", std::string("code=\"") + code + "\"");
  http::Response r;
  r.status = status;
  r.content_type = "application/json";  // exactly: the SDKs read the body only then
  r.body = json{{"error", message}, {"error_code", code}}.dump(-1, ' ', false,
                                                                json::error_handler_t::replace);
  return r;
}

http::Response json_answer(int status, const json& body) {
  http::Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

// A success without a body and without a Content-Type: realm-core ignores
// the body, realm-web reads JSON only when the type says so.
http::Response empty_answer(int status) {
  http::Response r;
  r.status = status;
  r.content_type.clear();
  return r;
}

http::Response internal(Context& ctx, const std::string& what, const Error& e) {
  log::error(what, ": ", e.message);
  return app_error(ctx, 500, "InternalServerError", "internal server error");
}

http::Response invalid_session(Context& ctx, const Error& e) {
  if (e.code != Errc::permission_denied) return internal(ctx, "checking a token", e);
  return app_error(ctx, 401, "InvalidSession", e.message);
}

// --- Requests -----------------------------------------------------------------

struct Call {
  Context& ctx;
  const http::Request& req;
  std::vector<std::string> segments;  // of the path after kAppApiPrefix
  json body = json::object();
};

std::string bearer(const http::Request& req) {
  std::string value = req.header("authorization");
  if (value.rfind("Bearer ", 0) == 0) return value.substr(7);
  return {};
}

// The body as a JSON object (an empty body is an empty object), or an error.
std::optional<http::Response> parse_body(Call& call) {
  const auto& text = call.req.body;
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return std::nullopt;
  json body = json::parse(text, nullptr, false);
  if (body.is_discarded()) return app_error(call.ctx, 400, "BadRequest", "invalid JSON in the request body");
  if (!body.is_object()) return app_error(call.ctx, 400, "BadRequest", "the request body must be a JSON object");
  call.body = std::move(body);
  return std::nullopt;
}

// The string field `name` of the body, or an error answer in `error`.
std::optional<std::string> string_field(Call& call, const char* name, http::Response& error) {
  auto it = call.body.find(name);
  if (it == call.body.end() || it->is_null()) {
    error = app_error(call.ctx, 400, "MissingParameter", std::string("expected parameter '") + name + "'");
    return std::nullopt;
  }
  if (!it->is_string()) {
    error = app_error(call.ctx, 400, "InvalidParameter", std::string("parameter '") + name + "' must be a string");
    return std::nullopt;
  }
  return it->get<std::string>();
}

// --- Profile --------------------------------------------------------------------

// The provider name App Services clients know for a stored identity, or
// nullopt for one they do not (never sent: the C API aborts on an unknown
// provider_type).
std::optional<std::string> provider_type(const std::string& stored) {
  if (stored == admin::kPasswordProvider) return "local-userpass";
  if (stored == admin::kAnonProvider || stored == admin::kApiKeyProvider) return stored;
  if (stored.rfind(std::string(admin::kCustomTokenProvider) + ":", 0) == 0) return "custom-token";
  if (stored == "google") return "oauth2-google";
  if (stored == "facebook") return "oauth2-facebook";
  return std::nullopt;
}

Result<json> profile_of(Context& ctx, const admin::User& user) {
  json identities = json::array();
  for (const auto& identity : user.identities) {
    if (auto type = provider_type(identity.provider)) {
      identities.push_back({{"id", identity.provider_id}, {"provider_type", *type}});
    }
  }
  auto stored = ctx.store.user_metadata(user.id);
  if (!stored) return stored.error();
  json data = json::parse(*stored, nullptr, false);
  if (!data.is_object()) data = json::object();
  if (auto name = user.username(); name && !data.contains("email")) data["email"] = *name;
  // "type" is App Services' user kind; realm-core ignores it, realm-web needs it.
  return json{{"user_id", user.id}, {"type", "normal"}, {"identities", identities}, {"data", data}};
}

// --- Login --------------------------------------------------------------------

const std::vector<std::string> kProviders = {"local-userpass", "anon-user", "api-key",
                                              "custom-token"};

bool provider_enabled(const config::AppConfig& app, const std::string& provider) {
  if (provider == "local-userpass") return app.local_userpass.enabled;
  if (provider == "anon-user") return app.anon_user;
  if (provider == "api-key") return app.api_key;
  if (provider == "custom-token") return app.custom_token.enabled;
  return false;
}

// The value of a (possibly dotted) claim path, or nullptr.
const json* claim_at(const json& payload, const std::string& path) {
  const json* at = &payload;
  std::size_t start = 0;
  while (true) {
    auto dot = path.find('.', start);
    std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!at->is_object()) return nullptr;
    auto it = at->find(part);
    if (it == at->end()) return nullptr;
    at = &*it;
    if (dot == std::string::npos) return at;
    start = dot + 1;
  }
}

std::string claim_text(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// Who the credentials prove (or, with `link_to`, the user they were linked
// to). `error` is set on failure.
std::optional<admin::User> authenticate(Call& call, const config::AppConfig& app,
                                        const std::string& provider,
                                        const std::optional<std::string>& link_to,
                                        http::Response& error) {
  Context& ctx = call.ctx;
  if (provider == "anon-user") {
    auto user = ctx.store.create_anonymous_user();
    if (!user) {
      error = internal(ctx, "creating an anonymous user", user.error());
      return std::nullopt;
    }
    log::info("app ", app.id, ": new anonymous user ", user->id, " from ", call.req.peer);
    return std::move(*user);
  }
  if (provider == "api-key") {
    auto key = string_field(call, "key", error);
    if (!key) return std::nullopt;
    auto user = ctx.store.check_api_key(*key);
    if (!user) {
      error = user.error().code == Errc::permission_denied
                  ? app_error(ctx, 401, "AuthError", "invalid API key")
                  : internal(ctx, "checking an API key", user.error());
      return std::nullopt;
    }
    if (link_to && user->id != *link_to) {
      error = app_error(ctx, 401, "InvalidSession", "a user already exists with the specified provider");
      return std::nullopt;
    }
    return std::move(*user);
  }
  if (provider == "custom-token") {
    auto token = string_field(call, "token", error);
    if (!token) return std::nullopt;
    auto key = ctx.custom_token_keys.find(app.id);
    if (key == ctx.custom_token_keys.end()) {
      error = internal(ctx, "custom-token login", make_error(Errc::internal, "no key loaded for app " + app.id));
      return std::nullopt;
    }
    auto payload = key->second.verify(*token, app.custom_token.audience, app.custom_token.issuer, ctx.now());
    if (!payload) {
      log::info("app ", app.id, ": refused a custom token from ", call.req.peer, ": ", payload.error().message);
      error = app_error(ctx, 401, "AuthError", "invalid custom auth token: " + payload.error().message);
      return std::nullopt;
    }
    const json* id = claim_at(*payload, app.custom_token.user_id_claim);
    if (id == nullptr || !(id->is_string() || id->is_number_integer()) || claim_text(*id).empty()) {
      error = app_error(ctx, 401, "AuthError", "invalid custom auth token: no user id in claim '" +
                                                   app.custom_token.user_id_claim + "'");
      return std::nullopt;
    }
    const std::string provider_key = std::string(admin::kCustomTokenProvider) + ":" + app.id;
    auto user = link_to ? ctx.store.link_identity(*link_to, provider_key, claim_text(*id))
                        : ctx.store.find_or_create_identity(provider_key, claim_text(*id));
    if (!user) {
      error = user.error().code == Errc::conflict
                  ? app_error(ctx, 401, "InvalidSession", user.error().message)
              : user.error().code == Errc::invalid_argument
                  ? app_error(ctx, 401, "AuthError", "invalid custom auth token: " + user.error().message)
                  : internal(ctx, "custom-token login", user.error());
      return std::nullopt;
    }
    json metadata = json::object();
    for (const auto& [field, claim] : app.custom_token.metadata) {
      if (const json* value = claim_at(*payload, claim); value && !value->is_null()) {
        metadata[field] = claim_text(*value);  // the SDKs read profile fields as strings
      }
    }
    if (!metadata.empty()) {
      if (auto r = ctx.store.set_user_metadata(user->id, metadata.dump()); !r) {
        log::warn("storing the profile of ", user->id, " failed: ", r.error().message);
      }
    }
    return std::move(*user);
  }
  // local-userpass
  auto username = string_field(call, "username", error);
  if (!username) return std::nullopt;
  auto password = string_field(call, "password", error);
  if (!password) return std::nullopt;
  // Limited per (address, name): an attacker elsewhere cannot lock the owner out.
  const std::string limiter_key = "app:" + call.req.peer + "|" + username->substr(0, 256);
  if (ctx.failed_logins.blocked(limiter_key)) {
    error = app_error(ctx, 429, "TooManyRequests", "too many failed logins; wait a minute");
    error.headers["Retry-After"] = "60";
    return std::nullopt;
  }
  auto refuse = [&] {
    ctx.failed_logins.record_failure(limiter_key);
    log::info("app ", app.id, ": failed login for '", *username, "' from ", call.req.peer);
    error = app_error(ctx, 401, "InvalidPassword", "invalid username/password");
  };
  Result<admin::User> user = ctx.store.check_password(*username, *password);
  if (!user && user.error().code == Errc::permission_denied) {
    // Not a user yet: perhaps a confirmed registration logging in the first time.
    user = ctx.store.claim_registration(*username, *password, link_to);
    if (!user && user.error().code == Errc::conflict) {
      error = user.error().message == "confirmation required"
                  ? app_error(ctx, 401, "AuthError", "confirmation required")
                  : app_error(ctx, 401, "InvalidSession", user.error().message);
      return std::nullopt;
    }
    if (!user && user.error().code == Errc::permission_denied) {
      refuse();
      return std::nullopt;
    }
    if (user) log::info("app ", app.id, ": user ", user->id, " ('", *username, "') logged in first");
  } else if (user && link_to && user->id != *link_to) {
    error = app_error(ctx, 401, "InvalidSession", "a user already exists with the specified provider");
    return std::nullopt;
  }
  if (!user) {
    error = internal(ctx, "local-userpass login", user.error());
    return std::nullopt;
  }
  ctx.failed_logins.reset(limiter_key);
  return std::move(*user);
}

http::Response login(Call& call, const config::AppConfig& app, const std::string& provider) {
  Context& ctx = call.ctx;
  if (call.req.method != "POST") return app_error(ctx, 405, "BadRequest", "use POST");
  if (!provider_enabled(app, provider)) {
    bool known = std::find(kProviders.begin(), kProviders.end(), provider) != kProviders.end();
    return app_error(ctx, 404, "AuthProviderNotFound",
                     known ? "authentication via '" + provider + "' is not enabled for this app"
                           : "authentication provider '" + provider.substr(0, 64) + "' is not supported");
  }
  if (auto bad = parse_body(call)) return *bad;
  const bool link = call.req.target.find("link=true") != std::string::npos;
  std::optional<std::string> link_to;
  if (link) {
    if (provider == "anon-user") {
      return app_error(ctx, 400, "InvalidParameter", "anonymous identities cannot be linked");
    }
    auto bearer_user = verify_app_token(ctx, bearer(call.req), AppTokenKind::access);
    if (!bearer_user) return invalid_session(ctx, bearer_user.error());
    link_to = bearer_user->user.id;
  }
  http::Response error;
  auto user = authenticate(call, app, provider, link_to, error);
  if (!user) return error;
  ctx.metrics.add("ros_app_logins_total", "provider=\"" + provider + "\"");
  std::string access = mint_app_access_token(ctx, app, *user);
  if (link) {
    log::info("app ", app.id, ": linked a ", provider, " identity to ", user->id);
    return json_answer(200, {{"access_token", access}});
  }
  auto refresh = mint_app_refresh_token(ctx, app, *user);
  if (!refresh) return internal(ctx, "starting a session", refresh.error());
  return json_answer(200, {{"access_token", access},
                           {"refresh_token", *refresh},
                           {"user_id", user->id},
                           {"device_id", kNoDevice}});
}

// --- local-userpass management ----------------------------------------------------

// Sends a confirmation or reset token through the configured program.
Result<void> deliver(Context& ctx, const config::AppConfig& app, const std::string& email,
                     admin::UserpassPurpose purpose) {
  const auto& program = purpose == admin::UserpassPurpose::confirm
                            ? app.local_userpass.confirmation_command
                            : app.local_userpass.reset_command;
  if (!program) return make_error(Errc::unavailable, "no command is configured");
  auto token = ctx.store.issue_userpass_token(email, purpose, ctx.now(),
                                              app.local_userpass.token_lifetime);
  if (!token) return token.error();
  return run_hook(*program, {{"app_id", app.id},
                             {"email", email},
                             {"purpose", purpose == admin::UserpassPurpose::confirm ? "confirm" : "reset"},
                             {"token", token->token},
                             {"tokenId", token->token_id}});
}

http::Response userpass(Call& call, const config::AppConfig& app, const std::string& route) {
  Context& ctx = call.ctx;
  if (!app.local_userpass.enabled) {
    return app_error(ctx, 404, "AuthProviderNotFound",
                     "authentication via 'local-userpass' is not enabled for this app");
  }
  if (call.req.method != "POST") return app_error(ctx, 405, "BadRequest", "use POST");
  if (auto bad = parse_body(call)) return *bad;
  http::Response error;
  const auto& cfg = app.local_userpass;

  if (route == "register") {
    if (!cfg.allow_registration) {
      return app_error(ctx, 400, "BadRequest", "registration is switched off for this app");
    }
    auto email = string_field(call, "email", error);
    if (!email) return error;
    auto password = string_field(call, "password", error);
    if (!password) return error;
    auto added = ctx.store.add_registration(*email, *password, cfg.auto_confirm, ctx.now());
    if (!added) {
      if (added.error().code == Errc::already_exists) {
        return app_error(ctx, 409, "AccountNameInUse", "name already in use");
      }
      if (added.error().code == Errc::invalid_argument) {
        return app_error(ctx, 400, "BadRequest", added.error().message);
      }
      return internal(ctx, "registering", added.error());
    }
    log::info("app ", app.id, ": registered '", *email, "' from ", call.req.peer,
              cfg.auto_confirm ? "" : " (awaiting confirmation)");
    if (!cfg.auto_confirm) {
      if (auto sent = deliver(ctx, app, *email, admin::UserpassPurpose::confirm); !sent) {
        log::error("app ", app.id, ": sending the confirmation of '", *email, "' failed: ",
                   sent.error().message);
        return app_error(ctx, 500, "InternalServerError",
                         "the confirmation could not be sent; try confirm/send later");
      }
    }
    return empty_answer(201);
  }
  if (route == "confirm") {
    auto token = string_field(call, "token", error);
    if (!token) return error;
    auto token_id = string_field(call, "tokenId", error);
    if (!token_id) return error;
    auto done = ctx.store.confirm_registration(*token_id, *token, ctx.now());
    if (!done) {
      if (done.error().code == Errc::invalid_argument) {
        return app_error(ctx, 400, "UserpassTokenInvalid", "invalid token data");
      }
      if (done.error().code == Errc::conflict) {
        return app_error(ctx, 409, "UserAlreadyConfirmed", "already confirmed");
      }
      return internal(ctx, "confirming", done.error());
    }
    return empty_answer(204);
  }
  if (route == "confirm/send" || route == "reset/send") {
    auto email = string_field(call, "email", error);
    if (!email) return error;
    const bool confirm = route == "confirm/send";
    if (confirm) {
      auto state = ctx.store.registration_state(*email);
      if (!state) return internal(ctx, "confirm/send", state.error());
      if (*state == RegistrationState::none) {
        auto user = ctx.store.find_user(*email);
        if (user && user->username() == *email) {
          return app_error(ctx, 409, "UserAlreadyConfirmed", "already confirmed");
        }
        return app_error(ctx, 404, "UserNotFound", "user not found");
      }
      if (*state == RegistrationState::confirmed) {
        return app_error(ctx, 409, "UserAlreadyConfirmed", "already confirmed");
      }
    } else {
      auto user = ctx.store.find_user(*email);
      if (!user || user->username() != *email) return app_error(ctx, 404, "UserNotFound", "user not found");
      if (!cfg.reset_command) {
        return app_error(ctx, 400, "BadRequest", "password resets are not configured for this app");
      }
    }
    auto sent = deliver(ctx, app, *email, confirm ? admin::UserpassPurpose::confirm
                                                  : admin::UserpassPurpose::reset);
    if (!sent) {
      log::error("app ", app.id, ": sending a token to '", *email, "' failed: ", sent.error().message);
      return app_error(ctx, 500, "InternalServerError", "the token could not be sent; try again later");
    }
    return empty_answer(204);
  }
  if (route == "reset") {
    auto password = string_field(call, "password", error);
    if (!password) return error;
    auto token = string_field(call, "token", error);
    if (!token) return error;
    auto token_id = string_field(call, "tokenId", error);
    if (!token_id) return error;
    auto done = ctx.store.reset_password(*token_id, *token, *password, ctx.now());
    if (!done) {
      if (done.error().message == "invalid token data") {
        return app_error(ctx, 400, "UserpassTokenInvalid", "invalid token data");
      }
      if (done.error().code == Errc::invalid_argument) {
        return app_error(ctx, 400, "BadRequest", done.error().message);
      }
      return internal(ctx, "resetting a password", done.error());
    }
    log::info("app ", app.id, ": password of ", done->id, " reset from ", call.req.peer);
    return empty_answer(204);
  }
  if (route == "confirm/call" || route == "reset/call") {
    return app_error(ctx, 400, "BadRequest",
                     "ros runs no confirmation or reset functions; use " +
                         std::string(route == "confirm/call" ? "confirm/send" : "reset/send"));
  }
  return app_error(ctx, 404, "BadRequest", "no route local-userpass/" + route);
}

// --- Routes of an app -------------------------------------------------------------

const config::AppConfig* find_app(Context& ctx, const std::string& id) {
  auto it = ctx.config.apps.find(id);
  return it == ctx.config.apps.end() ? nullptr : &it->second;
}

// scheme://host of the request, as the client reached us (through ros-proxy,
// which sets X-Forwarded-Proto).
std::string request_origin(const http::Request& req) {
  std::string scheme = req.header("x-forwarded-proto");
  if (scheme != "https") scheme = "http";
  std::string host = req.header("host");
  if (host.empty() || host.find_first_of("/?#@ \t") != std::string::npos) return "";
  return scheme + "://" + host;
}

http::Response location(Call& call, const config::AppConfig& app) {
  if (call.req.method != "GET") return app_error(call.ctx, 405, "BadRequest", "use GET");
  std::string origin = app.public_url ? *app.public_url : request_origin(call.req);
  std::string ws;
  if (origin.rfind("https://", 0) == 0) ws = "wss://" + origin.substr(8);
  else if (origin.rfind("http://", 0) == 0) ws = "ws://" + origin.substr(7);
  return json_answer(200, {{"deployment_model", "LOCAL"},
                           {"location", "ros"},
                           {"hostname", origin},
                           {"ws_hostname", ws}});
}

http::Response app_route(Call& call) {
  Context& ctx = call.ctx;
  const auto& s = call.segments;  // "app", <id>, ...
  if (s.size() < 3) return app_error(ctx, 404, "BadRequest", "no such route");
  const config::AppConfig* app = find_app(ctx, s[1]);
  if (app == nullptr) {
    return app_error(ctx, 404, "AppNotFound", "cannot find app using Client App ID '" + s[1].substr(0, 64) + "'");
  }
  if (s.size() == 3 && s[2] == "location") return location(call, *app);
  if (s.size() == 6 && s[2] == "auth" && s[3] == "providers" && s[5] == "login") {
    return login(call, *app, s[4]);
  }
  if (s.size() >= 6 && s[2] == "auth" && s[3] == "providers" && s[4] == "local-userpass") {
    std::string route = s[5];
    for (std::size_t i = 6; i < s.size(); ++i) route += "/" + s[i];
    return userpass(call, *app, route);
  }
  if (s.size() >= 3 && s[2] == "functions") {
    return app_error(ctx, 404, "FunctionNotFound", "ros runs no App Services functions");
  }
  return app_error(ctx, 404, "BadRequest", "no such route");
}

// --- User routes ----------------------------------------------------------------------

const config::AppConfig* token_app(Context& ctx, const AppTokenUser& who) {
  return find_app(ctx, who.app_id);
}

json api_key_json(const admin::ApiKey& key) {
  return {{"_id", key.id}, {"name", key.name}, {"disabled", key.disabled}};
}

http::Response api_keys(Call& call, const AppTokenUser& who) {
  Context& ctx = call.ctx;
  const auto& s = call.segments;  // "auth", "api_keys", [id, [enable|disable]]
  const config::AppConfig* app = token_app(ctx, who);
  if (app == nullptr || !app->api_key) {
    return app_error(ctx, 404, "AuthProviderNotFound", "API keys are not enabled for this app");
  }
  const std::string& method = call.req.method;
  if (s.size() == 2 && method == "POST") {
    if (auto bad = parse_body(call)) return *bad;
    http::Response error;
    auto name = string_field(call, "name", error);
    if (!name) return error;
    auto key = ctx.store.create_api_key(who.user.id, *name, ctx.now());
    if (!key) {
      if (key.error().code == Errc::already_exists) return app_error(ctx, 409, "APIKeyAlreadyExists", key.error().message);
      if (key.error().code == Errc::invalid_argument) return app_error(ctx, 400, "InvalidParameter", key.error().message);
      return internal(ctx, "creating an API key", key.error());
    }
    json out = api_key_json(key->key);
    out["key"] = key->secret;
    return json_answer(201, out);
  }
  if (s.size() == 2 && method == "GET") {
    auto keys = ctx.store.api_keys_of(who.user.id);
    if (!keys) return internal(ctx, "listing API keys", keys.error());
    json out = json::array();
    for (const auto& k : *keys) out.push_back(api_key_json(k));
    return json_answer(200, out);
  }
  if (s.size() == 3 || s.size() == 4) {
    const std::string& id = s[2];
    Result<void> done;
    if (s.size() == 3 && method == "GET") {
      auto key = ctx.store.find_api_key(who.user.id, id);
      if (key) return json_answer(200, api_key_json(*key));
      done = key.error();
    } else if (s.size() == 3 && method == "DELETE") {
      done = ctx.store.remove_api_key(who.user.id, id);
    } else if (s.size() == 4 && method == "PUT" && (s[3] == "enable" || s[3] == "disable")) {
      done = ctx.store.set_api_key_disabled(who.user.id, id, s[3] == "disable");
    } else {
      return app_error(ctx, 405, "BadRequest", "no such route for " + method);
    }
    if (!done) {
      if (done.error().code == Errc::not_found) return app_error(ctx, 404, "APIKeyNotFound", done.error().message);
      return internal(ctx, "changing an API key", done.error());
    }
    return empty_answer(204);
  }
  return app_error(ctx, 404, "BadRequest", "no such route");
}

http::Response user_route(Call& call) {
  Context& ctx = call.ctx;
  const auto& s = call.segments;  // "auth", ...
  const std::string& method = call.req.method;
  const std::string what = s.size() >= 2 ? s[1] : "";
  if (what == "profile" && s.size() == 2) {
    if (method != "GET") return app_error(ctx, 405, "BadRequest", "use GET");
    auto who = verify_app_token(ctx, bearer(call.req), AppTokenKind::access);
    if (!who) return invalid_session(ctx, who.error());
    auto profile = profile_of(ctx, who->user);
    if (!profile) return internal(ctx, "reading a profile", profile.error());
    return json_answer(200, *profile);
  }
  if (what == "session" && s.size() == 2) {
    if (method != "POST" && method != "DELETE") return app_error(ctx, 405, "BadRequest", "use POST or DELETE");
    auto who = verify_app_token(ctx, bearer(call.req), AppTokenKind::refresh);
    if (method == "DELETE") {
      // Logout: the client has logged out already; a token that no longer
      // works needs nothing more.
      if (who) {
        if (auto r = ctx.store.remove_app_session(who->session_id); !r) {
          return internal(ctx, "ending a session", r.error());
        }
        log::info("app ", who->app_id, ": user ", who->user.id, " logged out");
      }
      return empty_answer(204);
    }
    if (!who) return invalid_session(ctx, who.error());
    const config::AppConfig* app = token_app(ctx, *who);
    if (app == nullptr) {
      return app_error(ctx, 401, "InvalidSession", "invalid session: the app '" + who->app_id + "' is no longer served");
    }
    ctx.metrics.add("ros_app_refreshes_total");
    return json_answer(200, {{"access_token", mint_app_access_token(ctx, *app, who->user)}});
  }
  if (what == "delete" && s.size() == 2) {
    if (method != "DELETE") return app_error(ctx, 405, "BadRequest", "use DELETE");
    auto who = verify_app_token(ctx, bearer(call.req), AppTokenKind::access);
    if (!who) return invalid_session(ctx, who.error());
    if (auto r = ctx.store.remove_user(who->user.id); !r) return internal(ctx, "deleting a user", r.error());
    ctx.changes.publish({{"event", "user_removed"}, {"user", who->user.id}, {"realm", nullptr},
                         {"rights", nullptr}});
    log::info("app ", who->app_id, ": user ", who->user.id, " deleted itself");
    return empty_answer(204);
  }
  if (what == "api_keys") {
    // API key management takes the refresh token (app-services.md 1.9).
    auto who = verify_app_token(ctx, bearer(call.req), AppTokenKind::refresh);
    if (!who) return invalid_session(ctx, who.error());
    return api_keys(call, *who);
  }
  return app_error(ctx, 404, "BadRequest", "no such route");
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    std::string_view part = path.substr(start, slash == std::string_view::npos ? std::string_view::npos
                                                                               : slash - start);
    if (!part.empty()) out.emplace_back(part);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

}  // namespace

void declare_app_metrics(http::Metrics& metrics) {
  metrics.declare("ros_app_failures_total", "Refused App Services requests by error code.");
  metrics.declare("ros_app_logins_total", "App Services logins by provider.");
  metrics.declare("ros_app_refreshes_total", "App Services access tokens refreshed.");
}

http::Response handle_app_http(Context& ctx, const http::Request& request) {
  Call call{ctx, request, split_path(std::string_view(request.path()).substr(kAppApiPrefix.size())), json::object()};
  http::Response response;
  if (!call.segments.empty() && call.segments[0] == "app" && call.segments.size() >= 2) {
    response = app_route(call);
  } else if (!call.segments.empty() && call.segments[0] == "auth") {
    response = user_route(call);
  } else {
    response = app_error(ctx, 404, "BadRequest", "no such route");
  }
  ctx.metrics.add("ros_http_requests_total",
                  "route=\"/api/client/v2.0\",status=\"" + std::to_string(response.status) + "\"");
  return response;
}

}  // namespace ros::authd
