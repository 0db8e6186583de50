// Loading a TLS certificate and its private key as ros-proxy will, and the
// facts about them an operator must decide on (self-signed, expired).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <openssl/x509.h>

#include "common/result.hpp"
#include "crypto/pem_keys.hpp"

namespace ros::crypto {

struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
using Certificate = std::unique_ptr<X509, X509Free>;

// The first certificate of a PEM file. Errors name the file.
Result<Certificate> load_certificate(const std::filesystem::path& path);

struct CertificateFacts {
  std::string subject;  // one line, e.g. "CN = sync.example.com"
  bool key_matches = false;
  bool self_signed = false;
  bool expired = false;
  bool not_yet_valid = false;
};

CertificateFacts inspect_certificate(X509* certificate, EVP_PKEY* private_key);

}  // namespace ros::crypto
