// The `apps` section (config/apps.hpp): what is accepted, with its defaults,
// then what is refused, each error at its line and column.
#include "config/apps.hpp"

#include <catch2/catch.hpp>

#include "config/fixture.hpp"
#include "config/loader.hpp"

using ros::config::parse_config;
using ros::test::located_messages;

TEST_CASE("config apps: an app with every provider, and the defaults", "[config]") {
  auto loaded = parse_config(
      "apps:\n"
      "  ros-demo:\n"
      "    public_url: https://ros.example.net/\n"
      "    access_token_lifetime: 10m\n"
      "    providers:\n"
      "      local-userpass:\n"
      "        auto_confirm: false\n"
      "        confirmation_command: /usr/local/bin/confirm\n"
      "        token_lifetime: 1h\n"
      "      anon-user:\n"
      "      api-key: {}\n"
      "      custom-token:\n"
      "        algorithm: HS256\n"
      "        key_path: /etc/realm/idp.secret\n"
      "        audience: ros-demo\n"
      "        metadata:\n"
      "          email: email\n"
      "  bare_app:\n",
      "c.yml");
  INFO(loaded.format_errors());
  REQUIRE(loaded.ok());
  const auto& apps = loaded.config.apps;
  REQUIRE(apps.size() == 2);
  const auto& app = apps.at("ros-demo");
  CHECK(app.id == "ros-demo");
  CHECK(app.public_url == "https://ros.example.net");
  CHECK(app.access_token_lifetime == 600);
  CHECK(app.refresh_token_lifetime == 5184000);
  CHECK(app.local_userpass.enabled);
  CHECK_FALSE(app.local_userpass.auto_confirm);
  CHECK(app.local_userpass.allow_registration);
  CHECK(*app.local_userpass.confirmation_command == "/usr/local/bin/confirm");
  CHECK(app.local_userpass.token_lifetime == 3600);
  CHECK(app.anon_user);
  CHECK(app.api_key);
  CHECK(app.custom_token.enabled);
  CHECK(app.custom_token.algorithm == "HS256");
  CHECK(app.custom_token.user_id_claim == "sub");
  CHECK(app.custom_token.metadata.at("email") == "email");
  const auto& bare = apps.at("bare_app");
  CHECK_FALSE(bare.local_userpass.enabled);
  CHECK_FALSE(bare.anon_user);
  CHECK_FALSE(bare.custom_token.enabled);
  CHECK(bare.access_token_lifetime == 1800);
}

TEST_CASE("config apps: bad apps are reported at their line and column", "[config]") {
  struct Rejected {
    const char* yaml;
    std::vector<std::string> errors;
  };
  const std::vector<Rejected> rows = {
      {"apps: 5\n", {"1:7: apps: expected a mapping of app ids to their settings"}},
      {"apps:\n  bad/id:\n", {"2:3: apps.bad/id: invalid app id (use 1-64 characters of A-Z a-z 0-9 _ -; "
                              "the SDKs put it into URLs as it is)"}},
      {"apps:\n  a:\n    colour: red\n",
       {"3:5: apps.a.colour: unknown key (known here: public_url, access_token_lifetime, "
        "refresh_token_lifetime, providers)"}},
      {"apps:\n  a:\n    providers:\n      oauth2-google:\n",
       {"4:7: apps.a.providers.oauth2-google: unknown key (known here: local-userpass, anon-user, "
        "api-key, custom-token)"}},
      {"apps:\n  a:\n    public_url: https://h/prefix\n",
       {"3:17: apps.a.public_url: 'https://h/prefix' is not an origin: use http:// or https://, a host "
        "and an optional port, no path"}},
      {"apps:\n  a:\n    access_token_lifetime: soon\n",
       {"3:28: apps.a.access_token_lifetime: expected a duration (e.g. 600, 10m, 12h, 30d)"}},
      {"apps:\n  a:\n    providers:\n      local-userpass:\n        auto_confirm: false\n",
       {"4:7: apps.a.providers.local-userpass: auto_confirm is false but no confirmation_command is set "
        "(how would users get their confirmation token?)"}},
      {"apps:\n  a:\n    providers:\n      custom-token:\n        algorithm: none\n",
       {"5:20: apps.a.providers.custom-token.algorithm: 'none' is not supported (use RS256 or HS256)",
        "4:7: apps.a.providers.custom-token: missing key_path: the PEM public key (RS256) or the file "
        "holding the shared secret (HS256) that signs the app's tokens"}},
      {"apps:\n  a:\n    providers:\n      anon-user:\n        enabled: true\n",
       {"5:9: apps.a.providers.anon-user.enabled: unknown key (this section takes no settings)"}},
  };
  for (const auto& row : rows) {
    INFO(row.yaml);
    auto loaded = parse_config(row.yaml, "c.yml");
    CHECK(located_messages(loaded) == row.errors);
  }
}
