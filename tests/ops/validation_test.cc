#include "ops/validation.h"

#include <gtest/gtest.h>

namespace sag::ops {
namespace {

TEST(ValidationTest, CidrParsing) {
  struct Row {
    const char* text;
    bool ok;
  } rows[] = {{"10.0.0.0/8", true},   {"192.168.1.0/24", true},
              {"0.0.0.0/0", true},    {"10.0.0.1/32", true},
              {"10.0.0.1/24", false}, {"10.0.0.0/33", false},
              {"10.0.0/24", false},   {"256.0.0.0/8", false},
              {"010.0.0.0/8", false}, {"10.0.0.0", false},
              {"10.0.0.0/", false},   {" 10.0.0.0/8 ", true},
              {"10.0.0.0/8x", false}, {"", false}};
  for (const Row& row : rows) {
    SCOPED_TRACE(row.text);
    EXPECT_EQ(ParseCidr(row.text).has_value(), row.ok);
  }
}

TEST(ValidationTest, CidrOverlapAndBounds) {
  auto a = *ParseCidr("10.0.0.0/24");
  auto b = *ParseCidr("10.0.0.128/25");
  auto c = *ParseCidr("10.0.1.0/24");
  EXPECT_TRUE(a.Overlaps(b));
  EXPECT_FALSE(a.Overlaps(c));
  EXPECT_EQ(FormatIpv4(a.last()), "10.0.0.255");
  EXPECT_EQ(ParseCidr("0.0.0.0/0")->last(), 0xFFFFFFFFu);
}

// A /32 is one address. Its last address was computed with a shift by 32 (undefined; on x86 it
// made the block reach 255.255.255.255 and "overlap" every block above it). Found by
// tests/fuzz/validation_fuzz.cc.
TEST(ValidationTest, HostRouteIsOneAddress) {
  auto host = *ParseCidr("192.168.0.0/32");
  EXPECT_EQ(host.last(), host.first());
  EXPECT_FALSE(host.Overlaps(*ParseCidr("192.168.0.1/32")));
  EXPECT_FALSE(host.Overlaps(*ParseCidr("10.0.0.0/8")));
  EXPECT_FALSE(ParseCidr("10.0.0.0/8")->Overlaps(host));
  EXPECT_TRUE(host.Overlaps(*ParseCidr("192.168.0.0/24")));
}

TEST(ValidationTest, CidrListNeedsEveryElementValid) {
  EXPECT_EQ(ParseCidrList("10.0.0.0/24, 10.0.1.0/24")->size(), 2u);
  EXPECT_FALSE(ParseCidrList("10.0.0.0/24,").has_value());
  EXPECT_FALSE(ParseCidrList("10.0.0.0/24,bad").has_value());
}

TEST(ValidationTest, ResourceNames) {
  EXPECT_TRUE(IsValidResourceName("ab", 2, 128));
  EXPECT_TRUE(IsValidResourceName("test-name_1.x", 2, 128));
  EXPECT_FALSE(IsValidResourceName("a", 2, 128));
  EXPECT_FALSE(IsValidResourceName("1abc", 2, 128));
  EXPECT_FALSE(IsValidResourceName("ab cd", 2, 128));
  EXPECT_FALSE(IsValidResourceName(std::string(129, 'a'), 2, 128));
  EXPECT_TRUE(IsValidResourceName(std::string(128, 'a'), 2, 128));
}

TEST(ValidationTest, Descriptions) {
  EXPECT_TRUE(IsValidDescription("Branch office"));
  EXPECT_FALSE(IsValidDescription("x"));
  EXPECT_FALSE(IsValidDescription("http://x"));
  EXPECT_FALSE(IsValidDescription("9 lives"));
}

TEST(ValidationTest, InstanceIds) {
  EXPECT_TRUE(IsWellFormedInstanceId("sag-6z21oj0vjjrx6s8a2c"));
  EXPECT_FALSE(IsWellFormedInstanceId("sag-"));
  EXPECT_FALSE(IsWellFormedInstanceId("sag-ABC"));
  EXPECT_FALSE(IsWellFormedInstanceId("ccn-abc"));
}

}  // namespace
}  // namespace sag::ops
