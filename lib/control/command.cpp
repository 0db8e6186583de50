#include "control/command.hpp"

#include <iostream>

namespace ros::control {
namespace {

int refused(const Command& command, const Error& error, std::ostream& err) {
  err << command.program << ": " << error.message << "\n";
  return kExitRefused;
}

// Prints one result; false if the renderer threw.
bool print(const Command& command, const Render& render, const json& result,
           std::ostream& out, std::ostream& err) {
  if (command.quiet) return true;
  if (command.json_output) {
    out << dump(result) << "\n";
    return true;
  }
  try {
    if (render) {
      render(result, out);
    } else {
      out << result.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    }
  } catch (const std::exception& e) {
    err << command.program << ": internal error while printing the result: " << e.what() << "\n";
    return false;
  }
  return true;
}

Result<Client> open(const Command& command) {
  auto client = Client::connect(socket_path(command.socket_dir, command.daemon), command.daemon,
                                command.timeout);
  if (!client) return client;
  if (auto checked = client->check_protocol(); !checked) return checked.error();
  return client;
}

}  // namespace

int run_command(const Command& command, const Render& render, std::ostream& out,
                std::ostream& err) {
  auto client = open(command);
  if (!client) return refused(command, client.error(), err);
  auto result = client->call(command.op, command.args);
  if (!result) return refused(command, result.error(), err);
  out.flush();
  return print(command, render, *result, out, err) ? kExitOk : kExitRefused;
}

int run_command(const Command& command, const Render& render) {
  return run_command(command, render, std::cout, std::cerr);
}

int run_stream_command(const Command& command, const Render& render, std::ostream& out,
                       std::ostream& err) {
  auto client = open(command);
  if (!client) return refused(command, client.error(), err);
  bool printed = true;
  auto streamed = client->stream(command.op, command.args, [&](const json& result) {
    printed = print(command, render, result, out, err);
    out.flush();
    return printed;
  });
  if (!streamed) return refused(command, streamed.error(), err);
  return printed ? kExitOk : kExitRefused;
}

int run_stream_command(const Command& command, const Render& render) {
  return run_stream_command(command, render, std::cout, std::cerr);
}

}  // namespace ros::control
