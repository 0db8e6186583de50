// An owning handle for OpenSSL BIOs, and a read-only BIO over a string.
#pragma once

#include <memory>
#include <string>

#include <openssl/bio.h>

namespace ros::crypto {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using Bio = std::unique_ptr<BIO, BioFree>;

// A BIO reading `data`, which must outlive it.
inline Bio memory_bio(const std::string& data) {
  return Bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

}  // namespace ros::crypto
