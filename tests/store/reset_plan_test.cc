#include "store/reset_plan.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace sag::store {
namespace {

std::vector<std::string> Tables(const ResetPlan& plan) {
  std::vector<std::string> out;
  for (const ResetStep& s : plan.steps) out.push_back(s.table);
  return out;
}

TEST(ResetPlanTest, ClassifiesByListsThenByColumns) {
  ResetPlan plan = PlanReset({
      {"accounts", {"id", "is_operator"}, {}},
      {"users", {"account_id", "name"}, {}},
      {"instances", {"id", "account_id"}, {}},
      {"device_bindings", {"serial_number", "instance_id"}, {"devices", "instances"}},
      {"device_facets", {"serial_number", "facet"}, {"devices"}},
      {"devices", {"serial_number"}, {}},
      {"settings", {"key", "value"}, {}},
  });
  EXPECT_TRUE(plan.problems.empty());
  ASSERT_EQ(plan.steps.size(), 5u);
  EXPECT_EQ(Tables(plan), (std::vector<std::string>{"device_facets", "device_bindings", "instances",
                                                    "users", "accounts"}));
  EXPECT_EQ(plan.steps[0].scope, ResetScope::kBoundDevices);
  EXPECT_EQ(plan.steps[1].scope, ResetScope::kInstanceColumn);
  EXPECT_EQ(plan.steps[2].scope, ResetScope::kAccountColumn);
  EXPECT_EQ(plan.steps[3].scope, ResetScope::kIdentity);
  EXPECT_EQ(plan.steps[4].scope, ResetScope::kAccounts);
}

TEST(ResetPlanTest, ALinkedChildTableGoesFirstThroughItsParent) {
  ResetPlan plan = PlanReset({
      {"acls", {"id", "account_id"}, {}},
      {"acl_rules", {"id", "acl_id"}, {"acls"}},
  });
  EXPECT_TRUE(plan.problems.empty());
  EXPECT_EQ(Tables(plan), (std::vector<std::string>{"acl_rules", "acls"}));
  EXPECT_EQ(plan.steps[0].scope, ResetScope::kChildRows);
  for (const ChildLink& link : ChildLinks()) {
    EXPECT_NE(link.table, link.parent);
    EXPECT_FALSE(link.column.empty());
  }
}

TEST(ResetPlanTest, AccountIdWinsOverInstanceId) {
  ResetPlan plan = PlanReset({{"client_users", {"instance_id", "account_id"}, {}}});
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0].scope, ResetScope::kAccountColumn);
}

TEST(ResetPlanTest, AChildGoesBeforeTheTablesItReferencesWithinAScope) {
  ResetPlan plan = PlanReset({
      {"a_parent", {"account_id"}, {}},
      {"b_child", {"account_id"}, {"a_parent"}},
      {"c_grandchild", {"account_id"}, {"b_child", "c_grandchild"}},  // and itself
  });
  EXPECT_TRUE(plan.problems.empty());
  EXPECT_EQ(Tables(plan), (std::vector<std::string>{"c_grandchild", "b_child", "a_parent"}));
}

TEST(ResetPlanTest, AnUnclassifiedTableIsAProblem) {
  ResetPlan plan = PlanReset({{"widget_parts", {"widget_id", "priority"}, {}}});
  ASSERT_EQ(plan.problems.size(), 1u);
  EXPECT_NE(plan.problems[0].find("widget_parts"), std::string::npos);
}

TEST(ResetPlanTest, AnOrderTheScopesBreakIsAProblem) {
  // An account-column table referencing an instance-column one would be cleared after it.
  ResetPlan plan = PlanReset({
      {"sessions", {"instance_id"}, {}},
      {"notes", {"account_id"}, {"sessions"}},
  });
  ASSERT_EQ(plan.problems.size(), 1u);
  EXPECT_NE(plan.problems[0].find("notes references sessions"), std::string::npos);
}

TEST(ResetPlanTest, AKeptTableReferencingAClearedOneIsAProblem) {
  ResetPlan plan = PlanReset({
      {"instances", {"id", "account_id"}, {}},
      {"versions", {"version_code"}, {"instances"}},
  });
  ASSERT_EQ(plan.problems.size(), 1u);
  EXPECT_NE(plan.problems[0].find("versions is kept but references instances"), std::string::npos);
}

}  // namespace
}  // namespace sag::store
