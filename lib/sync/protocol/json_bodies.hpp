// The JSON bodies of LOG_MESSAGE and JSON_ERROR (protocol.md 2.3, 2.4, 4.6),
// built the way the reference builds them.
//
// Promises:
// - Bodies are compact JSON with keys in alphabetical order, which is what the
//   reference server sends (recorded: {"co_id":..,"level":..,"msg":..}).
// - make_log_message() includes "co_id" only when it is non-empty (the
//   reference sends it on the connection-level message only).
// - make_json_error() always writes the six keys a 14.x client requires
//   (message, tryAgain, isRecoveryModeDisabled, shouldClientReset, logURL,
//   action); leaving one out is a protocol violation for the client.
// - json_error_message() reads the "message" of a client's JSON_ERROR; a body
//   that is not a JSON object with a string "message" is an invalid_argument
//   error (the caller logs the raw body instead; it is not a protocol error).
//
// Thread safety: pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "sync/protocol/messages.hpp"

namespace ros::sync::protocol {

// LOG_MESSAGE levels a 14.x client accepts; anything else is a violation.
enum class LogLevel { fatal, error, warn, info, detail, debug, trace };
std::string_view to_string(LogLevel level);

LogMessage make_log_message(std::uint64_t session_ident, LogLevel level, std::string_view msg,
                            std::string_view co_id = {});

// The `action` strings of JSON_ERROR that make an SDK act (2.4).
enum class ErrorAction {
  protocol_violation,
  application_bug,
  warning,
  transient,
  delete_realm,
  client_reset,
  client_reset_no_recovery,
  migrate_to_flx,
  revert_to_pbs,
  refresh_user,
  refresh_location,
  log_out_user,
  migrate_schema,
};
std::string_view to_string(ErrorAction action);  // "ClientReset", ...

struct JsonErrorInfo {
  std::string message;
  bool try_again = false;
  bool is_recovery_mode_disabled = false;
  bool should_client_reset = false;
  std::string log_url;  // may be empty
  ErrorAction action = ErrorAction::application_bug;
};

ServerJsonError make_json_error(std::int64_t error_code, std::uint64_t session_ident,
                                const JsonErrorInfo& info);

// The "message" of a client's JSON_ERROR body.
ros::Result<std::string> json_error_message(const ClientJsonError& error);

}  // namespace ros::sync::protocol
