// RFC 3986 percent-encoding as Alibaba's POP signatures use it, and form/query decoding.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sag::signing {

// An ordered list of decoded name/value pairs (a name may repeat).
using ParamList = std::vector<std::pair<std::string, std::string>>;

// Encodes every byte except A-Z a-z 0-9 - _ . ~ as %XX with upper-case hex (space -> %20,
// '*' -> %2A, '~' stays). UTF-8 input is encoded byte by byte.
std::string PercentEncode(std::string_view text);

// Decodes %XX escapes; when plus_as_space, '+' becomes ' '. Returns nullopt for a malformed
// escape ('%' not followed by two hex digits).
std::optional<std::string> PercentDecode(std::string_view text, bool plus_as_space);

// Parses "a=1&b=2&c" (query string or x-www-form-urlencoded body) into decoded pairs; '+' is a
// space; "c" yields ("c", ""); empty segments are skipped. nullopt when any escape is malformed.
std::optional<ParamList> ParseUrlEncoded(std::string_view text);

// Builds "k1=v1&k2=v2" from pairs, percent-encoding names and values, in the given order.
std::string BuildUrlEncoded(const ParamList& params);

}  // namespace sag::signing
