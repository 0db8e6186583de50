// Errors of ros's HTTP services as application/problem+json (RFC 7807),
// in the original Realm Object Server's shape:
//
//   {"type":"https://realm.io/docs/object-server/problems/invalid-credentials",
//    "title":"The provided credentials are invalid or the user does not exist.",
//    "status":401,"code":611}
//
// `type` and `code` are stable; `title` is for people; `detail` (optional)
// says what exactly was wrong with this request. Never internals.
#pragma once

#include <string>

#include "http/message.hpp"

namespace ros::http {

struct Problem {
  int status;          // HTTP status
  const char* slug;    // last part of `type`, e.g. "invalid-credentials"
  const char* title;
  int code;            // the original server's error code; 0 for none
};

// The problems ros's services answer with, one per kind of failure.
namespace problems {
inline constexpr Problem kInternal{500, "internal-server-error", "An internal error occurred.", 600};
inline constexpr Problem kMissingParameters{400, "missing-parameters",
                                            "Your request did not validate because of missing parameters.", 601};
inline constexpr Problem kInvalidParameters{400, "invalid-parameters",
                                            "Your request did not validate because of invalid parameters.", 602};
inline constexpr Problem kInvalidCredentials{401, "invalid-credentials",
                                             "The provided credentials are invalid or the user does not exist.", 611};
inline constexpr Problem kExistingAccount{409, "existing-account", "The account already exists.", 613};
inline constexpr Problem kAccessDenied{403, "access-denied", "The path is invalid or current user has no access.", 614};
inline constexpr Problem kExpiredToken{401, "expired-refresh-token", "The refresh token is expired, revoked or invalid.", 615};
inline constexpr Problem kExpiredOffer{409, "offer-not-valid", "The offer is expired, revoked or no longer valid.", 0};
inline constexpr Problem kUnknownProvider{400, "unknown-provider", "The authentication provider is not enabled.", 0};
inline constexpr Problem kNotFound{404, "not-found", "There is no such resource.", 0};
inline constexpr Problem kMethodNotAllowed{405, "method-not-allowed", "The method is not allowed for this resource.", 0};
inline constexpr Problem kPayloadTooLarge{413, "payload-too-large", "The request body is too large.", 0};
inline constexpr Problem kUnsupportedMediaType{415, "unsupported-media-type", "The request body must be JSON.", 0};
inline constexpr Problem kTooManyRequests{429, "too-many-requests", "Too many failed attempts; try again later.", 0};
inline constexpr Problem kBadRequest{400, "bad-request", "The request is not valid HTTP.", 0};
}  // namespace problems

// The response for `problem`, with `detail` when not empty.
Response problem_response(const Problem& problem, const std::string& detail = "");

}  // namespace ros::http
