// What the configuration points at: data directory, token keys, TLS files,
// log directory, ports; and which of these each daemon checks.
#include "config/validate.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>

#include "config/fixture.hpp"
#include "support/net.hpp"
#include "support/run.hpp"

using ros::config::daemon_scope;
using ros::test::ConfigFixture;
using ros::test::located_messages;
using Messages = std::vector<std::string>;

namespace {

std::string q(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

}  // namespace

TEST_CASE("config check: a complete configuration passes for the server and every daemon",
          "[config]") {
  ConfigFixture fx;
  auto file = fx.write();
  CHECK(located_messages(fx.check(file)) == Messages{});
  for (const char* daemon : {"ros-syncd", "ros-authd", "ros-proxy", "ros-fnd", "syncd"}) {
    INFO(daemon);
    auto scope = daemon_scope(daemon);
    REQUIRE(scope.has_value());
    CHECK(located_messages(fx.check(file, *scope)) == Messages{});
  }
  CHECK_FALSE(daemon_scope("ros-nope").has_value());
}

TEST_CASE("config check: the data directory must exist, be a directory and be writable",
          "[config]") {
  ConfigFixture fx;
  SECTION("missing key, no storage section") {
    auto file = fx.write_text("logging:\n  level: info\n");
    auto loaded = fx.check(file, *daemon_scope("ros-fnd"));
    CHECK(located_messages(loaded) ==
          Messages{"storage.root_path: missing: set it to the data directory "
                   "(e.g. /var/lib/realm/object-server), or pass --root DIR"});
  }
  SECTION("missing key, empty storage section") {
    auto file = fx.write_text("storage:\n  root_path:\n");
    CHECK(located_messages(fx.check(file, *daemon_scope("ros-fnd"))) ==
          Messages{"2:3: storage.root_path: missing: set it to the data directory "
                   "(e.g. /var/lib/realm/object-server), or pass --root DIR"});
  }
  SECTION("does not exist") {
    fx.root = fx.dir / "absent";
    auto file = fx.write();
    CHECK(located_messages(fx.check(file)) ==
          Messages{"2:14: storage.root_path: " + q(fx.root) +
                   " does not exist (create it: mkdir -p " + fx.root.string() + ")"});
  }
  SECTION("is a file") {
    fx.root = fx.dir.write("plain-file", "x");
    auto file = fx.write();
    CHECK(located_messages(fx.check(file)) ==
          Messages{"2:14: storage.root_path: " + q(fx.root) + " is not a directory"});
  }
  SECTION("is not writable") {
    auto file = fx.write_text("storage:\n  root_path: " + fx.root.string() + "\n");
    if (::geteuid() != 0) {
      std::filesystem::permissions(fx.root, std::filesystem::perms::owner_read |
                                                std::filesystem::perms::owner_exec);
      CHECK(located_messages(fx.check(file, *daemon_scope("ros-fnd"))) ==
            Messages{"2:14: storage.root_path: " + q(fx.root) + " is not writable by uid " +
                     std::to_string(::getuid()) + " (chown it to the user the daemons run as)"});
      std::filesystem::permissions(fx.root, std::filesystem::perms::owner_all);
      return;
    }
    // Root may write anywhere: check as the unprivileged user "nobody" instead,
    // with the directory and file readable but the data directory not writable.
    namespace fs = std::filesystem;
    fs::permissions(fx.dir.path(), fs::perms::owner_all | fs::perms::others_read |
                                       fs::perms::others_exec);
    fs::permissions(fx.root, fs::perms::owner_all | fs::perms::others_read | fs::perms::others_exec);
    fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
    auto r = ros::test::run_program("/usr/bin/setpriv",
                                    {"--reuid=65534", "--regid=65534", "--clear-groups",
                                     ros::test::program_path("ros-check-config"), file,
                                     "--daemon", "ros-fnd"});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find(file + ":2:14: error: storage.root_path: " + q(fx.root) +
                     " is not writable by uid 65534 (chown it to the user the daemons run as)") !=
          std::string::npos);
  }
  SECTION("--root overrides a bad value and is named when it is bad") {
    fx.root = fx.dir / "absent";
    ros::config::Overrides overrides;
    overrides.config_file = fx.write();
    overrides.root = (fx.dir / "storage").string();
    CHECK(located_messages(ros::config::load_and_validate(overrides,
                                                          ros::config::server_scope())) ==
          Messages{});
    overrides.root = (fx.dir / "elsewhere").string();
    auto loaded = ros::config::load_and_validate(overrides, ros::config::server_scope());
    REQUIRE(loaded.errors.size() == 1);
    CHECK(loaded.errors[0].source.origin == "--root");
    CHECK(loaded.format_errors() == "--root: error: storage.root_path: " +
                                        q(fx.dir / "elsewhere") + " does not exist (create it: "
                                        "mkdir -p " + (fx.dir / "elsewhere").string() + ")\n");
  }
}

TEST_CASE("config check: token keys must be readable PEM RSA keys of one pair", "[config]") {
  ConfigFixture fx;
  SECTION("public key file missing") {
    fx.keys.public_key = fx.dir / "none.pub";
    CHECK(located_messages(fx.check(fx.write())) ==
          Messages{"4:20: auth.public_key_path: cannot read " + q(fx.keys.public_key) +
                   ": No such file or directory"});
  }
  SECTION("public key file is not PEM") {
    fx.keys.public_key = fx.dir.write("junk.pub", "hello\n");
    CHECK(located_messages(fx.check(fx.write())) ==
          Messages{"4:20: auth.public_key_path: " + q(fx.keys.public_key) +
                   " is not a PEM RSA public key (make one with: openssl rsa -in KEY -pubout "
                   "-out PUB)"});
  }
  SECTION("private key given as the public key") {
    fx.keys.public_key = fx.keys.private_key;
    CHECK(located_messages(fx.check(fx.write())) ==
          Messages{"4:20: auth.public_key_path: " + q(fx.keys.private_key) +
                   " holds a private key; give the public key (openssl rsa -in KEY -pubout -out "
                   "PUB)"});
  }
  SECTION("private key file is not PEM") {
    fx.keys.private_key = fx.dir.write("junk.key", "-----BEGIN PRIVATE KEY-----\nAAAA\n");
    CHECK(located_messages(fx.check(fx.write())) ==
          Messages{"5:21: auth.private_key_path: " + q(fx.keys.private_key) +
                   " is not a PEM private key (make one with: openssl genrsa -out KEY 2048)"});
  }
  SECTION("a key pair that does not match is refused") {
    auto other = ros::test::make_rsa_key_pair(fx.dir.path(), "other");
    fx.keys.public_key = other.public_key;
    CHECK(located_messages(fx.check(fx.write())) ==
          Messages{"4:20: auth.public_key_path: " + q(other.public_key) +
                   " is not the public key of " + q(fx.keys.private_key) +
                   " (a probe signed with the private key does not verify; make the public key "
                   "with: openssl rsa -in " + fx.keys.private_key.string() + " -pubout -out " +
                   other.public_key.string() + ")"});
  }
  SECTION("a weak key is refused") {
    auto weak = ros::test::make_rsa_key_pair(fx.dir.path(), "weak", 1024);
    fx.keys = weak;
    CHECK(located_messages(fx.check(fx.write())) ==
          Messages{"4:20: auth.public_key_path: " + q(weak.public_key) +
                       " holds a 1024-bit RSA key; use at least 2048 bits",
                   "5:21: auth.private_key_path: " + q(weak.private_key) +
                       " holds a 1024-bit RSA key; use at least 2048 bits"});
  }
  SECTION("missing keys") {
    auto file = fx.write_text("storage:\n  root_path: " + fx.root.string() + "\nauth: {}\n");
    CHECK(located_messages(fx.check(file, *daemon_scope("ros-authd"))) ==
          Messages{"3:1: auth.public_key_path: missing: set it to the PEM file of the RSA public "
                   "key that verifies tokens, or pass --public-key FILE",
                   "3:1: auth.private_key_path: missing: set it to the PEM file of the RSA "
                   "private key that signs tokens, or pass --private-key FILE"});
  }
  SECTION("ros-syncd reads only the public key; ros-proxy neither") {
    fx.keys.private_key = fx.dir / "absent.key";
    auto file = fx.write();
    CHECK(located_messages(fx.check(file, *daemon_scope("ros-syncd"))) == Messages{});
    CHECK(located_messages(fx.check(file, *daemon_scope("ros-authd"))).size() == 1);
    fx.keys.public_key = fx.dir / "absent.pub";
    fx.root = fx.dir / "absent-root";
    CHECK(located_messages(fx.check(fx.write(), *daemon_scope("ros-proxy"))) == Messages{});
  }
}

TEST_CASE("config check: listen ports must be distinct and free", "[config]") {
  ConfigFixture fx;
  SECTION("a port held by another process is named with its key") {
    ros::test::HeldPort held;
    fx.sync_port = held.port();
    auto file = fx.write();
    std::string expected = "9:18: network.sync.listen_port: port " + std::to_string(held.port()) +
                           " on 127.0.0.1 is already in use by another process (stop it, or "
                           "choose another port)";
    CHECK(located_messages(fx.check(file)) == Messages{expected});
    CHECK(located_messages(fx.check(file, *daemon_scope("ros-syncd"))) == Messages{expected});
    // The other daemons of a running server hold their own ports: not their business.
    CHECK(located_messages(fx.check(file, *daemon_scope("ros-authd"))) == Messages{});
    CHECK(located_messages(fx.check(file, *daemon_scope("ros-proxy"))) == Messages{});
  }
  SECTION("the proxy's port") {
    ros::test::HeldPort held;
    fx.proxy_http_port = held.port();
    auto file = fx.write();
    CHECK(located_messages(fx.check(file, *daemon_scope("ros-proxy"))) ==
          Messages{"16:18: proxy.http.listen_port: port " + std::to_string(held.port()) +
                   " on 127.0.0.1 is already in use by another process (stop it, or choose "
                   "another port)"});
    // A disabled listener is not checked.
    std::string port_line = "    listen_port: " + std::to_string(held.port()) + "\n";
    std::string text = fx.base_yaml();
    text.replace(text.find(port_line), port_line.size(), port_line + "    enable: false\n");
    CHECK(located_messages(fx.check(fx.write_text(text), *daemon_scope("ros-proxy"))) ==
          Messages{});
  }
  SECTION("two services on one port") {
    fx.http_port = fx.sync_port;
    CHECK(located_messages(fx.check(fx.write())) ==
          Messages{"12:18: network.http.listen_port: port " + std::to_string(fx.sync_port) +
                   " is also network.sync.listen_port (give each service its own port)"});
  }
  SECTION("a port that clashes with a default points at the one written") {
    auto file = fx.write_text("storage:\n  root_path: " + fx.root.string() +
                              "\nnetwork:\n  sync:\n    listen_port: 9080\n"
                              "proxy:\n  http:\n    enable: true\n");
    CHECK(located_messages(fx.check(file, *daemon_scope("ros-fnd"))) ==
          Messages{"5:18: network.sync.listen_port: port 9080 is also proxy.http.listen_port "
                   "(give each service its own port)"});
  }
  SECTION("an address that is not on this machine") {
    auto file = fx.write_text(
        "network:\n  sync:\n    listen_address: 192.0.2.1\n    listen_port: " +
        std::to_string(fx.sync_port) + "\n  http:\n    listen_port: " +
        std::to_string(fx.http_port) + "\n");
    CHECK(located_messages(fx.check(file, *daemon_scope("ros-syncd"))) ==
          Messages{"storage.root_path: missing: set it to the data directory "
                   "(e.g. /var/lib/realm/object-server), or pass --root DIR",
                   "auth.public_key_path: missing: set it to the PEM file of the RSA public key "
                   "that verifies tokens, or pass --public-key FILE",
                   "4:18: network.sync.listen_port: address 192.0.2.1 is not an address of this "
                   "machine"});
  }
}

TEST_CASE("config check: HTTPS needs a matching certificate and key, not self-signed",
          "[config]") {
  ConfigFixture fx;
  auto proxy = *daemon_scope("ros-proxy");
  SECTION("enabled without files") {
    CHECK(located_messages(fx.check(fx.write("    enable: true\n"), proxy)) ==
          Messages{"17:3: proxy.https.certificate_path: missing: proxy.https.enable is true, so "
                   "a PEM certificate is required",
                   "17:3: proxy.https.private_key_path: missing: set it to the PEM file of the "
                   "certificate's private key"});
  }
  auto ca = ros::test::make_ca_and_leaf(fx.dir.path(), "leaf", "localhost");
  auto self = ros::test::make_self_signed_cert(fx.dir.path(), "self", "localhost");
  auto https = [](const ros::test::CertFiles& files, const std::string& more = "") {
    return "    enable: true\n    certificate_path: " + files.certificate.string() +
           "\n    private_key_path: " + files.private_key.string() + "\n" + more;
  };
  SECTION("a certificate from a CA is accepted") {
    CHECK(located_messages(fx.check(fx.write(https(ca.leaf)), proxy)) == Messages{});
    CHECK(located_messages(fx.check(fx.write(https(ca.leaf)))) == Messages{});
  }
  SECTION("a self-signed certificate is refused unless allowed") {
    CHECK(located_messages(fx.check(fx.write(https(self)), proxy)) ==
          Messages{"21:23: proxy.https.certificate_path: " + q(self.certificate) +
                   " is self-signed (CN = localhost); use a certificate from a certificate "
                   "authority, or set proxy.https.allow_self_signed: true for development"});
    CHECK(located_messages(
              fx.check(fx.write(https(self, "    allow_self_signed: true\n")), proxy)) ==
          Messages{});
  }
  SECTION("a key that is not the certificate's") {
    ros::test::CertFiles mixed{ca.leaf.certificate, self.private_key};
    CHECK(located_messages(fx.check(fx.write(https(mixed)), proxy)) ==
          Messages{"22:23: proxy.https.private_key_path: " + q(self.private_key) +
                   " is not the key of the certificate " + q(ca.leaf.certificate)});
  }
  SECTION("files that are not PEM") {
    ros::test::CertFiles junk{fx.dir.write("junk.crt", "junk"), fx.dir.write("junk.key", "junk")};
    CHECK(located_messages(fx.check(fx.write(https(junk)), proxy)) ==
          Messages{"21:23: proxy.https.certificate_path: " + q(junk.certificate) +
                       " is not a PEM certificate",
                   "22:23: proxy.https.private_key_path: " + q(junk.private_key) +
                       " is not a PEM private key (make one with: openssl genrsa -out KEY 2048)"});
  }
  SECTION("HTTPS disabled: the files are not read") {
    CHECK(located_messages(fx.check(fx.write("    certificate_path: /absent.crt\n"), proxy)) ==
          Messages{});
  }
}

TEST_CASE("config check: the log file's directory must exist", "[config]") {
  ConfigFixture fx;
  auto missing_dir = fx.dir / "no-such-dir";
  CHECK(located_messages(fx.check(fx.write("logging:\n  path: " + (missing_dir / "ros.log").string() +
                                           "\n"))) ==
        Messages{"21:9: logging.path: the directory " + q(missing_dir) +
                 " of the log file does not exist"});
  CHECK(located_messages(fx.check(fx.write("logging:\n  path: " + fx.root.string() + "\n"))) ==
        Messages{"21:9: logging.path: " + q(fx.root) + " is a directory, not a file"});
  CHECK(located_messages(fx.check(fx.write("logging:\n  path: " + (fx.dir / "ros.log").string() +
                                           "\n"))) == Messages{});
}

TEST_CASE("config check: an enabled identity provider needs its settings", "[config]") {
  ConfigFixture fx;
  auto authd = *daemon_scope("ros-authd");
  auto with_providers = [&](const std::string& providers) {
    return fx.write_text("storage:\n  root_path: " + fx.root.string() +
                         "\nauth:\n  public_key_path: " + fx.keys.public_key.string() +
                         "\n  private_key_path: " + fx.keys.private_key.string() +
                         "\n  providers:\n" + providers + "network:\n  http:\n    listen_port: " +
                         std::to_string(fx.http_port) + "\n");
  };
  CHECK(located_messages(fx.check(with_providers("    google: {}\n    azuread:\n"), authd)) ==
        Messages{"7:5: auth.providers.google.clientId: missing: the provider needs the OAuth 2.0 "
                 "client id of your app",
                 "8:5: auth.providers.azuread.tenant_id: missing: the provider needs the Azure AD "
                 "tenant id"});
  CHECK(located_messages(fx.check(
            with_providers("    cloudkit:\n      key_id: k\n      container: iCloud.x\n"
                           "      private_key_path: " + fx.keys.private_key.string() +
                           "\n      environment: staging\n"),
            authd)) ==
        Messages{"11:20: auth.providers.cloudkit.environment: 'staging' is not development or "
                 "production"});
  CHECK(located_messages(fx.check(with_providers("    google:\n      clientId: id\n    facebook: {}\n"),
                                  authd)) == Messages{});
}
