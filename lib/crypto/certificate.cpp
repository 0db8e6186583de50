#include "crypto/certificate.hpp"

#include "crypto/bio.hpp"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

namespace ros::crypto {
namespace {

std::string quoted(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

std::string one_line_subject(X509* cert) {
  Bio out(BIO_new(BIO_s_mem()));
  if (!out) return "";
  X509_NAME_print_ex(out.get(), X509_get_subject_name(cert), 0, XN_FLAG_ONELINE);
  char* data = nullptr;
  long length = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

}  // namespace

Result<Certificate> load_certificate(const std::filesystem::path& path) {
  auto pem = read_small_file(path);
  if (!pem) return pem.error();
  Bio bio = memory_bio(*pem);
  Certificate cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) return make_error(Errc::invalid_argument, quoted(path) + " is not a PEM certificate");
  return cert;
}

CertificateFacts inspect_certificate(X509* certificate, EVP_PKEY* private_key) {
  CertificateFacts facts;
  facts.subject = one_line_subject(certificate);
  facts.key_matches = X509_check_private_key(certificate, private_key) == 1;
  // Self-signed: issued by itself and signed by its own key, whatever its
  // key usage says (X509_check_issued would also weigh the key usage).
  EVP_PKEY* own_key = X509_get0_pubkey(certificate);
  facts.self_signed =
      X509_NAME_cmp(X509_get_subject_name(certificate), X509_get_issuer_name(certificate)) == 0 &&
      own_key != nullptr && X509_verify(certificate, own_key) == 1;
  facts.expired = X509_cmp_current_time(X509_get0_notAfter(certificate)) < 0;
  facts.not_yet_valid = X509_cmp_current_time(X509_get0_notBefore(certificate)) > 0;
  return facts;
}

}  // namespace ros::crypto
