// Re-indents JSON text for people, keeping every string and number exactly as it was written.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sag::client {

// When text is one valid JSON value (surrounding whitespace allowed), returns it with 2-space
// indentation, one member or element per line, "name": value, empty objects/arrays as {} and
// [], and no trailing newline. Strings and numbers are copied byte for byte (key order kept).
// Returns nullopt when text is not valid JSON.
std::optional<std::string> PrettyPrintJson(std::string_view text);

}  // namespace sag::client
