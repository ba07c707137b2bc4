#include "ops/fault_rules.h"

#include <string>

#include <gtest/gtest.h>

namespace sag::ops {
namespace {

FaultRule Rule(std::string target, int64_t times = 0) {
  FaultRule r;
  r.target_action = std::move(target);
  r.times = times;
  r.code = "Throttling.User";
  return r;
}

TEST(FaultRulesTest, TimesLimitsTheMatchesAndHitsAreCounted) {
  FaultRules rules;
  auto id = rules.Add(Rule("BindSerialNumber", 2));
  ASSERT_TRUE(id);
  EXPECT_TRUE(id->starts_with("fr-"));
  FaultCall call{"BindSerialNumber", "acct", ""};
  auto first = rules.Match(call);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->rule_id, *id);
  EXPECT_EQ(first->hits, 1);
  ASSERT_TRUE(rules.Match(call));
  EXPECT_FALSE(rules.Match(call));  // exhausted, but still listed
  ASSERT_EQ(rules.List().size(), 1u);
  EXPECT_EQ(rules.List()[0].hits, 2);
  EXPECT_FALSE(rules.Match({"UnbindSerialNumber", "acct", ""}));
}

TEST(FaultRulesTest, ZeroTimesMatchesUntilDeleted) {
  FaultRules rules;
  auto id = rules.Add(Rule("Describe*"));
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(rules.Match({"DescribeRegions", "a", ""}));
  EXPECT_FALSE(rules.Match({"describeRegions", "a", ""}));  // case-sensitive
  EXPECT_TRUE(rules.Remove(*id));
  EXPECT_FALSE(rules.Remove(*id));
  EXPECT_FALSE(rules.Match({"DescribeRegions", "a", ""}));
}

TEST(FaultRulesTest, ScopesByAccountAndInstance) {
  FaultRules rules;
  FaultRule scoped = Rule("*");
  scoped.account_id = "a1";
  scoped.smartag_id = "sag-1";
  rules.Add(scoped);
  EXPECT_FALSE(rules.Match({"ModifySmartAccessGateway", "a2", "sag-1"}));
  EXPECT_FALSE(rules.Match({"ModifySmartAccessGateway", "a1", "sag-2"}));
  EXPECT_FALSE(rules.Match({"ModifySmartAccessGateway", "a1", ""}));
  EXPECT_TRUE(rules.Match({"ModifySmartAccessGateway", "a1", "sag-1"}));
}

TEST(FaultRulesTest, TheFirstRuleWithCallsLeftAnswers) {
  FaultRules rules;
  auto once = rules.Add(Rule("DescribeRegions", 1));
  auto always = rules.Add(Rule("Describe*"));
  EXPECT_EQ(rules.Match({"DescribeRegions", "a", ""})->rule_id, *once);
  EXPECT_EQ(rules.Match({"DescribeRegions", "a", ""})->rule_id, *always);
}

TEST(FaultRulesTest, KeepsAtMostTheLimitAndClearEmptiesThem) {
  FaultRules rules;
  for (size_t i = 0; i < kMaxFaultRules; ++i) ASSERT_TRUE(rules.Add(Rule("A")));
  EXPECT_FALSE(rules.Add(Rule("A")));
  rules.Clear();
  EXPECT_TRUE(rules.List().empty());
  EXPECT_TRUE(rules.Add(Rule("A")));
}

}  // namespace
}  // namespace sag::ops
