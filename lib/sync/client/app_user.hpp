// AppUser: a user logged in through the App Services API the way realm-core
// 14.x's `App` does it (app-services.md 1-2), for tests, benches and scripts
// that sync as SDK apps do: location, login with a provider, profile, then
// the access token for the sync connection, refreshed on demand, and logout.
//
// Requests carry core's headers (Content-Type application/json;charset=utf-8,
// Accept application/json; none on location) and core's login body
// (credentials, then options.device). After location, requests go to its
// `hostname`, and sync_url() is its `ws_hostname`. Only plain http:// base
// URLs are supported (the tests and benches run on loopback).
//
// Errors are values: permission_denied for a 401 (with the server's
// error_code and message), conflict for other refusals, unavailable for
// transport failures; the message names the request.
//
// Thread safety: every method may be called from any thread (a mutex guards
// the tokens), so refresh() can serve as ClientOptions::refresh_token.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace ros::sync::client {

struct AppHttpReply {
  int status = 0;
  std::string content_type;
  std::string body;
};

// One request as the App sends it to `origin` (http://host:port). With
// `core_headers` the JSON content type and Accept headers are set.
Result<AppHttpReply> app_http(const std::string& origin, const std::string& method,
                              const std::string& target, const std::string& body = "",
                              const std::string& bearer = "", bool core_headers = true);

class AppUser {
 public:
  // GET location, POST .../auth/providers/<provider>/login with
  // `credentials` (e.g. {"username":..,"password":..}; "provider" is added),
  // GET /auth/profile.
  static Result<AppUser> log_in(const std::string& base_url, const std::string& app_id,
                                const std::string& provider, nlohmann::json credentials);

  // POST /auth/session: a new access token.
  Result<std::string> refresh();
  // DELETE /auth/session.
  Result<void> log_out();

  std::string access_token() const;
  std::string refresh_token() const;
  const std::string& user_id() const { return state_->user_id; }
  const std::string& app_id() const { return state_->app_id; }
  const std::string& origin() const { return state_->origin; }    // hostname from location
  const std::string& sync_url() const { return state_->ws_origin; } // ws_hostname from location
  const nlohmann::json& profile() const { return state_->profile; }

 private:
  struct State {
    std::string app_id, origin, ws_origin, user_id;
    nlohmann::json profile;
    mutable std::mutex mutex;
    std::string access, refresh;  // GUARDED_BY(mutex)
  };
  explicit AppUser(std::shared_ptr<State> s) : state_(std::move(s)) {}
  std::shared_ptr<State> state_;  // shared: copies are the same logged-in user
};

}  // namespace ros::sync::client
