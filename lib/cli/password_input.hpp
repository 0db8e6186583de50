// Reading a password for a command, never from its arguments (they show in
// ps and in shell history): from the terminal without echo, asked twice, or
// from the first line of standard input (--password-stdin, for scripts).
#pragma once

#include <string>

#include "common/result.hpp"

namespace ros::cli {

// From standard input: the first line without its line ending. Errors:
// invalid_argument for an empty password.
Result<std::string> read_password_stdin();

// From the controlling terminal, echo off, asked twice ("Password: ",
// "Repeat password: "). Errors: invalid_argument when there is no terminal
// ("no terminal to read the password from; use --password-stdin"), when the
// two differ, or when it is empty.
Result<std::string> read_new_password_tty();

}  // namespace ros::cli
