// A valid configuration for tests: a temporary data directory, a token key
// pair (made once per test process), and free loopback ports, written as YAML
// whose line numbers are fixed (see base_yaml), so tests can assert exact
// LINE:COL positions of errors.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "config/loader.hpp"
#include "config/scope.hpp"
#include "support/pki.hpp"
#include "support/temp_dir.hpp"

namespace ros::test {

// One RSA-2048 pair shared by the tests of a process (generation is slow).
const KeyPairFiles& shared_token_keys();

struct ConfigFixture {
  ConfigFixture();

  TempDir dir;
  std::filesystem::path root;  // <dir>/storage, an existing directory
  KeyPairFiles keys;
  std::uint16_t sync_port, http_port, proxy_http_port, proxy_https_port;

  // Line  1 storage:
  //       2   root_path: <root>
  //       3 auth:
  //       4   public_key_path: <public key>
  //       5   private_key_path: <private key>
  //       6 network:
  //       7   sync:
  //       8     listen_address: 127.0.0.1
  //       9     listen_port: <sync_port>
  //      10   http:
  //      11     listen_address: 127.0.0.1
  //      12     listen_port: <http_port>
  //      13 proxy:
  //      14   http:
  //      15     listen_address: 127.0.0.1
  //      16     listen_port: <proxy_http_port>
  //      17   https:
  //      18     listen_address: 127.0.0.1
  //      19     listen_port: <proxy_https_port>
  // then `extra`, from line 20 on.
  std::string base_yaml(const std::string& extra = "") const;

  // Writes base_yaml(extra) (or `text` as is, with write_text) to
  // <dir>/configuration.yml and returns its path.
  std::string write(const std::string& extra = "") const;
  std::string write_text(const std::string& text) const;

  // Loads and validates the written file for `scope` (the whole server by default).
  config::Loaded check(const std::string& file,
                       const config::Scope& scope = config::server_scope()) const;
};

// "LINE:COL: message" for each error, to compare with expectations.
std::vector<std::string> located_messages(const config::Loaded& loaded);

}  // namespace ros::test
