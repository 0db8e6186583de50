#include "crypto/signature.hpp"

#include <openssl/err.h>

namespace ros::crypto {
namespace {

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::optional<std::string> sign_sha256(EVP_PKEY* key, std::string_view data) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::string signature;
  std::size_t length = 0;
  bool ok = ctx != nullptr && EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestSign(ctx, nullptr, &length, bytes(data), data.size()) == 1;
  if (ok) {
    signature.resize(length);
    ok = EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length,
                        bytes(data), data.size()) == 1;
    signature.resize(length);
  }
  EVP_MD_CTX_free(ctx);
  ERR_clear_error();
  if (!ok) return std::nullopt;
  return signature;
}

bool verify_sha256(EVP_PKEY* key, std::string_view data, std::string_view signature) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx != nullptr && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, bytes(signature), signature.size(), bytes(data), data.size()) == 1;
  EVP_MD_CTX_free(ctx);
  ERR_clear_error();  // a failed verification leaves entries in this thread's queue
  return ok;
}

}  // namespace ros::crypto
