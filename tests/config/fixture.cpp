#include "config/fixture.hpp"

#include "config/validate.hpp"
#include "support/net.hpp"

namespace ros::test {

const KeyPairFiles& shared_token_keys() {
  static TempDir keys_dir;
  static KeyPairFiles keys = make_rsa_key_pair(keys_dir.path(), "token");
  return keys;
}

ConfigFixture::ConfigFixture()
    : root(dir / "storage"),
      keys(shared_token_keys()),
      sync_port(free_tcp_port()),
      http_port(free_tcp_port()),
      proxy_http_port(free_tcp_port()),
      proxy_https_port(free_tcp_port()) {
  std::filesystem::create_directories(root);
}

std::string ConfigFixture::base_yaml(const std::string& extra) const {
  return "storage:\n"
         "  root_path: " + root.string() + "\n"
         "auth:\n"
         "  public_key_path: " + keys.public_key.string() + "\n"
         "  private_key_path: " + keys.private_key.string() + "\n"
         "network:\n"
         "  sync:\n"
         "    listen_address: 127.0.0.1\n"
         "    listen_port: " + std::to_string(sync_port) + "\n"
         "  http:\n"
         "    listen_address: 127.0.0.1\n"
         "    listen_port: " + std::to_string(http_port) + "\n"
         "proxy:\n"
         "  http:\n"
         "    listen_address: 127.0.0.1\n"
         "    listen_port: " + std::to_string(proxy_http_port) + "\n"
         "  https:\n"
         "    listen_address: 127.0.0.1\n"
         "    listen_port: " + std::to_string(proxy_https_port) + "\n" + extra;
}

std::string ConfigFixture::write(const std::string& extra) const {
  return write_text(base_yaml(extra));
}

std::string ConfigFixture::write_text(const std::string& text) const {
  return dir.write("configuration.yml", text).string();
}

config::Loaded ConfigFixture::check(const std::string& file, const config::Scope& scope) const {
  config::Overrides overrides;
  overrides.config_file = file;
  return config::load_and_validate(overrides, scope);
}

std::vector<std::string> located_messages(const config::Loaded& loaded) {
  std::vector<std::string> out;
  for (const auto& e : loaded.errors) {
    std::string at;
    if (e.source.location.known()) {
      at = std::to_string(e.source.location.line) + ":" +
           std::to_string(e.source.location.column) + ": ";
    }
    out.push_back(at + e.message);
  }
  return out;
}

}  // namespace ros::test
