#include "proxy/tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "crypto/certificate.hpp"

namespace ros::proxy {
namespace {

namespace ssl = boost::asio::ssl;

std::string openssl_reason(const boost::system::error_code& ec) {
  unsigned long code = ERR_peek_last_error();
  std::string reason = code ? ERR_reason_error_string(code) ? ERR_reason_error_string(code) : ""
                            : "";
  ERR_clear_error();
  if (reason.empty()) reason = ec.message();
  return reason;
}

}  // namespace

Result<std::shared_ptr<ssl::context>> make_tls_context(const std::filesystem::path& certificate,
                                                       const std::filesystem::path& private_key,
                                                       bool allow_self_signed) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                           ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                       ec);
  SSL_CTX* native = context->native_handle();
  // Below TLS 1.2 nothing is safe; clients renegotiating is a known DoS.
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  ERR_clear_error();
  // The key first: a certificate loaded after a key that does not match
  // drops the key, and the check below then names the mismatch.
  context->use_private_key_file(private_key.string(), ssl::context::pem, ec);
  if (ec) {
    return make_error(Errc::invalid_argument, "cannot load the private key '" +
                                                  private_key.string() +
                                                  "': " + openssl_reason(ec));
  }
  context->use_certificate_chain_file(certificate.string(), ec);
  if (ec) {
    return make_error(Errc::invalid_argument, "cannot load the certificate '" +
                                                  certificate.string() +
                                                  "': " + openssl_reason(ec));
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    return make_error(Errc::invalid_argument, "'" + private_key.string() +
                                                  "' is not the key of the certificate '" +
                                                  certificate.string() + "'");
  }
  // The checks of ros-check-config (config/validate.cpp), so that a reload
  // cannot bring in what a start would refuse.
  auto facts = crypto::inspect_certificate(SSL_CTX_get0_certificate(native),
                                           SSL_CTX_get0_privatekey(native));
  const std::string quoted = "'" + certificate.string() + "'";
  if (facts.expired) return make_error(Errc::invalid_argument, quoted + " has expired; renew it");
  if (facts.not_yet_valid) {
    return make_error(Errc::invalid_argument, quoted + " is not valid yet; check the clock");
  }
  if (facts.self_signed && !allow_self_signed) {
    return make_error(Errc::invalid_argument,
                      quoted + " is self-signed (" + facts.subject +
                          "); use a certificate from a certificate authority, or set "
                          "proxy.https.allow_self_signed: true for development");
  }
  return context;
}

TlsCertificate::TlsCertificate(std::filesystem::path certificate,
                               std::filesystem::path private_key, bool allow_self_signed,
                               std::shared_ptr<ssl::context> context)
    : certificate_(std::move(certificate)),
      private_key_(std::move(private_key)),
      allow_self_signed_(allow_self_signed),
      context_(std::move(context)) {}

Result<std::unique_ptr<TlsCertificate>> TlsCertificate::load(std::filesystem::path certificate,
                                                             std::filesystem::path private_key,
                                                             bool allow_self_signed) {
  auto context = make_tls_context(certificate, private_key, allow_self_signed);
  if (!context) return context.error();
  return std::unique_ptr<TlsCertificate>(new TlsCertificate(
      std::move(certificate), std::move(private_key), allow_self_signed, std::move(*context)));
}

Result<void> TlsCertificate::reload() {
  auto context = make_tls_context(certificate_, private_key_, allow_self_signed_);
  if (!context) return context.error();
  std::lock_guard lock(mutex_);
  context_ = std::move(*context);
  return {};
}

std::shared_ptr<ssl::context> TlsCertificate::current() const {
  std::lock_guard lock(mutex_);
  return context_;
}

}  // namespace ros::proxy
