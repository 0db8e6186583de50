#include "admin/secrets.hpp"

#include <vector>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace ros::admin {
namespace {

std::string to_hex(const unsigned char* data, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 15];
  }
  return out;
}

}  // namespace

Result<std::string> random_hex(std::size_t bytes, const char* what) {
  std::vector<unsigned char> buffer(bytes);
  if (RAND_bytes(buffer.data(), static_cast<int>(buffer.size())) != 1) {
    ERR_clear_error();
    return make_error(Errc::internal, std::string("cannot get random bytes for ") + what);
  }
  return to_hex(buffer.data(), buffer.size());
}

Result<std::string> sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    ERR_clear_error();
    return make_error(Errc::internal, "cannot compute a SHA-256 digest");
  }
  return to_hex(digest, length);
}

}  // namespace ros::admin
