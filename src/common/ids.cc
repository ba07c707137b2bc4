#include "common/ids.h"

#include "common/crypto.h"

namespace sag {
namespace {

std::string RandomFrom(std::string_view alphabet, size_t n) {
  std::string raw = RandomBytes(n);
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i) {
    // Slight modulo bias is irrelevant for identifiers (secrets use a 62-char alphabet and 30
    // characters, far beyond guessing range).
    out[i] = alphabet[static_cast<unsigned char>(raw[i]) % alphabet.size()];
  }
  return out;
}

constexpr std::string_view kLowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kAlnum =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kDigits = "0123456789";

}  // namespace

std::string NewRequestId() {
  std::string raw = RandomBytes(16);
  raw[6] = static_cast<char>((raw[6] & 0x0F) | 0x40);
  raw[8] = static_cast<char>((raw[8] & 0x3F) | 0x80);
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    auto c = static_cast<unsigned char>(raw[i]);
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xF]);
  }
  return out;
}

std::string NewResourceId(std::string_view prefix) {
  return std::string(prefix) + "-" + RandomFrom(kLowerAlnum, 18);
}

std::string NewAccessKeyId() { return "LTAI" + RandomFrom(kAlnum, 20); }

std::string NewAccessKeySecret() { return RandomFrom(kAlnum, 30); }

std::string NewDeviceSecret() { return RandomFrom(kAlnum, 40); }

std::string NewAccountId() { return RandomFrom("123456789", 1) + RandomFrom(kDigits, 15); }

std::string NewNumericId(size_t n) {
  return RandomFrom("123456789", 1) + RandomFrom(kDigits, n - 1);
}

}  // namespace sag
