// ros-perm's subcommands (declared in commands.hpp).
#include <iomanip>
#include <iostream>

#include "authd/commands.hpp"
#include "config/duration.hpp"

namespace ros::authd {
namespace {

using nlohmann::json;

std::string rights_text(const json& entry) {
  std::string out;
  for (const char* flag : {"read", "write", "manage"}) {
    if (entry[flag].get<bool>()) out += (out.empty() ? "" : ", ") + std::string(flag);
  }
  return out.empty() ? "no rights" : out;
}

std::string who(const json& entry) {
  if (entry["username"].is_string()) return entry["username"].get<std::string>();
  return entry["user"].get<std::string>();  // an id, or "*"
}

json change_args(const std::string& user, const std::string& realm, RightsFlags rights,
                 const std::optional<std::string>& owner) {
  json args = {{"user", user}, {"realm", realm}};
  if (rights.read) args["read"] = true;
  if (rights.write) args["write"] = true;
  if (rights.manage) args["manage"] = true;
  if (owner) args["owner"] = *owner;
  return args;
}

void print_entries(const json& result, std::ostream& out) {
  if (result["entries"].empty()) out << "no Realm changed\n";
  for (const auto& e : result["entries"]) {
    out << who(e) << " on " << e["realm"].get<std::string>() << ": " << rights_text(e) << "\n";
  }
}

}  // namespace

int perm_grant(const CommandOptions& o, const std::string& user, const std::string& realm,
               RightsFlags rights, const std::optional<std::string>& owner) {
  if (!rights.any()) {
    std::cerr << o.program << ": grant needs at least one of --read, --write, --manage\n";
    return control::kExitUsage;
  }
  return run_op(o, "perm.grant", change_args(user, realm, rights, owner), print_entries);
}

int perm_revoke(const CommandOptions& o, const std::string& user, const std::string& realm,
                RightsFlags rights, const std::optional<std::string>& owner) {
  return run_op(o, "perm.revoke", change_args(user, realm, rights, owner), print_entries);
}

int perm_show(const CommandOptions& o, const std::string& realm,
              const std::optional<std::string>& owner) {
  json args = {{"realm", realm}};
  if (owner) args["owner"] = *owner;
  return run_op(o, "perm.show", args, [](const json& r, std::ostream& out) {
    out << "Realm " << r["realm"].get<std::string>();
    if (r["owner"].is_string()) out << " (owner " << r["owner"].get<std::string>() << ")";
    out << "\n";
    if (r["entries"].empty()) out << "  no permissions granted\n";
    for (const auto& e : r["entries"]) {
      out << "  " << std::left << std::setw(34) << who(e) << rights_text(e) << "\n";
    }
  });
}

int perm_list(const CommandOptions& o, const std::optional<std::string>& user) {
  json args = json::object();
  if (user) args["user"] = *user;
  return run_op(o, "perm.list", args, [](const json& r, std::ostream& out) {
    out << std::left << std::setw(48) << "REALM" << std::setw(34) << "USER" << "RIGHTS\n";
    for (const auto& e : r["entries"]) {
      out << std::setw(48) << e["realm"].get<std::string>() << std::setw(34) << who(e)
          << rights_text(e) << "\n";
    }
  });
}

int offer_create(const CommandOptions& o, const std::string& realm, RightsFlags rights,
                 const std::optional<std::string>& expires, const std::optional<std::string>& as) {
  json args = {{"realm", realm}, {"read", rights.read}, {"write", rights.write},
               {"manage", rights.manage}};
  if (expires) {
    auto seconds = config::parse_duration(*expires);
    if (!seconds) {
      std::cerr << o.program << ": --expires: '" << *expires
                << "' is not a duration (e.g. 3600, 30m, 12h, 7d)\n";
      return control::kExitUsage;
    }
    args["expires"] = *seconds;
  }
  if (as) args["as"] = *as;
  return run_op(o, "offer.create", args, [](const json& r, std::ostream& out) {
    out << r["token"].get<std::string>() << "\n";
  });
}

int offer_list(const CommandOptions& o, const std::optional<std::string>& as) {
  json args = json::object();
  if (as) args["as"] = *as;
  return run_op(o, "offer.list", args, [](const json& r, std::ostream& out) {
    out << std::left << std::setw(34) << "TOKEN" << std::setw(48) << "REALM" << std::setw(22)
        << "RIGHTS" << "STATE\n";
    for (const auto& offer : r["offers"]) {
      out << std::setw(34) << offer["token"].get<std::string>() << std::setw(48)
          << offer["realm"].get<std::string>() << std::setw(22) << rights_text(offer)
          << (offer["revoked"].get<bool>() ? "revoked" : "open") << "\n";
    }
  });
}

int offer_revoke(const CommandOptions& o, const std::string& token) {
  return run_op(o, "offer.revoke", {{"token", token}}, [](const json& r, std::ostream& out) {
    out << "revoked offer " << r["revoked"].get<std::string>() << "\n";
  });
}

int offer_accept(const CommandOptions& o, const std::string& token, const std::string& user) {
  return run_op(o, "offer.accept", {{"token", token}, {"user", user}},
                [](const json& e, std::ostream& out) {
                  out << who(e) << " on " << e["realm"].get<std::string>() << ": "
                      << rights_text(e) << "\n";
                });
}

int perm_watch(const CommandOptions& o) {
  return run_op(
      o, "perm.changed", json::object(),
      [](const json& n, std::ostream& out) {
        if (n.contains("subscribed")) return;
        if (n.contains("lost")) {
          out << n["lost"].get<std::int64_t>() << " notices lost\n";
          return;
        }
        out << n["event"].get<std::string>() << " " << n["user"].get<std::string>();
        if (n["realm"].is_string()) out << " " << n["realm"].get<std::string>();
        if (n["rights"].is_object()) out << " " << rights_text(n["rights"]);
        out << std::endl;
      },
      true);
}

}  // namespace ros::authd
