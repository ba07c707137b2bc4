// The text rule every request parameter obeys before any operation sees it, so that no operation
// can forget it and nothing stored can break a response: names and values are well-formed UTF-8
// without control characters, and each value is within its parameter's length bound
// (docs/semantics.md "Parameter text").
#pragma once

#include <cstddef>
#include <string_view>

#include "common/api_error.h"
#include "common/result.h"
#include "ops/params.h"

namespace sag::ops {

// How long a parameter's value may be, in characters (code points), and whether it may hold TAB,
// LF and CR (only the parameters that carry a JSON document).
struct TextBound {
  size_t max_characters = 0;
  bool line_breaks = false;
};

// The longest parameter name accepted, in characters.
inline constexpr size_t kMaxParameterNameCharacters = 128;

// The bound of the parameter called name: PolicyDocument 6144 characters and Position 1024, both
// with line breaks; every other parameter 1024 characters on one line. Operations may enforce
// tighter documented limits with their own codes (Name 2-128, Description 2-256, ...).
TextBound TextBoundFor(std::string_view name);

// True when text is well-formed UTF-8 of at most bound.max_characters characters, none of them a
// C0 control (U+0000-U+001F; TAB, LF and CR allowed when bound.line_breaks), DEL, a C1 control
// (U+0080-U+009F) or a noncharacter XML cannot carry (U+FFFE, U+FFFF).
bool IsAcceptableText(std::string_view text, const TextBound& bound);

// Checks every parameter. A name that is not acceptable text of at most
// kMaxParameterNameCharacters (so it cannot be quoted back safely) is RequestParameterMalformed;
// a value outside its bound is InvalidParameter naming the parameter. The first offender in name
// order decides.
Result<void, ApiError> CheckParameterText(const Params& params);

}  // namespace sag::ops
