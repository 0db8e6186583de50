// ros-authd's App Services client API (app-services.md section 1): what
// unchanged Realm SDK apps (realm-core 14.x `App`) call to log users in,
// under /api/client/v2.0:
//
//   GET    /app/<app>/location
//   POST   /app/<app>/auth/providers/<provider>/login[?link=true]
//            providers local-userpass, anon-user, api-key, custom-token
//   POST   /app/<app>/auth/providers/local-userpass/{register, confirm,
//            confirm/send, confirm/call, reset/send, reset, reset/call}
//   POST   /app/<app>/functions/call          (FunctionNotFound)
//   GET    /auth/profile                      access token
//   POST   /auth/session                      refresh token -> access token
//   DELETE /auth/session                      refresh token: logout
//   DELETE /auth/delete                       access token: delete the user
//   POST|GET /auth/api_keys, GET|DELETE /auth/api_keys/<id>,
//   PUT    /auth/api_keys/<id>/{enable,disable}      refresh token
//
// Every failure is answered with Content-Type exactly "application/json"
// and {"error": <message>, "error_code": <core error name>} (section 1.10),
// so the SDK maps it; success bodies never hold `error` or `error_code`.
// Nothing here redirects. An app id not in the configuration's `apps` gets
// 404 "cannot find app using Client App ID '<id>'"; a provider not enabled
// for the app, AuthProviderNotFound.
//
// Thread safety: as handle_http (Context is shared and thread-safe).
#pragma once

#include "authd/context.hpp"
#include "http/message.hpp"

namespace ros::authd {

// The prefix of every App Services route.
inline constexpr std::string_view kAppApiPrefix = "/api/client/v2.0";

// Declares the metrics the App routes count (call once, before serving).
void declare_app_metrics(http::Metrics& metrics);

// Answers one request whose path starts with kAppApiPrefix.
http::Response handle_app_http(Context& ctx, const http::Request& request);

}  // namespace ros::authd
