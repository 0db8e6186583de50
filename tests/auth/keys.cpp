#include "keys.hpp"

#include <stdexcept>

#include <catch2/catch.hpp>
#include <openssl/evp.h>

#include "crypto/pem_keys.hpp"
#include "support/temp_dir.hpp"

namespace ros::test {
namespace {

const TempDir& key_dir() {
  static TempDir dir;
  return dir;
}

}  // namespace

const KeyPairFiles& token_keys() {
  static KeyPairFiles keys = make_rsa_key_pair(key_dir().path(), "token");
  return keys;
}

const KeyPairFiles& other_keys() {
  static KeyPairFiles keys = make_rsa_key_pair(key_dir().path(), "other");
  return keys;
}

auth::TokenSigner test_signer() {
  auto signer = auth::TokenSigner::load(token_keys().private_key);
  if (!signer) throw std::runtime_error(signer.error().message);
  return *signer;
}

auth::TokenVerifier test_verifier() {
  auto verifier = auth::TokenVerifier::load(token_keys().public_key);
  if (!verifier) throw std::runtime_error(verifier.error().message);
  return *verifier;
}

std::string openssl_sign(const std::filesystem::path& key_file, std::string_view data) {
  auto key = crypto::load_rsa_private_key(key_file);
  if (!key) throw std::runtime_error(key.error().message);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::size_t length = 0;
  std::string signature;
  bool ok = EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key->get()) == 1 &&
            EVP_DigestSign(ctx, nullptr, &length,
                           reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  if (ok) {
    signature.resize(length);
    ok = EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length,
                        reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
    signature.resize(length);
  }
  EVP_MD_CTX_free(ctx);
  if (!ok) throw std::runtime_error("test signing failed");
  return signature;
}

}  // namespace ros::test
