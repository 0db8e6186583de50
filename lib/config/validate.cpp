#include "config/validate.hpp"

#include <unistd.h>

#include <algorithm>

#include "auth/jwt.hpp"
#include "config/port_probe.hpp"
#include "crypto/certificate.hpp"
#include "crypto/pem_keys.hpp"

namespace ros::config {
namespace {

std::string quoted(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

void check_storage(Loaded& loaded) {
  const auto& root = loaded.config.storage.root_path;
  const std::string key = "storage.root_path";
  if (root.empty()) {
    loaded.add_error(key, "missing: set it to the data directory "
                          "(e.g. /var/lib/realm/object-server), or pass --root DIR");
    return;
  }
  std::error_code ec;
  auto status = std::filesystem::status(root, ec);
  if (!std::filesystem::exists(status)) {
    loaded.add_error(key, quoted(root) + " does not exist (create it: mkdir -p " + root.string() +
                              ")");
  } else if (!std::filesystem::is_directory(status)) {
    loaded.add_error(key, quoted(root) + " is not a directory");
  } else if (::access(root.c_str(), W_OK | X_OK) != 0) {
    loaded.add_error(key, quoted(root) + " is not writable by uid " + std::to_string(::getuid()) +
                              " (chown it to the user the daemons run as)");
  }
  if (const auto& dir = loaded.config.control.socket_dir) {
    if (std::filesystem::exists(*dir, ec) && !std::filesystem::is_directory(*dir, ec)) {
      loaded.add_error("control.socket_dir", quoted(*dir) + " exists and is not a directory");
    }
  }
}

// Loads the key at `key`'s path with `load`; reports a missing path or a bad file.
template <class Load>
std::optional<crypto::Pkey> load_key(Loaded& loaded, const std::string& key,
                                     const std::filesystem::path& path, const char* option,
                                     const char* what, Load load) {
  if (path.empty()) {
    std::string message = std::string("missing: set it to the PEM file of the ") + what;
    if (option != nullptr) message += std::string(", or pass ") + option + " FILE";
    loaded.add_error(key, message);
    return std::nullopt;
  }
  auto result = load(path);
  if (!result) {
    loaded.add_error(key, result.error().message);
    return std::nullopt;
  }
  return std::move(result).value();
}

void check_token_keys(Loaded& loaded, const Scope& scope) {
  const auto& auth = loaded.config.auth;
  std::optional<crypto::Pkey> public_key, private_key;
  if (scope.public_key) {
    public_key = load_key(loaded, "auth.public_key_path", auth.public_key_path, "--public-key",
                          "RSA public key that verifies tokens", crypto::load_rsa_public_key);
  }
  if (scope.private_key) {
    private_key = load_key(loaded, "auth.private_key_path", auth.private_key_path,
                           "--private-key", "RSA private key that signs tokens",
                           crypto::load_rsa_private_key);
  }
  if (public_key && private_key && !crypto::keys_match(private_key->get(), public_key->get())) {
    loaded.add_error("auth.public_key_path",
                     quoted(auth.public_key_path) + " is not the public key of " +
                         quoted(auth.private_key_path) +
                         " (a probe signed with the private key does not verify; make the "
                         "public key with: openssl rsa -in " + auth.private_key_path.string() +
                         " -pubout -out " + auth.public_key_path.string() + ")");
  }
}

void check_providers(Loaded& loaded) {
  const auto& p = loaded.config.auth.providers;
  auto require = [&](bool enabled, const std::string& value, const std::string& key,
                     const char* meaning) {
    if (enabled && value.empty()) {
      loaded.add_error(key, std::string("missing: the provider needs ") + meaning);
    }
  };
  require(p.google.enabled, p.google.client_id, "auth.providers.google.clientId",
          "the OAuth 2.0 client id of your app");
  require(p.azuread.enabled, p.azuread.tenant_id, "auth.providers.azuread.tenant_id",
          "the Azure AD tenant id");
  if (!p.cloudkit.enabled) return;
  require(true, p.cloudkit.key_id, "auth.providers.cloudkit.key_id",
          "the CloudKit server-to-server key id");
  require(true, p.cloudkit.container, "auth.providers.cloudkit.container",
          "the CloudKit container, e.g. iCloud.io.realm.example");
  require(true, p.cloudkit.private_key_path.string(), "auth.providers.cloudkit.private_key_path",
          "the PEM file of the server-to-server private key");
  if (!p.cloudkit.private_key_path.empty()) {
    auto key = crypto::load_private_key(p.cloudkit.private_key_path);
    if (!key) loaded.add_error("auth.providers.cloudkit.private_key_path", key.error().message);
  }
  if (p.cloudkit.environment != "development" && p.cloudkit.environment != "production") {
    loaded.add_error("auth.providers.cloudkit.environment",
                     "'" + p.cloudkit.environment + "' is not development or production");
  }
}

void check_logging(Loaded& loaded) {
  const auto& path = loaded.config.logging.path;
  if (!path) return;
  std::error_code ec;
  auto dir = path->parent_path();
  if (!std::filesystem::is_directory(dir, ec)) {
    loaded.add_error("logging.path", "the directory " + quoted(dir) + " of the log file does not exist");
  } else if (std::filesystem::is_directory(*path, ec)) {
    loaded.add_error("logging.path", quoted(*path) + " is a directory, not a file");
  }
}

struct EnabledListener {
  std::string key;  // e.g. "network.sync"
  const Listener* listener;
};

std::vector<EnabledListener> enabled_listeners(const Config& c) {
  std::vector<EnabledListener> out{{"network.sync", &c.network.sync},
                                   {"network.http", &c.network.http}};
  if (c.proxy.http.enable) out.push_back({"proxy.http", &c.proxy.http.listener});
  if (c.proxy.https.enable) out.push_back({"proxy.https", &c.proxy.https.listener});
  return out;
}

void check_listeners(Loaded& loaded, const Scope& scope) {
  auto listeners = enabled_listeners(loaded.config);
  std::vector<std::string> clashing;
  for (std::size_t j = 0; j < listeners.size(); ++j) {
    for (std::size_t i = 0; i < j; ++i) {
      if (listeners[i].listener->listen_port != listeners[j].listener->listen_port) continue;
      std::string first = listeners[i].key + ".listen_port";
      std::string second = listeners[j].key + ".listen_port";
      // Point at a key the operator wrote, not at one left at its default.
      if (!loaded.sources.count(second) && loaded.sources.count(first)) std::swap(first, second);
      loaded.add_error(second, "port " + std::to_string(listeners[j].listener->listen_port) +
                                   " is also " + first + " (give each service its own port)");
      clashing.push_back(listeners[i].key);
      clashing.push_back(listeners[j].key);
    }
  }
  for (const auto& entry : listeners) {
    if (std::find(scope.listeners.begin(), scope.listeners.end(), entry.key) ==
            scope.listeners.end() ||
        std::find(clashing.begin(), clashing.end(), entry.key) != clashing.end()) {
      continue;
    }
    auto probe = probe_listen(entry.listener->listen_address, entry.listener->listen_port);
    if (!probe) loaded.add_error(entry.key + ".listen_port", probe.error().message);
  }
}

void check_proxy_tls(Loaded& loaded) {
  const auto& https = loaded.config.proxy.https;
  if (!https.enable) return;
  std::optional<crypto::Certificate> cert;
  if (https.certificate_path.empty()) {
    loaded.add_error("proxy.https.certificate_path",
                     "missing: proxy.https.enable is true, so a PEM certificate is required");
  } else if (auto loaded_cert = crypto::load_certificate(https.certificate_path); !loaded_cert) {
    loaded.add_error("proxy.https.certificate_path", loaded_cert.error().message);
  } else {
    cert = std::move(loaded_cert).value();
  }
  auto key = load_key(loaded, "proxy.https.private_key_path", https.private_key_path, nullptr,
                      "certificate's private key", crypto::load_private_key);
  if (!cert || !key) return;

  auto facts = crypto::inspect_certificate(cert->get(), key->get());
  if (!facts.key_matches) {
    loaded.add_error("proxy.https.private_key_path",
                     quoted(https.private_key_path) + " is not the key of the certificate " +
                         quoted(https.certificate_path));
  }
  if (facts.self_signed && !https.allow_self_signed) {
    loaded.add_error("proxy.https.certificate_path",
                     quoted(https.certificate_path) + " is self-signed (" + facts.subject +
                         "); use a certificate from a certificate authority, or set "
                         "proxy.https.allow_self_signed: true for development");
  }
  if (facts.expired) {
    loaded.add_error("proxy.https.certificate_path",
                     quoted(https.certificate_path) + " has expired; renew it");
  } else if (facts.not_yet_valid) {
    loaded.add_error("proxy.https.certificate_path",
                     quoted(https.certificate_path) + " is not valid yet; check the clock");
  }
}

}  // namespace

// apps.*: the custom-token keys load, the hooks are executables.
void check_apps(Loaded& loaded) {
  for (const auto& [id, app] : loaded.config.apps) {
    const std::string key = "apps." + id + ".providers";
    if (app.custom_token.enabled && !app.custom_token.key_path.empty()) {
      auto k = auth::CustomTokenKey::load(app.custom_token.algorithm, app.custom_token.key_path);
      if (!k) loaded.add_error(key + ".custom-token.key_path", k.error().message);
    }
    for (auto [name, program] : {std::pair{"confirmation_command", &app.local_userpass.confirmation_command},
                                 std::pair{"reset_command", &app.local_userpass.reset_command}}) {
      if (!app.local_userpass.enabled || !*program) continue;
      if (::access((*program)->c_str(), X_OK) != 0 || std::filesystem::is_directory(**program)) {
        loaded.add_error(key + ".local-userpass." + name,
                         quoted(**program) + " is not an executable file");
      }
    }
  }
}

void validate(Loaded& loaded, const Scope& scope) {
  if (scope.storage) check_storage(loaded);
  check_token_keys(loaded, scope);
  if (scope.providers) check_providers(loaded);
  if (scope.providers) check_apps(loaded);
  check_logging(loaded);
  if (scope.proxy_tls) check_proxy_tls(loaded);
  check_listeners(loaded, scope);
}

Loaded load_and_validate(const Overrides& overrides, const Scope& scope) {
  Loaded loaded = load_config(overrides);
  // Validate even after load errors, so that one run reports every problem.
  if (loaded.parsed) validate(loaded, scope);
  return loaded;
}

}  // namespace ros::config
