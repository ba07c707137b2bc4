// What the grant operations share: reading an account UID parameter and the grant ids' formats.
#pragma once

#include <string>
#include <string_view>

#include "common/api_error.h"
#include "common/result.h"
#include "ops/params.h"

namespace sag::ops {

// True for an account UID as the wire carries it: 1 to 18 decimal digits (a long on the wire, never
// overflowing).
bool IsAccountUid(std::string_view text);

// The UID parameter `name`: its value when it is an account UID, else `invalid`.
Result<std::string, ApiError> ReadUid(const Params& params, std::string_view name,
                                      ApiErrorId invalid);

// UIDs go out as JSON numbers (long): the UID's value, 0 for text that is not a UID.
int64_t UidNumber(std::string_view uid);

}  // namespace sag::ops
