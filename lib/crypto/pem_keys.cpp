#include "crypto/pem_keys.hpp"

#include "crypto/bio.hpp"
#include "crypto/signature.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include <openssl/decoder.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

namespace ros::crypto {
namespace {

constexpr std::size_t kMaxPemFileSize = 1 << 20;

std::string quoted(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

Result<Pkey> decode_pem(const std::string& pem, int selection) {
  EVP_PKEY* key = nullptr;
  OSSL_DECODER_CTX* ctx =
      OSSL_DECODER_CTX_new_for_pkey(&key, "PEM", nullptr, "RSA", selection, nullptr, nullptr);
  if (ctx == nullptr) return make_error(Errc::internal, "cannot set up a PEM decoder");
  const auto* data = reinterpret_cast<const unsigned char*>(pem.data());
  std::size_t length = pem.size();
  int ok = OSSL_DECODER_from_data(ctx, &data, &length);
  OSSL_DECODER_CTX_free(ctx);
  if (ok != 1 || key == nullptr) {
    EVP_PKEY_free(key);
    return make_error(Errc::invalid_argument, "");
  }
  return Pkey(key);
}

Result<void> check_strength(EVP_PKEY* key, const std::filesystem::path& path) {
  int bits = EVP_PKEY_get_bits(key);
  if (bits < kMinRsaBits) {
    return make_error(Errc::invalid_argument,
                      quoted(path) + " holds a " + std::to_string(bits) +
                          "-bit RSA key; use at least " + std::to_string(kMinRsaBits) + " bits");
  }
  return {};
}

}  // namespace

Result<std::string> read_small_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return make_error(Errc::invalid_argument, quoted(path) + " is a directory, not a file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(Errc::unavailable,
                      "cannot read " + quoted(path) + ": " + std::strerror(errno));
  }
  std::string content;
  content.resize(kMaxPemFileSize + 1);
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  content.resize(static_cast<std::size_t>(in.gcount()));
  if (content.size() > kMaxPemFileSize) {
    return make_error(Errc::invalid_argument, quoted(path) + " is larger than 1 MiB");
  }
  return content;
}

Result<Pkey> load_private_key(const std::filesystem::path& path) {
  auto pem = read_small_file(path);
  if (!pem) return pem.error();
  if (pem->find("ENCRYPTED") != std::string::npos) {
    return make_error(Errc::invalid_argument,
                      quoted(path) + " holds an encrypted private key; store it unencrypted "
                                     "and protect it with file modes");
  }
  Bio bio = memory_bio(*pem);
  Pkey key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) {
    return make_error(Errc::invalid_argument,
                      quoted(path) + " is not a PEM private key "
                                     "(make one with: openssl genrsa -out KEY 2048)");
  }
  return key;
}

Result<Pkey> load_rsa_private_key(const std::filesystem::path& path) {
  auto key = load_private_key(path);
  if (!key) return key.error();
  if (!EVP_PKEY_is_a(key->get(), "RSA")) {
    return make_error(Errc::invalid_argument,
                      quoted(path) + " is not an RSA key (tokens are signed with RSA; "
                                     "make one with: openssl genrsa -out KEY 2048)");
  }
  auto strong = check_strength(key->get(), path);
  if (!strong) return strong.error();
  return key;
}

Result<Pkey> load_rsa_public_key(const std::filesystem::path& path) {
  auto pem = read_small_file(path);
  if (!pem) return pem.error();
  if (pem->find("PRIVATE KEY-----") != std::string::npos) {
    return make_error(Errc::invalid_argument,
                      quoted(path) + " holds a private key; give the public key "
                                     "(openssl rsa -in KEY -pubout -out PUB)");
  }
  auto key = decode_pem(*pem, EVP_PKEY_PUBLIC_KEY);
  if (!key) {
    return make_error(Errc::invalid_argument,
                      quoted(path) + " is not a PEM RSA public key "
                                     "(make one with: openssl rsa -in KEY -pubout -out PUB)");
  }
  auto strong = check_strength(key->get(), path);
  if (!strong) return strong.error();
  return key;
}

bool keys_match(EVP_PKEY* private_key, EVP_PKEY* public_key) {
  unsigned char probe[32];
  if (RAND_bytes(probe, sizeof probe) != 1) return false;
  std::string_view data(reinterpret_cast<const char*>(probe), sizeof probe);
  auto signature = sign_sha256(private_key, data);
  return signature && verify_sha256(public_key, data, *signature);
}

}  // namespace ros::crypto
