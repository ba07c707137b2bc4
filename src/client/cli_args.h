// Command-line argument helpers shared by sag and sag-bench.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/signing/percent_encoding.h"
#include "common/result.h"

namespace sag::client {

// "<Action> --Name value --Name2 value ...", as the aliyun CLI takes it.
struct ActionInvocation {
  std::string action;
  signing::ParamList params;  // in the order given, names verbatim (case-sensitive)
  bool help = false;          // --help or -h appeared where a parameter name was expected
};

// Parses the words after the product ("smartag", "admin"): the action, then "--Name value" or
// "--Name=value" pairs. A value may be empty or start with a single '-' ("-1"); a word starting
// with "--" is always a name. Errors (message for the user): no action, an action that starts
// with '-', a word where a "--Name" was expected, an empty name, a name given twice, and a
// dangling "--Name" without value. "--help"/"-h" in a name position sets help instead.
Result<ActionInvocation, std::string> ParseActionParams(const std::vector<std::string>& words);

// Splits "Name=value" at the first '='. Errors when there is no '=' or the name is empty.
Result<std::pair<std::string, std::string>, std::string> ParseKeyValue(std::string_view text);

}  // namespace sag::client
