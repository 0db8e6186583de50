// Key material made inside a test: RSA key pairs and X.509 certificates,
// written as PEM files, so no test depends on files checked into the tree.
#pragma once

#include <filesystem>
#include <string>

namespace ros::test {

struct KeyPairFiles {
  std::filesystem::path private_key;  // PKCS#8 PEM
  std::filesystem::path public_key;   // SubjectPublicKeyInfo PEM ("PUBLIC KEY")
};

// Generates an RSA key pair of `bits` and writes `<stem>.key` and `<stem>.pub`
// into `dir`.
KeyPairFiles make_rsa_key_pair(const std::filesystem::path& dir, const std::string& stem,
                               int bits = 2048);

struct CertFiles {
  std::filesystem::path certificate;  // PEM
  std::filesystem::path private_key;  // PEM
};

// A self-signed certificate for `common_name`, with its key.
CertFiles make_self_signed_cert(const std::filesystem::path& dir, const std::string& stem,
                                const std::string& common_name);

// A test CA (`<stem>-ca.crt`/`.key`) and a leaf certificate for `common_name`
// (with subjectAltName DNS:<common_name> and IP:127.0.0.1) signed by it.
struct CaAndLeaf {
  CertFiles ca;
  CertFiles leaf;
};
CaAndLeaf make_ca_and_leaf(const std::filesystem::path& dir, const std::string& stem,
                           const std::string& common_name);

}  // namespace ros::test
