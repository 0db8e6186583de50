// ros-authd's HTTP API (the original server's login flow):
//
//   POST /auth          provider "password": register or log in, answer a refresh token;
//                       provider "realm": a refresh token in, an access token out
//                       (for a path, with the rights the user has on it, or path-less)
//   POST /auth/revoke   {"token": <refresh token>}: revoke it
//   POST /permissions/offers                 offer a Realm (needs manage rights on it)
//   POST /permissions/offers/<token>/accept  take an offer's rights
//                       (both with "Authorization: Bearer <refresh token>")
//   GET  /health        {"status":"ok","version":...}
//   GET  /metrics       Prometheus text: requests, logins, failures by reason
//
// Every error is application/problem+json (http/problem.hpp) with a detail
// naming what was wrong with the request; nothing internal is revealed.
// Failed logins are limited per user and per client address
// (http.login_failures_per_minute); beyond it, 429 with Retry-After.
#pragma once

#include "authd/context.hpp"
#include "http/message.hpp"

namespace ros::authd {

// Declares the metrics the routes count (call once, before serving).
void declare_metrics(http::Metrics& metrics);

// Answers one request. Thread-safe (see Context).
http::Response handle_http(Context& context, const http::Request& request);

}  // namespace ros::authd
