// The local-userpass hooks (apps.<id>.providers.local-userpass.
// confirmation_command and reset_command): an operator's executable that
// delivers a confirmation or password-reset token to the user, by mail or any
// other way. ros has no mail server of its own.
//
// The executable gets one JSON object on standard input and no arguments:
//   {"app_id":"ros-demo","email":"alice@example.com","purpose":"confirm",
//    "token":"<64 hex>","tokenId":"<24 hex>"}
// (purpose "reset" for resets). Exit status 0 means delivered. Its output (at
// most 4 KiB kept) goes to ros-authd's log. It runs with ros-authd's user and
// an empty environment except PATH, and is killed after kHookTimeout.
//
// Thread safety: run_hook blocks the calling thread (one of ros-authd's
// worker threads) until the program ends; safe from any thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.hpp"

namespace ros::authd {

inline constexpr std::chrono::seconds kHookTimeout{10};

// Runs `program` with `input` on stdin. Errors (unavailable) name the
// program and say why: cannot start, killed after the timeout, exit status.
Result<void> run_hook(const std::filesystem::path& program, const nlohmann::json& input,
                      std::chrono::milliseconds timeout = kHookTimeout);

}  // namespace ros::authd
