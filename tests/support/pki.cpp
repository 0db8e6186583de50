#include "support/pki.hpp"

#include <memory>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace ros::test {
namespace {

using Pkey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test pki: ") + what + " failed");
}

Pkey generate_rsa(int bits) {
  Pkey key(EVP_RSA_gen(static_cast<unsigned>(bits)), EVP_PKEY_free);
  check(key != nullptr, "EVP_RSA_gen");
  return key;
}

FILE* open_for_write(const std::filesystem::path& path) {
  FILE* f = std::fopen(path.c_str(), "w");
  check(f != nullptr, "fopen");
  return f;
}

void write_private_key(const std::filesystem::path& path, EVP_PKEY* key) {
  FILE* f = open_for_write(path);
  bool ok = PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  std::fclose(f);
  check(ok, "PEM_write_PrivateKey");
}

void write_public_key(const std::filesystem::path& path, EVP_PKEY* key) {
  FILE* f = open_for_write(path);
  bool ok = PEM_write_PUBKEY(f, key) == 1;
  std::fclose(f);
  check(ok, "PEM_write_PUBKEY");
}

void write_cert(const std::filesystem::path& path, X509* cert) {
  FILE* f = open_for_write(path);
  bool ok = PEM_write_X509(f, cert) == 1;
  std::fclose(f);
  check(ok, "PEM_write_X509");
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  check(ext != nullptr, "X509V3_EXT_conf_nid");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A certificate for `subject_cn` holding `key`, signed by `issuer_key`
// under `issuer` (the certificate itself when issuer is null).
Cert make_cert(const std::string& subject_cn, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key,
               bool is_ca, long serial) {
  Cert cert(X509_new(), X509_free);
  check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600L * 24 * 30);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(subject_cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  X509* issuer_cert = issuer ? issuer : cert.get();
  if (is_ca) {
    add_extension(cert.get(), issuer_cert, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), issuer_cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert.get(), issuer_cert, NID_basic_constraints, "CA:FALSE");
    std::string san = "DNS:" + subject_cn + ",IP:127.0.0.1";
    add_extension(cert.get(), issuer_cert, NID_subject_alt_name, san.c_str());
  }
  check(X509_sign(cert.get(), issuer_key, EVP_sha256()) > 0, "X509_sign");
  return cert;
}

}  // namespace

KeyPairFiles make_rsa_key_pair(const std::filesystem::path& dir, const std::string& stem,
                               int bits) {
  Pkey key = generate_rsa(bits);
  KeyPairFiles files{dir / (stem + ".key"), dir / (stem + ".pub")};
  write_private_key(files.private_key, key.get());
  write_public_key(files.public_key, key.get());
  return files;
}

CertFiles make_self_signed_cert(const std::filesystem::path& dir, const std::string& stem,
                                const std::string& common_name) {
  Pkey key = generate_rsa(2048);
  Cert cert = make_cert(common_name, key.get(), nullptr, key.get(), false, 1);
  CertFiles files{dir / (stem + ".crt"), dir / (stem + ".key")};
  write_cert(files.certificate, cert.get());
  write_private_key(files.private_key, key.get());
  return files;
}

CaAndLeaf make_ca_and_leaf(const std::filesystem::path& dir, const std::string& stem,
                           const std::string& common_name) {
  Pkey ca_key = generate_rsa(2048);
  Cert ca = make_cert(stem + " test CA", ca_key.get(), nullptr, ca_key.get(), true, 1);
  Pkey leaf_key = generate_rsa(2048);
  Cert leaf = make_cert(common_name, leaf_key.get(), ca.get(), ca_key.get(), false, 2);
  CaAndLeaf out{{dir / (stem + "-ca.crt"), dir / (stem + "-ca.key")},
                {dir / (stem + ".crt"), dir / (stem + ".key")}};
  write_cert(out.ca.certificate, ca.get());
  write_private_key(out.ca.private_key, ca_key.get());
  write_cert(out.leaf.certificate, leaf.get());
  write_private_key(out.leaf.private_key, leaf_key.get());
  return out;
}

}  // namespace ros::test
