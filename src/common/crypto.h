// Hashes, MACs, encodings and random bytes (OpenSSL), secret sealing and password hashing
// (libsodium). Every function here is thread-safe.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace sag {

// Lower-case hex SHA-256 of data.
std::string Sha256Hex(std::string_view data);
// Raw HMAC-SHA1(key, data).
std::string HmacSha1(std::string_view key, std::string_view data);
// Raw HMAC-SHA256(key, data).
std::string HmacSha256(std::string_view key, std::string_view data);
// Lower-case hex of raw bytes.
std::string HexEncode(std::string_view raw);
// Standard Base64 with padding.
std::string Base64Encode(std::string_view raw);
// Decodes standard Base64; nullopt when the text is not valid Base64.
std::optional<std::string> Base64Decode(std::string_view text);
// n cryptographically random bytes.
std::string RandomBytes(size_t n);
// Compares in time independent of where the strings differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Hashes a password with Argon2id (libsodium's crypto_pwhash_str, interactive limits). The result
// is a self-describing "$argon2id$..." string. Returns nullopt only when memory cannot be
// allocated.
std::optional<std::string> HashPassword(std::string_view password);
// True when password matches a hash produced by HashPassword.
bool VerifyPassword(std::string_view hash, std::string_view password);

// Authenticated encryption of small secrets at rest (XChaCha20-Poly1305 via libsodium secretbox).
class SecretBox {
 public:
  static constexpr size_t kKeySize = 32;
  explicit SecretBox(std::string key);  // key must be kKeySize bytes
  // Returns nonce || ciphertext.
  std::string Seal(std::string_view plaintext) const;
  // Returns the plaintext, or nullopt when the box was not sealed with this key or was altered.
  std::optional<std::string> Open(std::string_view sealed) const;

 private:
  std::string key_;
};

// Must be called once before any libsodium use (idempotent, thread-safe).
void InitCrypto();

}  // namespace sag
