#include "ops/parameter_text.h"

#include "common/utf8.h"

namespace sag::ops {
namespace {

constexpr TextBound kDefaultBound{1024, false};
constexpr TextBound kPolicyDocumentBound{6144, true};
constexpr TextBound kPositionBound{1024, true};

bool IsRefusedCharacter(char32_t c, bool line_breaks) {
  if (c == '\t' || c == '\n' || c == '\r') return !line_breaks;
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0xFFFE || c == 0xFFFF;
}

}  // namespace

TextBound TextBoundFor(std::string_view name) {
  if (name == "PolicyDocument") return kPolicyDocumentBound;
  if (name == "Position") return kPositionBound;
  return kDefaultBound;
}

bool IsAcceptableText(std::string_view text, const TextBound& bound) {
  // Counts only as far as the bound, so a huge value costs no more than a long one.
  size_t characters = 0;
  char32_t c = 0;
  for (size_t pos = 0; pos < text.size(); ++characters) {
    if (characters == bound.max_characters) return false;
    const size_t length = DecodeUtf8(text, pos, &c);
    if (length == 0 || IsRefusedCharacter(c, bound.line_breaks)) return false;
    pos += length;
  }
  return true;
}

Result<void, ApiError> CheckParameterText(const Params& params) {
  for (const auto& [name, value] : params.values()) {
    if (!IsAcceptableText(name, TextBound{kMaxParameterNameCharacters, false})) {
      return MakeUnexpected(ApiError(ApiErrorId::kRequestParameterMalformed));
    }
    if (!IsAcceptableText(value, TextBoundFor(name))) {
      return MakeUnexpected(ApiError::InvalidParameter(name));
    }
  }
  return {};
}

}  // namespace sag::ops
