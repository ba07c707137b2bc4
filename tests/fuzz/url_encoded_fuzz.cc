// Fuzzes the query/form decoder and the RFC 3986 encoder every signature depends on.
// Properties: decode(encode(x)) == x for any bytes; encode emits only unreserved characters and
// upper-case %XX; whatever ParseUrlEncoded accepts survives BuildUrlEncoded -> ParseUrlEncoded
// unchanged.
#include <cctype>
#include <cstdint>

#include "api/signing/percent_encoding.h"
#include "fuzz_support.h"

namespace {

bool IsUnreservedOrEscape(std::string_view encoded) {
  for (size_t i = 0; i < encoded.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(encoded[i]);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      continue;
    }
    if (c != '%' || i + 2 >= encoded.size()) {
      return false;
    }
    for (size_t j = i + 1; j <= i + 2; ++j) {
      unsigned char h = static_cast<unsigned char>(encoded[j]);
      if (!(std::isdigit(h) || (h >= 'A' && h <= 'F'))) {
        return false;
      }
    }
    i += 2;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using sag::fuzz::Require;
  namespace signing = sag::signing;
  std::string_view text = sag::fuzz::AsText(data, size);

  std::string encoded = signing::PercentEncode(text);
  Require(IsUnreservedOrEscape(encoded), "PercentEncode emits only unreserved bytes and %XX");
  auto decoded = signing::PercentDecode(encoded, /*plus_as_space=*/false);
  Require(decoded.has_value() && *decoded == text, "PercentDecode(PercentEncode(x)) == x");
  auto decoded_form = signing::PercentDecode(encoded, /*plus_as_space=*/true);
  Require(decoded_form.has_value() && *decoded_form == text,
          "an encoded string holds no '+', so form decoding agrees");

  auto parsed = signing::ParseUrlEncoded(text);
  if (parsed) {
    auto again = signing::ParseUrlEncoded(signing::BuildUrlEncoded(*parsed));
    Require(again.has_value() && *again == *parsed, "Parse(Build(Parse(x))) == Parse(x)");
  }
  return 0;
}
