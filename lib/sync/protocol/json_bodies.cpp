#include "sync/protocol/json_bodies.hpp"

#include <nlohmann/json.hpp>

namespace ros::sync::protocol {

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::fatal: return "fatal";
    case LogLevel::error: return "error";
    case LogLevel::warn: return "warn";
    case LogLevel::info: return "info";
    case LogLevel::detail: return "detail";
    case LogLevel::debug: return "debug";
    case LogLevel::trace: return "trace";
  }
  return "debug";
}

std::string_view to_string(ErrorAction action) {
  switch (action) {
    case ErrorAction::protocol_violation: return "ProtocolViolation";
    case ErrorAction::application_bug: return "ApplicationBug";
    case ErrorAction::warning: return "Warning";
    case ErrorAction::transient: return "Transient";
    case ErrorAction::delete_realm: return "DeleteRealm";
    case ErrorAction::client_reset: return "ClientReset";
    case ErrorAction::client_reset_no_recovery: return "ClientResetNoRecovery";
    case ErrorAction::migrate_to_flx: return "MigrateToFLX";
    case ErrorAction::revert_to_pbs: return "RevertToPBS";
    case ErrorAction::refresh_user: return "RefreshUser";
    case ErrorAction::refresh_location: return "RefreshLocation";
    case ErrorAction::log_out_user: return "LogOutUser";
    case ErrorAction::migrate_schema: return "MigrateSchema";
  }
  return "ApplicationBug";
}

LogMessage make_log_message(std::uint64_t session_ident, LogLevel level, std::string_view msg,
                            std::string_view co_id) {
  nlohmann::json body = {{"level", to_string(level)}, {"msg", msg}};
  if (!co_id.empty()) body["co_id"] = co_id;
  // Invalid UTF-8 is replaced rather than thrown on: the text is for logs.
  return LogMessage{session_ident, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

ServerJsonError make_json_error(std::int64_t error_code, std::uint64_t session_ident,
                                const JsonErrorInfo& info) {
  nlohmann::json body = {{"action", to_string(info.action)},
                         {"isRecoveryModeDisabled", info.is_recovery_mode_disabled},
                         {"logURL", info.log_url},
                         {"message", info.message},
                         {"shouldClientReset", info.should_client_reset},
                         {"tryAgain", info.try_again}};
  return ServerJsonError{error_code, session_ident,
                         body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

ros::Result<std::string> json_error_message(const ClientJsonError& error) {
  nlohmann::json body = nlohmann::json::parse(error.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return make_error(Errc::invalid_argument, "the JSON_ERROR body is not a JSON object");
  }
  auto it = body.find("message");
  if (it == body.end() || !it->is_string()) {
    return make_error(Errc::invalid_argument, "the JSON_ERROR body has no string 'message'");
  }
  return it->get<std::string>();
}

}  // namespace ros::sync::protocol
