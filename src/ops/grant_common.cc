#include "ops/grant_common.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <system_error>

namespace sag::ops {

bool IsAccountUid(std::string_view text) {
  return !text.empty() && text.size() <= 18 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<std::string, ApiError> ReadUid(const Params& params, std::string_view name,
                                      ApiErrorId invalid) {
  std::string uid = params.Get(name);
  if (!IsAccountUid(uid)) return MakeUnexpected(ApiError(invalid, {std::string(name)}));
  return uid;
}

int64_t UidNumber(std::string_view uid) {
  int64_t n = 0;
  if (!IsAccountUid(uid)) return 0;
  const auto result = std::from_chars(uid.data(), uid.data() + uid.size(), n);
  return result.ec == std::errc() ? n : 0;
}

}  // namespace sag::ops
