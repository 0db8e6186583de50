// The `apps` section of configuration.yml (App Services apps, issue 13): a
// mapping of app id to that app's settings, read into Config::apps.
//
//   apps:
//     <app id>:                       [A-Za-z0-9_-], 1-64 characters
//       public_url: https://host      optional; scheme http or https, no path
//       access_token_lifetime: 30m    optional duration
//       refresh_token_lifetime: 60d   optional duration
//       providers:                    a provider is enabled by its presence
//         local-userpass: {auto_confirm, confirmation_command, reset_command,
//                          allow_registration, token_lifetime}
//         anon-user:
//         api-key:
//         custom-token: {algorithm, key_path, audience, issuer, user_id_claim,
//                        metadata: {<profile field>: <claim>}}
//
// Every problem is reported into Loaded::errors at its node, like the rest
// of the loader: unknown keys (with the known ones named), wrong types, an
// invalid app id, custom-token without key_path, auto_confirm: false without
// confirmation_command. Files are not opened here (validate.hpp does that).
#pragma once

#include <yaml-cpp/yaml.h>

#include "config/loader.hpp"

namespace ros::config {

inline constexpr const char* kAppsKey = "apps";

// Reads `node` (the value of the top-level `apps` key) into out.config.apps.
void load_apps(const YAML::Node& node, Loaded& out);

// True for a valid app id: 1-64 characters of [A-Za-z0-9_-] (the SDKs put it
// into URLs without escaping).
bool is_valid_app_id(std::string_view id);

}  // namespace ros::config
