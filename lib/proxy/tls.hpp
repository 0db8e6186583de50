// The TLS side of ros-proxy: a server context with the certificate and key
// of proxy.https.*, TLS 1.2 and 1.3 only, and its reload on SIGHUP.
//
// Promises: a connection keeps the context it was accepted with (a
// shared_ptr it holds), so reload() changes what new connections present and
// never touches open ones. A reload that fails (unreadable file, key that
// does not match, a certificate that has expired or is not valid yet, or is
// self-signed without proxy.https.allow_self_signed: the checks of
// ros-check-config) keeps the current context and says why.
//
// Thread safety: current() and reload() may be called from any thread.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>

#include <boost/asio/ssl/context.hpp>

#include "common/result.hpp"

namespace ros::proxy {

// A server context for `certificate` (PEM chain) and `private_key` (PEM).
// Errors name the file and the reason.
Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(
    const std::filesystem::path& certificate, const std::filesystem::path& private_key,
    bool allow_self_signed);

class TlsCertificate {
 public:
  // Loads the files once; an error if they do not make a context.
  static Result<std::unique_ptr<TlsCertificate>> load(std::filesystem::path certificate,
                                                      std::filesystem::path private_key,
                                                      bool allow_self_signed);

  // Reads the files again and, when they make a context, uses it for new
  // connections.
  Result<void> reload();

  std::shared_ptr<boost::asio::ssl::context> current() const;

  const std::filesystem::path& certificate_path() const { return certificate_; }

 private:
  TlsCertificate(std::filesystem::path certificate, std::filesystem::path private_key,
                 bool allow_self_signed, std::shared_ptr<boost::asio::ssl::context> context);

  // Constant after construction.
  const std::filesystem::path certificate_;
  const std::filesystem::path private_key_;
  const bool allow_self_signed_;
  // Guarded by mutex_.
  mutable std::mutex mutex_;
  std::shared_ptr<boost::asio::ssl::context> context_;
};

}  // namespace ros::proxy
