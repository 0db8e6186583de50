#include "config/apps.hpp"

#include <functional>
#include <set>

#include "config/duration.hpp"

namespace ros::config {
namespace {

Location location_of(const YAML::Mark& mark) {
  if (mark.is_null()) return {};
  return {mark.line + 1, mark.column + 1};
}

class AppsReader {
 public:
  explicit AppsReader(Loaded& out) : out_(out) {}

  void read(const YAML::Node& apps) {
    if (apps.IsNull()) return;
    if (!apps.IsMap()) {
      error(apps, std::string(kAppsKey) + ": expected a mapping of app ids to their settings");
      return;
    }
    for (auto it = apps.begin(); it != apps.end(); ++it) {
      if (!it->first.IsScalar()) {
        error(it->first, std::string(kAppsKey) + ": an app id must be a plain name");
        continue;
      }
      const std::string id = it->first.Scalar();
      const std::string key = std::string(kAppsKey) + "." + id;
      out_.sources[key] = {out_.file_as_given, location_of(it->first.Mark())};
      if (!is_valid_app_id(id)) {
        error(it->first, key + ": invalid app id (use 1-64 characters of A-Z a-z 0-9 _ -; "
                               "the SDKs put it into URLs as it is)");
        continue;
      }
      if (out_.config.apps.count(id)) {
        error(it->first, key + ": duplicate app id (keep one)");
        continue;
      }
      AppConfig& app = out_.config.apps[id];
      app.id = id;
      read_app(it->second, key, app, it->first);
    }
  }

 private:
  void error(const YAML::Node& at, std::string message) {
    out_.errors.push_back({{out_.file_as_given, location_of(at.Mark())}, std::move(message)});
  }

  using Handler = std::function<void(const std::string& key, const YAML::Node& value)>;

  // Calls the handler of each key of `map`; unknown keys are errors naming
  // the known ones.
  void each_key(const YAML::Node& map, const std::string& prefix, const YAML::Node& owner,
                const std::vector<std::pair<std::string, Handler>>& handlers) {
    if (map.IsNull()) return;
    if (!map.IsMap()) {
      error(owner, prefix + ": expected a section (a mapping of keys)");
      return;
    }
    std::set<std::string> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      const std::string name = it->first.IsScalar() ? it->first.Scalar() : "";
      const std::string key = prefix + "." + name;
      if (!seen.insert(name).second) {
        error(it->first, key + ": duplicate key (keep one)");
        continue;
      }
      const Handler* handler = nullptr;
      for (const auto& [known, h] : handlers) {
        if (known == name) handler = &h;
      }
      if (handler == nullptr) {
        std::string names;
        for (const auto& [known, h] : handlers) names += (names.empty() ? "" : ", ") + known;
        error(it->first, key + (names.empty() ? ": unknown key (this section takes no settings)"
                                              : ": unknown key (known here: " + names + ")"));
        continue;
      }
      // A section is located at its key, a value at itself.
      out_.sources[key] = {out_.file_as_given,
                           location_of(it->second.IsNull() || it->second.IsMap() ? it->first.Mark()
                                                                                 : it->second.Mark())};
      (*handler)(key, it->second.IsNull() ? YAML::Node(YAML::NodeType::Null) : it->second);
    }
  }

  bool scalar(const std::string& key, const YAML::Node& value, const char* expected) {
    if (value.IsScalar()) return true;
    out_.add_error(key, std::string("expected ") + expected);
    return false;
  }

  Handler string_into(std::string& target) {
    return [this, &target](const std::string& key, const YAML::Node& v) {
      if (scalar(key, v, "a string")) target = v.Scalar();
    };
  }
  Handler optional_string_into(std::optional<std::string>& target) {
    return [this, &target](const std::string& key, const YAML::Node& v) {
      if (scalar(key, v, "a string")) target = v.Scalar();
    };
  }
  Handler path_into(std::filesystem::path& target) {
    return [this, &target](const std::string& key, const YAML::Node& v) {
      if (!scalar(key, v, "a path")) return;
      if (v.Scalar().empty()) {
        out_.add_error(key, "the path is empty");
        return;
      }
      target = std::filesystem::absolute(v.Scalar()).lexically_normal();
    };
  }
  Handler optional_path_into(std::optional<std::filesystem::path>& target) {
    return [this, &target](const std::string& key, const YAML::Node& v) {
      std::filesystem::path p;
      path_into(p)(key, v);
      if (!p.empty()) target = p;
    };
  }
  Handler bool_into(bool& target) {
    return [this, &target](const std::string& key, const YAML::Node& v) {
      bool flag = false;
      if (!v.IsScalar() || !YAML::convert<bool>::decode(v, flag)) {
        out_.add_error(key, "expected true or false");
        return;
      }
      target = flag;
    };
  }
  Handler duration_into(std::int64_t& target) {
    return [this, &target](const std::string& key, const YAML::Node& v) {
      auto n = v.IsScalar() ? parse_duration(v.Scalar()) : std::nullopt;
      if (!n) {
        out_.add_error(key, "expected a duration (e.g. 600, 10m, 12h, 30d)");
        return;
      }
      target = *n;
    };
  }

  void read_app(const YAML::Node& node, const std::string& key, AppConfig& app,
                const YAML::Node& owner) {
    each_key(node, key, owner,
             {{"public_url",
               [this, &app](const std::string& k, const YAML::Node& v) {
                 if (!scalar(k, v, "a URL such as https://ros.example.net")) return;
                 std::string url = v.Scalar();
                 while (!url.empty() && url.back() == '/') url.pop_back();
                 auto scheme_end = url.find("://");
                 std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
                 std::string rest = scheme_end == std::string::npos ? "" : url.substr(scheme_end + 3);
                 if ((scheme != "http" && scheme != "https") || rest.empty() ||
                     rest.find_first_of("/?#@ ") != std::string::npos) {
                   out_.add_error(k, "'" + v.Scalar() + "' is not an origin: use http:// or "
                                     "https://, a host and an optional port, no path");
                   return;
                 }
                 app.public_url = url;
               }},
              {"access_token_lifetime", duration_into(app.access_token_lifetime)},
              {"refresh_token_lifetime", duration_into(app.refresh_token_lifetime)},
              {"providers", [this, &app, &owner](const std::string& k, const YAML::Node& v) {
                 read_providers(v, k, app, owner);
               }}});
  }

  void read_providers(const YAML::Node& node, const std::string& key, AppConfig& app,
                      const YAML::Node& owner) {
    each_key(
        node, key, owner,
        {{"local-userpass",
          [this, &app, &owner](const std::string& k, const YAML::Node& v) {
            auto& p = app.local_userpass;
            p.enabled = true;
            each_key(v, k, owner,
                     {{"auto_confirm", bool_into(p.auto_confirm)},
                      {"confirmation_command", optional_path_into(p.confirmation_command)},
                      {"reset_command", optional_path_into(p.reset_command)},
                      {"allow_registration", bool_into(p.allow_registration)},
                      {"token_lifetime", duration_into(p.token_lifetime)}});
            if (!p.auto_confirm && !p.confirmation_command) {
              out_.add_error(k, "auto_confirm is false but no confirmation_command is set "
                                "(how would users get their confirmation token?)");
            }
          }},
         {"anon-user",
          [this, &app, &owner](const std::string& k, const YAML::Node& v) {
            app.anon_user = true;
            each_key(v, k, owner, {});
          }},
         {"api-key",
          [this, &app, &owner](const std::string& k, const YAML::Node& v) {
            app.api_key = true;
            each_key(v, k, owner, {});
          }},
         {"custom-token", [this, &app, &owner](const std::string& k, const YAML::Node& v) {
            auto& p = app.custom_token;
            p.enabled = true;
            each_key(v, k, owner,
                     {{"algorithm", string_into(p.algorithm)},
                      {"key_path", path_into(p.key_path)},
                      {"audience", optional_string_into(p.audience)},
                      {"issuer", optional_string_into(p.issuer)},
                      {"user_id_claim", string_into(p.user_id_claim)},
                      {"metadata", [this, &p](const std::string& mk, const YAML::Node& m) {
                         if (m.IsNull()) return;
                         if (!m.IsMap()) {
                           out_.add_error(mk, "expected a mapping of profile field to claim name");
                           return;
                         }
                         for (auto it = m.begin(); it != m.end(); ++it) {
                           if (!it->first.IsScalar() || !it->second.IsScalar()) {
                             out_.add_error(mk, "each entry must be <profile field>: <claim name>");
                             continue;
                           }
                           p.metadata[it->first.Scalar()] = it->second.Scalar();
                         }
                       }}});
            if (p.algorithm != "RS256" && p.algorithm != "HS256") {
              out_.add_error(k + ".algorithm", "'" + p.algorithm + "' is not supported (use RS256 or HS256)");
            }
            if (p.key_path.empty()) {
              out_.add_error(k, "missing key_path: the PEM public key (RS256) or the file "
                                "holding the shared secret (HS256) that signs the app's tokens");
            }
            if (p.user_id_claim.empty()) out_.add_error(k + ".user_id_claim", "must not be empty");
          }}});
  }

  Loaded& out_;
};

}  // namespace

bool is_valid_app_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void load_apps(const YAML::Node& node, Loaded& out) { AppsReader(out).read(node); }

}  // namespace ros::config
