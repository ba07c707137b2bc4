// Fuzzes the small parsers behind request validation: IPv4 addresses, CIDR blocks and lists, and
// version codes (src/ops/validation.h, src/ops/version.h).
// Properties: a parsed address formats back to text that parses to the same address; a parsed
// CIDR block's ToString parses to the same block and contains its own first and last address;
// version comparison is antisymmetric and reflexive on what it accepts.
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "ops/validation.h"
#include "ops/version.h"

namespace {

namespace ops = sag::ops;
using sag::fuzz::Require;

void CheckIpv4(std::string_view text) {
  auto address = ops::ParseIpv4(text);
  if (!address) {
    return;
  }
  auto again = ops::ParseIpv4(ops::FormatIpv4(*address));
  Require(again.has_value() && *again == *address, "ParseIpv4(FormatIpv4(a)) == a");
}

void CheckCidr(std::string_view text) {
  auto cidr = ops::ParseCidr(text);
  if (cidr) {
    Require(cidr->prefix >= 0 && cidr->prefix <= 32, "prefix within 0..32");
    Require(cidr->first() <= cidr->last(), "first address <= last address");
    auto again = ops::ParseCidr(cidr->ToString());
    Require(again.has_value() && again->network == cidr->network && again->prefix == cidr->prefix,
            "ParseCidr(ToString(c)) == c");
    Require(cidr->Overlaps(*cidr), "a block overlaps itself");
  }
  auto list = ops::ParseCidrList(text);
  if (list) {
    Require(!list->empty(), "an accepted CIDR list is not empty");
  }
}

void CheckVersions(std::string_view text) {
  auto parts = sag::fuzz::Split(text, ' ');
  std::string_view a = parts[0];
  std::string_view b = parts.size() > 1 ? parts[1] : parts[0];
  auto ab = ops::CompareVersions(a, b);
  auto ba = ops::CompareVersions(b, a);
  Require(ab.has_value() == ba.has_value(), "version comparison accepts (a,b) iff (b,a)");
  if (ab) {
    Require((*ab < 0) == (*ba > 0) && (*ab == 0) == (*ba == 0),
            "version comparison is antisymmetric");
    auto aa = ops::CompareVersions(a, a);
    Require(aa.has_value() && *aa == 0, "a version equals itself");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = sag::fuzz::AsText(data, size);
  CheckIpv4(text);
  CheckCidr(text);
  CheckVersions(text);
  return 0;
}
