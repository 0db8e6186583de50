#include "authd/commands.hpp"

#include <ctime>
#include <iomanip>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/password_input.hpp"
#include "control/command.hpp"

namespace ros::authd {
namespace {

using nlohmann::json;

// The control command for `op`, or the exit status when the configuration
// cannot be read (its errors printed).
std::optional<control::Command> command_for(const CommandOptions& o, std::string op, json args,
                                            int& status) {
  config::Loaded loaded = config::load_config(o.config);
  if (!loaded.ok()) {
    std::cerr << loaded.format_errors();
    std::cerr << o.program << ": cannot read the configuration (check it with: ros-check-config "
              << loaded.file_as_given << ")\n";
    status = control::kExitRefused;
    return std::nullopt;
  }
  control::Command c;
  c.program = o.program;
  c.daemon = "ros-authd";
  c.socket_dir = loaded.config.effective_socket_dir();
  c.op = std::move(op);
  c.args = std::move(args);
  c.json_output = o.json;
  c.quiet = o.quiet;
  return c;
}


std::string date_of(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string name_of(const json& user) {
  return user["username"].is_string() ? user["username"].get<std::string>()
                                      : user["id"].get<std::string>();
}

void print_user(const json& user, std::ostream& out) {
  out << "id:         " << user["id"].get<std::string>() << "\n"
      << "username:   " << (user["username"].is_string() ? user["username"].get<std::string>() : "-")
      << "\n"
      << "admin:      " << (user["is_admin"].get<bool>() ? "yes" : "no") << "\n"
      << "created:    " << date_of(user["created_at"].get<std::int64_t>()) << "\n";
  for (const auto& identity : user["identities"]) {
    out << "identity:   " << identity["provider"].get<std::string>() << " "
        << identity["provider_id"].get<std::string>() << "\n";
  }
}

Result<std::string> new_password(bool from_stdin) {
  return from_stdin ? cli::read_password_stdin() : cli::read_new_password_tty();
}

int password_error(const CommandOptions& o, const Error& e) {
  std::cerr << o.program << ": " << e.message << "\n";
  return control::kExitRefused;
}

int run(const CommandOptions& o, std::string op, json args, const control::Render& render) {
  return run_op(o, std::move(op), std::move(args), render);
}

}  // namespace

int run_op(const CommandOptions& o, std::string op, json args, const control::Render& render,
           bool stream) {
  int status = 0;
  auto command = command_for(o, std::move(op), std::move(args), status);
  if (!command) return status;
  return stream ? control::run_stream_command(*command, render)
                : control::run_command(*command, render);
}

int user_add(const CommandOptions& o, const std::string& username, bool admin, bool password_stdin) {
  auto password = new_password(password_stdin);
  if (!password) return password_error(o, password.error());
  return run(o, "user.add", {{"username", username}, {"password", *password}, {"admin", admin}},
             [](const json& user, std::ostream& out) {
               out << "added " << (user["is_admin"].get<bool>() ? "admin " : "") << "user '"
                   << name_of(user) << "' (id " << user["id"].get<std::string>() << ")\n";
             });
}

int user_list(const CommandOptions& o) {
  return run(o, "user.list", json::object(), [](const json& result, std::ostream& out) {
    out << std::left << std::setw(34) << "ID" << std::setw(24) << "USERNAME" << std::setw(7)
        << "ADMIN" << "CREATED\n";
    for (const auto& user : result["users"]) {
      out << std::setw(34) << user["id"].get<std::string>() << std::setw(24)
          << (user["username"].is_string() ? user["username"].get<std::string>() : "-")
          << std::setw(7) << (user["is_admin"].get<bool>() ? "yes" : "no")
          << date_of(user["created_at"].get<std::int64_t>()) << "\n";
    }
  });
}

int user_show(const CommandOptions& o, const std::string& user) {
  return run(o, "user.show", {{"user", user}}, print_user);
}

int user_remove(const CommandOptions& o, const std::string& user) {
  return run(o, "user.remove", {{"user", user}}, [&](const json& result, std::ostream& out) {
    out << "removed user '" << user << "' (id " << result["removed"].get<std::string>() << ")\n";
  });
}

int user_passwd(const CommandOptions& o, const std::string& user, bool password_stdin) {
  auto password = new_password(password_stdin);
  if (!password) return password_error(o, password.error());
  return run(o, "user.passwd", {{"user", user}, {"password", *password}},
             [](const json& result, std::ostream& out) {
               out << "changed the password of '" << name_of(result) << "'\n";
             });
}

int user_admin(const CommandOptions& o, const std::string& user, bool grant) {
  return run(o, "user.admin", {{"user", user}, {"grant", grant}},
             [](const json& result, std::ostream& out) {
               out << "'" << name_of(result) << "' is "
                   << (result["is_admin"].get<bool>() ? "now" : "no longer") << " an admin\n";
             });
}

int token_admin(const CommandOptions& o, bool rotate) {
  return run(o, rotate ? "token.admin.rotate" : "token.admin", json::object(),
             [](const json& result, std::ostream& out) {
    out << result["token"].get<std::string>() << "\n";
  });
}

int token_mint(const CommandOptions& o, const std::string& user,
               const std::optional<std::string>& path, const std::optional<std::string>& access,
               const std::optional<std::int64_t>& expires) {
  json args = {{"user", user}};
  if (path) args["path"] = *path;
  if (access) {
    json rights = json::array();
    std::string list = *access;
    std::size_t start = 0;
    while (start <= list.size()) {
      std::size_t comma = list.find(',', start);
      if (comma == std::string::npos) comma = list.size();
      std::string right = list.substr(start, comma - start);
      if (!right.empty()) rights.push_back(right);
      start = comma + 1;
    }
    args["access"] = rights;
  }
  if (expires) args["expires"] = *expires;
  return run(o, "token.mint", args, [](const json& result, std::ostream& out) {
    out << result["token"].get<std::string>() << "\n";
  });
}

int token_inspect(const CommandOptions& o, const std::string& token) {
  return run(o, "token.inspect", {{"token", token}}, [](const json& result, std::ostream& out) {
    const json& data = result["token_data"];
    out << "kind:       " << result["kind"].get<std::string>() << "\n";
    out << "identity:   " << data["identity"].get<std::string>() << "\n";
    if (data.contains("path")) out << "path:       " << data["path"].get<std::string>() << "\n";
    std::string rights;
    for (const auto& r : data["access"]) rights += (rights.empty() ? "" : ",") + r.get<std::string>();
    out << "access:     " << (rights.empty() ? "-" : rights) << "\n";
    if (data.contains("admin")) out << "admin:      " << (data["admin"].get<bool>() ? "yes" : "no") << "\n";
    if (data.contains("timestamp")) out << "issued:     " << date_of(data["timestamp"].get<std::int64_t>()) << "\n";
    out << "expires:    "
        << (data.contains("expires") ? date_of(data["expires"].get<std::int64_t>()) : "never") << "\n";
    out << "valid:      "
        << (result["valid"].get<bool>() ? "yes" : "no (" + result["error"].get<std::string>() + ")")
        << "\n";
  });
}

}  // namespace ros::authd
