#include "ops/validation.h"

#include <cctype>
#include <charconv>

namespace sag::ops {
namespace {

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

bool IsValidResourceName(std::string_view text, size_t min_len, size_t max_len) {
  if (text.size() < min_len || text.size() > max_len || !IsAsciiLetter(text.front())) return false;
  for (char c : text) {
    if (!IsAsciiLetter(c) && !IsAsciiDigit(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

bool IsValidDescription(std::string_view text) {
  if (text.size() < 2 || text.size() > 256 || !IsAsciiLetter(text.front())) return false;
  return !text.starts_with("http://") && !text.starts_with("https://");
}

uint32_t Cidr::last() const {
  if (prefix <= 0) return 0xFFFFFFFFu;
  if (prefix >= 32) return network;  // a shift by 32 would be undefined (found by validation_fuzz)
  return network | (0xFFFFFFFFu >> prefix);
}

bool Cidr::Overlaps(const Cidr& other) const {
  return first() <= other.last() && other.first() <= last();
}

std::string Cidr::ToString() const { return FormatIpv4(network) + "/" + std::to_string(prefix); }

std::optional<uint32_t> ParseIpv4(std::string_view text) {
  uint32_t out = 0;
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      if (text.empty() || text.front() != '.') return std::nullopt;
      text.remove_prefix(1);
    }
    size_t n = 0;
    while (n < text.size() && IsAsciiDigit(text[n])) ++n;
    if (n == 0 || n > 3 || (n > 1 && text[0] == '0')) return std::nullopt;
    unsigned octet = 0;
    std::from_chars(text.data(), text.data() + n, octet);
    if (octet > 255) return std::nullopt;
    out = (out << 8) | octet;
    text.remove_prefix(n);
  }
  if (!text.empty()) return std::nullopt;
  return out;
}

std::string FormatIpv4(uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 0xFF) + "." +
         std::to_string((a >> 8) & 0xFF) + "." + std::to_string(a & 0xFF);
}

std::optional<Cidr> ParseCidr(std::string_view text) {
  text = Trim(text);
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto address = ParseIpv4(text.substr(0, slash));
  std::string_view p = text.substr(slash + 1);
  int prefix = -1;
  if (!address || p.empty() || p.size() > 2 ||
      std::from_chars(p.data(), p.data() + p.size(), prefix).ptr != p.data() + p.size() ||
      prefix < 0 || prefix > 32) {
    return std::nullopt;
  }
  uint32_t mask = prefix == 0 ? 0 : (0xFFFFFFFFu << (32 - prefix));
  if ((*address & ~mask) != 0) return std::nullopt;
  return Cidr{*address, prefix};
}

std::optional<std::vector<Cidr>> ParseCidrList(std::string_view text) {
  std::vector<Cidr> out;
  while (true) {
    size_t comma = text.find(',');
    auto cidr = ParseCidr(text.substr(0, comma));
    if (!cidr) return std::nullopt;
    out.push_back(*cidr);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

bool IsWellFormedInstanceId(std::string_view id) {
  if (!id.starts_with("sag-") || id.size() < 5 || id.size() > 68) return false;
  for (char c : id.substr(4)) {
    if (!IsAsciiDigit(c) && !(c >= 'a' && c <= 'z')) return false;
  }
  return true;
}

bool IsWellFormedSerialNumber(std::string_view sn) {
  if (sn.empty() || sn.size() > 64) return false;
  for (size_t i = 0; i < sn.size(); ++i) {
    char c = sn[i];
    bool alnum = IsAsciiLetter(c) || IsAsciiDigit(c);
    if (!alnum && (i == 0 || (c != '-' && c != '_'))) return false;
  }
  return true;
}

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace sag::ops
