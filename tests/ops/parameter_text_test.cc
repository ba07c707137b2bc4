#include "ops/parameter_text.h"

#include <string>

#include <gtest/gtest.h>

#include "common/utf8.h"

namespace sag::ops {
namespace {

constexpr TextBound kLine{8, false};
constexpr TextBound kDocument{8, true};

TEST(Utf8Test, AcceptsWellFormedAndRefusesEverythingElse) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("\xC3\xA9 \xE6\x9D\xAD \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"));
  for (const char* bad :
       {"\xFF", "\xFE\xFF", "\x80", "\xC3", "\xE6\x9D", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80",
        "\xF4\x90\x80\x80", "\xF8\x88\x80\x80\x80", "a\xC3(b"}) {
    EXPECT_FALSE(IsValidUtf8(bad)) << bad;
  }
}

TEST(Utf8Test, RepairReplacesEachBadByteAndKeepsTheRest) {
  EXPECT_EQ(RepairUtf8("ok \xE6\x9D\xAD"), "ok \xE6\x9D\xAD");
  EXPECT_EQ(RepairUtf8("a\xFF"
                       "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(RepairUtf8("\xE6\x9D"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_TRUE(IsValidUtf8(RepairUtf8("\xC0\xAF\xED\xA0\x80\xF8")));
}

TEST(ParameterTextTest, RefusesControlCharactersAndDel) {
  for (char32_t c = 0; c < 0x20; ++c) {
    const std::string text = std::string("a") + static_cast<char>(c) + "b";
    const bool line_break = c == '\t' || c == '\n' || c == '\r';
    EXPECT_FALSE(IsAcceptableText(text, kLine)) << static_cast<int>(c);
    EXPECT_EQ(IsAcceptableText(text, kDocument), line_break) << static_cast<int>(c);
  }
  EXPECT_FALSE(IsAcceptableText("a\x7F", kDocument));
  EXPECT_FALSE(IsAcceptableText("\xC2\x80", kDocument));      // U+0080, C1
  EXPECT_FALSE(IsAcceptableText("\xC2\x9F", kDocument));      // U+009F, C1
  EXPECT_TRUE(IsAcceptableText("\xC2\xA0", kDocument));       // U+00A0, a space
  EXPECT_FALSE(IsAcceptableText("\xEF\xBF\xBE", kDocument));  // U+FFFE
  EXPECT_FALSE(IsAcceptableText("\xEF\xBF\xBF", kDocument));  // U+FFFF
  EXPECT_TRUE(IsAcceptableText("\xEF\xBF\xBD", kDocument));   // U+FFFD
}

TEST(ParameterTextTest, RefusesIllFormedUtf8) {
  EXPECT_FALSE(IsAcceptableText("\xFF\xFE", kLine));
  EXPECT_FALSE(IsAcceptableText("\xC0\xAF", kLine));
  EXPECT_FALSE(IsAcceptableText("ab\xE6", kLine));
}

TEST(ParameterTextTest, CountsCharactersNotBytes) {
  EXPECT_TRUE(IsAcceptableText("12345678", kLine));
  EXPECT_FALSE(IsAcceptableText("123456789", kLine));
  // Eight Chinese characters are 24 bytes and within a bound of 8 characters.
  EXPECT_TRUE(
      IsAcceptableText("\xE6\x9D\xAD\xE5\xB7\x9E\xE6\x9D\xAD\xE5\xB7\x9E\xE6\x9D\xAD\xE5"
                       "\xB7\x9E\xE6\x9D\xAD\xE5\xB7\x9E",
                       kLine));
  EXPECT_TRUE(IsAcceptableText("", kLine));
}

TEST(ParameterTextTest, BoundsPerParameter) {
  EXPECT_EQ(TextBoundFor("PolicyDocument").max_characters, 6144u);
  EXPECT_TRUE(TextBoundFor("PolicyDocument").line_breaks);
  EXPECT_EQ(TextBoundFor("Position").max_characters, 1024u);
  EXPECT_TRUE(TextBoundFor("Position").line_breaks);
  EXPECT_EQ(TextBoundFor("Description").max_characters, 1024u);
  EXPECT_FALSE(TextBoundFor("Description").line_breaks);
  EXPECT_EQ(TextBoundFor("Anything").max_characters, 1024u);
}

TEST(ParameterTextTest, NamesTheFirstOffendingParameter) {
  Params ok({{"Name", "fine"}, {"PolicyDocument", "{\n  \"Version\": \"1\"\n}"}});
  EXPECT_TRUE(CheckParameterText(ok).has_value());

  Params bad_value({{"A", "fine"}, {"Position", std::string(500'000, 'x')}, {"Z", "a\x01"}});
  auto r = CheckParameterText(bad_value);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().id(), ApiErrorId::kInvalidParameter);
  EXPECT_EQ(r.error().message(), "The specified parameter \"Position\" is not valid.");

  Params bad_name({{"Good", "v"}, {"Bad\xFF", "v"}});
  auto m = CheckParameterText(bad_name);
  ASSERT_FALSE(m.has_value());
  EXPECT_EQ(m.error().id(), ApiErrorId::kRequestParameterMalformed);

  Params long_name({{std::string(kMaxParameterNameCharacters + 1, 'N'), "v"}});
  EXPECT_FALSE(CheckParameterText(long_name).has_value());
  Params longest_name({{std::string(kMaxParameterNameCharacters, 'N'), "v"}});
  EXPECT_TRUE(CheckParameterText(longest_name).has_value());
}

}  // namespace
}  // namespace sag::ops
