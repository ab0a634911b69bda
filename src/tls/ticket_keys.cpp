#include "tls/ticket_keys.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "tls/openssl_error.h"

namespace teapot::tls {
namespace {

constexpr int iv_size = 16;  // AES-CBC's block

// Keys the ticket's cipher and MAC. OpenSSL passes the key's name and IV through the ticket.
bool key_contexts(const unsigned char* cipher_key, const unsigned char* mac_key,
                  std::size_t mac_key_size, const unsigned char* iv, EVP_CIPHER_CTX* cipher,
                  EVP_MAC_CTX* mac, bool sealing) {
  const int ok = sealing ? EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, cipher_key, iv)
                         : EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, cipher_key, iv);
  if (ok != 1) return false;
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, const_cast<unsigned char*>(mac_key),
                                        mac_key_size),
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end()};
  return EVP_MAC_CTX_set_params(mac, params) == 1;
}

}  // namespace

ticket_key_ring::ticket_key_ring(std::size_t kept) : kept_(std::max<std::size_t>(kept, 1)) {
  keys_.push_back(make_key());
}

ticket_key_ring::~ticket_key_ring() {
  for (key& k : keys_)
    erase(k);
}

ticket_key_ring::key ticket_key_ring::make_key() {
  key k;
  if (RAND_bytes(k.name.data(), static_cast<int>(k.name.size())) != 1 ||
      RAND_bytes(k.cipher_key.data(), static_cast<int>(k.cipher_key.size())) != 1 ||
      RAND_bytes(k.mac_key.data(), static_cast<int>(k.mac_key.size())) != 1) {
    erase(k);
    throw_openssl_error("cannot make a session ticket key");
  }
  return k;
}

void ticket_key_ring::erase(key& k) {
  OPENSSL_cleanse(k.cipher_key.data(), k.cipher_key.size());
  OPENSSL_cleanse(k.mac_key.data(), k.mac_key.size());
}

void ticket_key_ring::rotate() {
  key fresh = make_key();  // outside the lock: handshakes go on meanwhile
  const std::lock_guard lock(mutex_);
  keys_.push_front(fresh);
  erase(fresh);
  while (keys_.size() > kept_) {
    erase(keys_.back());
    keys_.pop_back();
  }
}

std::size_t ticket_key_ring::size() const {
  const std::lock_guard lock(mutex_);
  return keys_.size();
}

int ticket_key_ring::seal(unsigned char* key_name, unsigned char* iv, EVP_CIPHER_CTX* cipher,
                          EVP_MAC_CTX* mac) const {
  if (RAND_bytes(iv, iv_size) != 1) return -1;
  const std::lock_guard lock(mutex_);
  const key& k = keys_.front();
  std::memcpy(key_name, k.name.data(), k.name.size());
  return key_contexts(k.cipher_key.data(), k.mac_key.data(), k.mac_key.size(), iv, cipher, mac,
                      true)
             ? 1
             : -1;
}

int ticket_key_ring::open(const unsigned char* key_name, const unsigned char* iv,
                          EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac) const {
  const std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    const key& k = keys_[i];
    if (std::memcmp(key_name, k.name.data(), k.name.size()) != 0) continue;
    if (!key_contexts(k.cipher_key.data(), k.mac_key.data(), k.mac_key.size(), iv, cipher, mac,
                      false))
      return -1;
    return i == 0 ? 1 : 2;
  }
  return 0;
}

}  // namespace teapot::tls
