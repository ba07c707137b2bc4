// Finds operations by (Version, Action).
#pragma once

#include <string_view>

#include "ops/op.h"

namespace sag::ops {

// The smartag API version string.
inline constexpr std::string_view kSmartagVersion = "2018-03-13";
// The OpenSAG operator API version string (docs/operator-api.md).
inline constexpr std::string_view kOperatorVersion = "2026-11-01";

// The product serving version, or nullptr when no product has that Version.
const ApiProduct* FindProduct(std::string_view version);
// The operation named action in product, or nullptr. Action names are case-sensitive.
const OpSpec* FindOp(const ApiProduct& product, std::string_view action);

}  // namespace sag::ops
