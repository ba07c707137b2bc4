// UTF-8 as received from clients and as stored: decoding one code point, validating, repairing.
// "Well-formed" is RFC 3629: shortest form only, no surrogates (U+D800-U+DFFF), nothing above
// U+10FFFF.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sag {

// The replacement character U+FFFD, encoded.
inline constexpr std::string_view kUtf8Replacement = "\xEF\xBF\xBD";

// Decodes the code point starting at text[pos] (pos < text.size()) into *code_point and returns
// its length in bytes (1-4); returns 0 when the bytes there are not a well-formed sequence (then
// *code_point is unspecified).
size_t DecodeUtf8(std::string_view text, size_t pos, char32_t* code_point);

// True when the whole of text is well-formed UTF-8.
bool IsValidUtf8(std::string_view text);

// text with every byte that does not start a well-formed sequence replaced by U+FFFD (so valid
// text comes back unchanged).
std::string RepairUtf8(std::string_view text);

}  // namespace sag
