#include "client/json_pretty.h"

#include <boost/json/parser.hpp>

namespace sag::client {
namespace {

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

void NewLine(std::string& out, size_t depth) {
  out.push_back('\n');
  out.append(depth * 2, ' ');
}

}  // namespace

std::optional<std::string> PrettyPrintJson(std::string_view text) {
  // Validate first, so the re-indenter below may assume well-formed input.
  {
    boost::json::parse_options options;
    options.max_depth = 10000;  // the re-indenter below does not recurse
    boost::json::parser parser({}, options);
    boost::system::error_code ec;
    parser.write(text.data(), text.size(), ec);
    if (ec) return std::nullopt;  // includes an incomplete value and trailing data
  }

  std::string out;
  out.reserve(text.size() + text.size() / 2);
  size_t depth = 0;
  size_t i = 0;
  auto next_significant = [&text](size_t from) {
    while (from < text.size() && IsJsonSpace(text[from])) ++from;
    return from < text.size() ? text[from] : '\0';
  };
  while (i < text.size()) {
    const char c = text[i];
    if (IsJsonSpace(c)) {
      ++i;
      continue;
    }
    if (c == '"') {
      const size_t start = i++;
      while (i < text.size() && text[i] != '"') i += text[i] == '\\' ? size_t{2} : size_t{1};
      ++i;  // closing quote
      out.append(text.substr(start, i - start));
      continue;
    }
    switch (c) {
      case '{':
      case '[': {
        out.push_back(c);
        const size_t j = i + 1;
        const char close = c == '{' ? '}' : ']';
        if (next_significant(j) == close) {
          out.push_back(close);
          i = j;
          while (text[i] != close) ++i;
          ++i;
          continue;
        }
        ++depth;
        NewLine(out, depth);
        break;
      }
      case '}':
      case ']':
        --depth;
        NewLine(out, depth);
        out.push_back(c);
        break;
      case ',':
        out.push_back(',');
        NewLine(out, depth);
        break;
      case ':':
        out += ": ";
        break;
      default:
        out.push_back(c);  // numbers, true, false, null
        break;
    }
    ++i;
  }
  return out;
}

}  // namespace sag::client
