#include "client/cli_args.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace sag::client {
namespace {

using Words = std::vector<std::string>;

TEST(ParseActionParamsTest, ActionAndPairsVerbatim) {
  auto r = ParseActionParams(Words{"DescribeSmartAccessGateways", "--RegionId", "cn-hangzhou",
                                   "--SmartAGIds.1", "sag-a", "--regionid", "lower",
                                   "--PageSize=50", "--Empty", "", "--Offset", "-1"});
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->action, "DescribeSmartAccessGateways");
  EXPECT_FALSE(r->help);
  const signing::ParamList want = {{"RegionId", "cn-hangzhou"},
                                   {"SmartAGIds.1", "sag-a"},
                                   {"regionid", "lower"},
                                   {"PageSize", "50"},
                                   {"Empty", ""},
                                   {"Offset", "-1"}};
  EXPECT_EQ(r->params, want);
}

TEST(ParseActionParamsTest, ValueMayContainEqualsAndSpaces) {
  auto r = ParseActionParams(
      Words{"CreatePolicy", "--PolicyDocument", "{\"a\": \"b=c\"}", "--Description=x=y z"});
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->params[0].second, "{\"a\": \"b=c\"}");
  EXPECT_EQ(r->params[1], (std::pair<std::string, std::string>("Description", "x=y z")));
}

TEST(ParseActionParamsTest, ActionOnly) {
  auto r = ParseActionParams(Words{"DescribeRegions"});
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->action, "DescribeRegions");
  EXPECT_TRUE(r->params.empty());
}

TEST(ParseActionParamsTest, DanglingNameIsAnError) {
  auto r = ParseActionParams(Words{"DescribeRegions", "--RegionId"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), "missing value for --RegionId");
  auto s = ParseActionParams(Words{"X", "--A", "--B", "b"});
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error(), "missing value for --A");
}

TEST(ParseActionParamsTest, OtherErrors) {
  EXPECT_FALSE(ParseActionParams(Words{}).has_value());
  EXPECT_FALSE(ParseActionParams(Words{"--RegionId", "x"}).has_value());
  EXPECT_FALSE(ParseActionParams(Words{"X", "stray"}).has_value());
  EXPECT_FALSE(ParseActionParams(Words{"X", "-A", "1"}).has_value());
  EXPECT_FALSE(ParseActionParams(Words{"X", "--", "1"}).has_value());
  EXPECT_FALSE(ParseActionParams(Words{"X", "--=1"}).has_value());
  auto dup = ParseActionParams(Words{"X", "--A", "1", "--A", "2"});
  ASSERT_FALSE(dup.has_value());
  EXPECT_EQ(dup.error(), "parameter --A given twice");
}

TEST(ParseActionParamsTest, Help) {
  auto a = ParseActionParams(Words{"--help"});
  ASSERT_TRUE(a.has_value());
  EXPECT_TRUE(a->help);
  auto b = ParseActionParams(Words{"DescribeRegions", "-h"});
  ASSERT_TRUE(b.has_value());
  EXPECT_TRUE(b->help);
}

TEST(ParseKeyValueTest, SplitsAtFirstEquals) {
  auto r = ParseKeyValue("SmartAGId=sag-x=y");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->first, "SmartAGId");
  EXPECT_EQ(r->second, "sag-x=y");
  auto e = ParseKeyValue("Name=");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->second, "");
  EXPECT_FALSE(ParseKeyValue("NoEquals").has_value());
  EXPECT_FALSE(ParseKeyValue("=v").has_value());
}

}  // namespace
}  // namespace sag::client
