#include "client/cli_args.h"

namespace sag::client {

Result<ActionInvocation, std::string> ParseActionParams(const std::vector<std::string>& words) {
  ActionInvocation out;
  if (words.empty()) return MakeUnexpected(std::string("missing the action name"));
  size_t i = 0;
  if (words[0] == "--help" || words[0] == "-h") {
    out.help = true;
    return out;
  }
  if (words[0].empty() || words[0].front() == '-') {
    return MakeUnexpected("expected an action name before \"" + words[0] + "\"");
  }
  out.action = words[i++];
  while (i < words.size()) {
    const std::string& word = words[i++];
    if (word == "--help" || word == "-h") {
      out.help = true;
      continue;
    }
    if (word.size() < 2 || word.compare(0, 2, "--") != 0) {
      return MakeUnexpected("unexpected argument \"" + word + "\" (parameters are --Name value)");
    }
    std::string name;
    std::string value;
    const size_t eq = word.find('=');
    if (eq != std::string::npos) {
      name = word.substr(2, eq - 2);
      value = word.substr(eq + 1);
    } else {
      name = word.substr(2);
      if (i == words.size() || words[i].compare(0, 2, "--") == 0) {
        return MakeUnexpected("missing value for --" + name);
      }
      value = words[i++];
    }
    if (name.empty()) return MakeUnexpected("empty parameter name in \"" + word + "\"");
    for (const auto& [existing, unused] : out.params) {
      if (existing == name) return MakeUnexpected("parameter --" + name + " given twice");
    }
    out.params.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

Result<std::pair<std::string, std::string>, std::string> ParseKeyValue(std::string_view text) {
  const size_t eq = text.find('=');
  if (eq == std::string_view::npos) {
    return MakeUnexpected("expected Name=value, got \"" + std::string(text) + "\"");
  }
  if (eq == 0) return MakeUnexpected("empty name in \"" + std::string(text) + "\"");
  return std::pair<std::string, std::string>(std::string(text.substr(0, eq)),
                                             std::string(text.substr(eq + 1)));
}

}  // namespace sag::client
