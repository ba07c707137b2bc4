#include "api/signing/percent_encoding.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sag::signing {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(PercentEncodeTest, LeavesUnreservedCharactersLiteral) {
  EXPECT_EQ(PercentEncode("AZaz09-_.~"), "AZaz09-_.~");
}

TEST(PercentEncodeTest, EncodesSpaceAsPercent20) { EXPECT_EQ(PercentEncode("a b"), "a%20b"); }

TEST(PercentEncodeTest, EncodesAsterisk) { EXPECT_EQ(PercentEncode("*"), "%2A"); }

TEST(PercentEncodeTest, KeepsTilde) { EXPECT_EQ(PercentEncode("~"), "~"); }

TEST(PercentEncodeTest, EncodesPlusAndSlash) {
  EXPECT_EQ(PercentEncode("+"), "%2B");
  EXPECT_EQ(PercentEncode("/"), "%2F");
}

TEST(PercentEncodeTest, EncodesReservedCharactersWithUpperCaseHex) {
  EXPECT_EQ(PercentEncode("=&:!'()%"), "%3D%26%3A%21%27%28%29%25");
}

TEST(PercentEncodeTest, EncodesUtf8ByteByByte) {
  EXPECT_EQ(PercentEncode("中"), "%E4%B8%AD");
  EXPECT_EQ(PercentEncode("é"), "%C3%A9");
}

TEST(PercentEncodeTest, EncodesControlAndHighBytes) {
  EXPECT_EQ(PercentEncode(std::string_view("\x00\x7f\xff", 3)), "%00%7F%FF");
}

TEST(PercentEncodeTest, EmptyStringStaysEmpty) { EXPECT_EQ(PercentEncode(""), ""); }

TEST(PercentDecodeTest, DecodesEscapesInEitherCase) {
  EXPECT_EQ(PercentDecode("%E4%b8%aD", false), "中");
  EXPECT_EQ(PercentDecode("a%20b", false), "a b");
}

TEST(PercentDecodeTest, PlusIsSpaceOnlyWhenAsked) {
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("a%2Bb", true), "a+b");
}

TEST(PercentDecodeTest, RejectsMalformedEscapes) {
  EXPECT_EQ(PercentDecode("%", false), std::nullopt);
  EXPECT_EQ(PercentDecode("abc%", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%4", false), std::nullopt);
  EXPECT_EQ(PercentDecode("abc%4", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%G0", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%0G", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%%41", false), std::nullopt);
}

TEST(PercentDecodeTest, EmptyStringDecodesToEmpty) { EXPECT_EQ(PercentDecode("", true), ""); }

TEST(PercentDecodeTest, RoundTripsEncodedBytes) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_EQ(PercentDecode(PercentEncode(all), true), all);
}

TEST(ParseUrlEncodedTest, ParsesPairsInOrder) {
  auto params = ParseUrlEncoded("b=2&a=1");
  ASSERT_TRUE(params.has_value());
  EXPECT_THAT(*params, ElementsAre(Pair("b", "2"), Pair("a", "1")));
}

TEST(ParseUrlEncodedTest, PlusIsSpaceInForms) {
  auto params = ParseUrlEncoded("Name=hello+world&Other=a%2Bb");
  ASSERT_TRUE(params.has_value());
  EXPECT_THAT(*params, ElementsAre(Pair("Name", "hello world"), Pair("Other", "a+b")));
}

TEST(ParseUrlEncodedTest, KeepsRepeatedNames) {
  auto params = ParseUrlEncoded("Id=1&Id=2&Id=1");
  ASSERT_TRUE(params.has_value());
  EXPECT_THAT(*params, ElementsAre(Pair("Id", "1"), Pair("Id", "2"), Pair("Id", "1")));
}

TEST(ParseUrlEncodedTest, NameWithoutValueAndEmptyValue) {
  auto params = ParseUrlEncoded("c&SignatureType=&d==x");
  ASSERT_TRUE(params.has_value());
  EXPECT_THAT(*params, ElementsAre(Pair("c", ""), Pair("SignatureType", ""), Pair("d", "=x")));
}

TEST(ParseUrlEncodedTest, SkipsEmptySegments) {
  auto params = ParseUrlEncoded("&&a=1&&b=2&");
  ASSERT_TRUE(params.has_value());
  EXPECT_THAT(*params, ElementsAre(Pair("a", "1"), Pair("b", "2")));
}

TEST(ParseUrlEncodedTest, EmptyInputYieldsNoParams) {
  auto params = ParseUrlEncoded("");
  ASSERT_TRUE(params.has_value());
  EXPECT_TRUE(params->empty());
}

TEST(ParseUrlEncodedTest, DecodesNamesAndUtf8Values) {
  auto params = ParseUrlEncoded("Tag.1.Key=%E4%B8%AD&My%20Name=x");
  ASSERT_TRUE(params.has_value());
  EXPECT_THAT(*params, ElementsAre(Pair("Tag.1.Key", "中"), Pair("My Name", "x")));
}

TEST(ParseUrlEncodedTest, RejectsMalformedEscapes) {
  EXPECT_EQ(ParseUrlEncoded("a=%zz"), std::nullopt);
  EXPECT_EQ(ParseUrlEncoded("a=1&b=%4"), std::nullopt);
  EXPECT_EQ(ParseUrlEncoded("%=1"), std::nullopt);
}

TEST(BuildUrlEncodedTest, EncodesNamesAndValuesInGivenOrder) {
  ParamList params = {{"b", "x y"}, {"a", "1+1"}, {"Empty", ""}, {"中", "*"}};
  EXPECT_EQ(BuildUrlEncoded(params), "b=x%20y&a=1%2B1&Empty=&%E4%B8%AD=%2A");
}

TEST(BuildUrlEncodedTest, EmptyListBuildsEmptyString) { EXPECT_EQ(BuildUrlEncoded({}), ""); }

TEST(BuildUrlEncodedTest, RoundTripsThroughParse) {
  ParamList params = {{"A", "a b+c&d=e"}, {"A", "%"}, {"Key", "中文~*"}, {"Empty", ""}};
  EXPECT_EQ(ParseUrlEncoded(BuildUrlEncoded(params)), params);
}

}  // namespace
}  // namespace sag::signing
