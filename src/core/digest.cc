#include "core/digest.h"

#include <openssl/evp.h>

#include "core/error.h"

namespace dvt {

namespace {

std::string digest_hex(std::string_view text, const EVP_MD* type, const char* name) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &length, type, nullptr) != 1) {
    throw InternalError(std::string(name) + " is not available from OpenSSL");
  }
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

}  // namespace

std::string md5_hex(std::string_view text) {
  return digest_hex(text, EVP_md5(), "MD5");
}

std::string sha256_hex(std::string_view text) {
  return digest_hex(text, EVP_sha256(), "SHA-256");
}

}  // namespace dvt
