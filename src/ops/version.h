// Software version codes ("2.3.0.1") compared segment by segment as numbers (docs/semantics.md
// "Versions").
#pragma once

#include <optional>
#include <string_view>

namespace sag::ops {

// Negative, zero or positive as a is older than, equal to or newer than b. Missing trailing
// segments count as 0 ("2.1" == "2.1.0"). nullopt when either is not dot-separated decimal numbers.
std::optional<int> CompareVersions(std::string_view a, std::string_view b);

}  // namespace sag::ops
