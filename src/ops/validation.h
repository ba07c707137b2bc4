// Value rules shared by several operations (names, descriptions, CIDR blocks, ids).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sag::ops {

// A smartag resource name: min..max characters of letters, digits, '.', '_', '-', starting with a
// letter (reference: CreateSmartAccessGateway Name, 2-128).
bool IsValidResourceName(std::string_view text, size_t min_len, size_t max_len);

// A description: 2-256 characters, starting with a letter, not starting with http:// or https://.
bool IsValidDescription(std::string_view text);

// An IPv4 CIDR block "a.b.c.d/n" whose address is the network address of the block.
struct Cidr {
  uint32_t network = 0;
  int prefix = 0;
  uint32_t first() const { return network; }
  uint32_t last() const;
  bool Overlaps(const Cidr& other) const;
  std::string ToString() const;
};

// Parses one IPv4 CIDR block; nullopt when malformed, prefix out of 0..32, or host bits set.
std::optional<Cidr> ParseCidr(std::string_view text);
// Parses a comma-separated list of CIDR blocks (spaces around commas allowed); nullopt when any
// element is malformed or the list is empty.
std::optional<std::vector<Cidr>> ParseCidrList(std::string_view text);
// Parses a dotted IPv4 address; nullopt when malformed.
std::optional<uint32_t> ParseIpv4(std::string_view text);
// Formats an IPv4 address.
std::string FormatIpv4(uint32_t address);

// True for "sag-" followed by 1-64 lower-case letters or digits (the shape of SmartAGId).
bool IsWellFormedInstanceId(std::string_view id);

// A device serial number: 1-64 letters, digits, '-' or '_', starting with a letter or digit.
bool IsWellFormedSerialNumber(std::string_view sn);

// Lower-cases ASCII.
std::string AsciiLower(std::string_view text);

}  // namespace sag::ops
