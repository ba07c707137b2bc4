#include "auth/policy.h"

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace sag::auth {
namespace {

constexpr std::string_view kSagX = "acs:smartag:cn-shanghai:1234:smartag/sag-x";
constexpr std::string_view kSagY = "acs:smartag:cn-shanghai:1234:smartag/sag-y";

Policy MustParse(std::string_view document) {
  auto parsed = ParsePolicy(document);
  EXPECT_TRUE(parsed.has_value()) << document << ": " << (parsed ? "" : parsed.error());
  return parsed ? std::move(parsed).value() : Policy{};
}

const char* Name(Decision d) {
  switch (d) {
    case Decision::kAllow:
      return "kAllow";
    case Decision::kExplicitDeny:
      return "kExplicitDeny";
    case Decision::kImplicitDeny:
      return "kImplicitDeny";
  }
  return "?";
}

struct DecisionCase {
  std::string name;
  std::vector<std::string> documents;
  std::string action;
  std::string resource;
  Decision want;
};

TEST(PolicyTest, DecisionTable) {
  const std::string allow_sag_x = R"({"Version":"1","Statement":[{"Effect":"Allow",
      "Action":["smartag:Describe*"],"Resource":["acs:smartag:*:1234:smartag/sag-x"]}]})";
  const std::string allow_all = R"({"Version":"1","Statement":[{"Effect":"Allow",
      "Action":"smartag:*","Resource":"*"}]})";
  const std::string deny_sag_y = R"({"Version":"1","Statement":[{"Effect":"Deny",
      "Action":"smartag:*","Resource":"acs:smartag:*:1234:smartag/sag-y"}]})";
  const std::string allow_and_deny_in_one = R"({"Version":"1","Statement":[
      {"Effect":"Allow","Action":"smartag:*","Resource":"*"},
      {"Effect":"Deny","Action":"smartag:Delete*","Resource":"*"}]})";
  const std::string allow_describe_lower = R"({"Version":"1","Statement":[{"Effect":"Allow",
      "Action":"smartag:describe*","Resource":"*"}]})";
  const std::string allow_upper_resource = R"({"Version":"1","Statement":[{"Effect":"Allow",
      "Action":"smartag:*","Resource":"acs:smartag:*:1234:smartag/SAG-X"}]})";
  const std::string allow_question = R"({"Version":"1","Statement":[{"Effect":"Allow",
      "Action":"smartag:*","Resource":"acs:smartag:*:1234:smartag/sag-?"}]})";
  const std::string allow_string_forms = R"({"Version":"1","Statement":[{"Effect":"allow",
      "Action":"smartag:DescribeRegions","Resource":"acs:smartag:*:1234:smartag/sag-x"}]})";
  const std::string allow_array_forms = R"({"Version":"1","Statement":[{"Effect":"ALLOW",
      "Action":["smartag:CreateACL","smartag:DescribeRegions"],
      "Resource":["acs:smartag:*:1234:smartag/sag-z","acs:smartag:*:1234:smartag/sag-x"]}]})";
  const std::string allow_modify = R"({"Version":"1","Statement":[{"Effect":"Allow",
      "Action":"smartag:Modify*","Resource":"*"}]})";
  const std::string deny_other_service = R"({"Version":"1","Statement":[{"Effect":"Deny",
      "Action":"ecs:*","Resource":"*"}]})";

  const std::vector<DecisionCase> cases = {
      {"allow on one instance",
       {allow_sag_x},
       "smartag:DescribeSmartAccessGateways",
       std::string(kSagX),
       Decision::kAllow},
      {"other instance implicitly denied",
       {allow_sag_x},
       "smartag:DescribeSmartAccessGateways",
       std::string(kSagY),
       Decision::kImplicitDeny},
      {"action outside the allowed prefix",
       {allow_sag_x},
       "smartag:DeleteSmartAccessGateway",
       std::string(kSagX),
       Decision::kImplicitDeny},
      {"deny on one ARN overrides allow-all",
       {allow_all, deny_sag_y},
       "smartag:DescribeRegions",
       std::string(kSagY),
       Decision::kExplicitDeny},
      {"deny listed first still wins",
       {deny_sag_y, allow_all},
       "smartag:ModifyACL",
       std::string(kSagY),
       Decision::kExplicitDeny},
      {"allow-all still allows the other ARN",
       {allow_all, deny_sag_y},
       "smartag:DescribeRegions",
       std::string(kSagX),
       Decision::kAllow},
      {"deny in the same policy",
       {allow_and_deny_in_one},
       "smartag:DeleteACL",
       std::string(kSagX),
       Decision::kExplicitDeny},
      {"allow beside a deny in the same policy",
       {allow_and_deny_in_one},
       "smartag:CreateACL",
       std::string(kSagX),
       Decision::kAllow},
      {"action matching is case-insensitive",
       {allow_describe_lower},
       "smartag:DescribeRegions",
       std::string(kSagX),
       Decision::kAllow},
      {"service prefix is case-insensitive",
       {allow_describe_lower},
       "SmartAG:DESCRIBEREGIONS",
       std::string(kSagX),
       Decision::kAllow},
      {"resource matching is case-sensitive",
       {allow_upper_resource},
       "smartag:DescribeRegions",
       std::string(kSagX),
       Decision::kImplicitDeny},
      {"resource with the same case matches",
       {allow_upper_resource},
       "smartag:DescribeRegions",
       "acs:smartag:cn-shanghai:1234:smartag/SAG-X",
       Decision::kAllow},
      {"? matches one character",
       {allow_question},
       "smartag:DescribeRegions",
       std::string(kSagX),
       Decision::kAllow},
      {"? does not match two characters",
       {allow_question},
       "smartag:DescribeRegions",
       "acs:smartag:cn-shanghai:1234:smartag/sag-xy",
       Decision::kImplicitDeny},
      {"? does not match none",
       {allow_question},
       "smartag:DescribeRegions",
       "acs:smartag:cn-shanghai:1234:smartag/sag-",
       Decision::kImplicitDeny},
      {"string forms",
       {allow_string_forms},
       "smartag:DescribeRegions",
       std::string(kSagX),
       Decision::kAllow},
      {"string forms, other action",
       {allow_string_forms},
       "smartag:DescribeRegionsX",
       std::string(kSagX),
       Decision::kImplicitDeny},
      {"array forms, second elements match",
       {allow_array_forms},
       "smartag:DescribeRegions",
       std::string(kSagX),
       Decision::kAllow},
      {"array forms, no resource matches",
       {allow_array_forms},
       "smartag:CreateACL",
       std::string(kSagY),
       Decision::kImplicitDeny},
      {"multiple policies, second allows",
       {allow_sag_x, allow_modify},
       "smartag:ModifyACL",
       std::string(kSagY),
       Decision::kAllow},
      {"multiple policies, none applies",
       {allow_sag_x, allow_modify},
       "smartag:DeleteACL",
       std::string(kSagX),
       Decision::kImplicitDeny},
      {"deny on another service does not apply",
       {allow_all, deny_other_service},
       "smartag:DescribeRegions",
       std::string(kSagX),
       Decision::kAllow},
      {"empty policy list",
       {},
       "smartag:DescribeRegions",
       std::string(kSagX),
       Decision::kImplicitDeny},
  };

  for (const DecisionCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<Policy> policies;
    for (const std::string& document : c.documents) policies.push_back(MustParse(document));
    const Decision got = Evaluate(policies, c.action, c.resource);
    EXPECT_EQ(got, c.want) << "got " << Name(got) << ", want " << Name(c.want);
  }
}

TEST(PolicyTest, ParsesStatementFields) {
  Policy policy = MustParse(R"({"Version":"1","Statement":[
      {"Effect":"Deny","Action":"smartag:Delete*","Resource":["a","b"]},
      {"Effect":"Allow","Action":["x","y"],"Resource":"*"}]})");
  ASSERT_EQ(policy.statements.size(), 2u);
  EXPECT_FALSE(policy.statements[0].allow);
  EXPECT_EQ(policy.statements[0].actions, std::vector<std::string>{"smartag:Delete*"});
  EXPECT_EQ(policy.statements[0].resources, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(policy.statements[1].allow);
  EXPECT_EQ(policy.statements[1].actions, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(policy.statements[1].resources, std::vector<std::string>{"*"});
}

TEST(PolicyTest, AcceptsMissingVersionAndLoneStatementObject) {
  Policy policy =
      MustParse(R"({"Statement":{"Effect":"Allow","Action":"smartag:*","Resource":"*"}})");
  ASSERT_EQ(policy.statements.size(), 1u);
  EXPECT_TRUE(policy.statements[0].allow);
}

struct RejectCase {
  std::string name;
  std::string document;
  std::string reason_contains;
};

TEST(PolicyTest, RejectsInvalidDocuments) {
  const std::vector<RejectCase> cases = {
      {"not JSON", "{not json", "not valid JSON"},
      {"empty document", "", "not valid JSON"},
      {"trailing garbage", R"({"Statement":[]} x)", "not valid JSON"},
      {"not an object", R"(["Statement"])", "must be a JSON object"},
      {"no Statement", R"({"Version":"1"})", "no Statement"},
      {"empty Statement", R"({"Version":"1","Statement":[]})", "no Statement"},
      {"Statement is a string", R"({"Statement":"Allow"})", "Statement must be"},
      {"statement is not an object", R"({"Statement":["Allow"]})", "must be an object"},
      {"unknown top-level element", R"({"Version":"1","Statement":[
          {"Effect":"Allow","Action":"a","Resource":"*"}],"Extra":1})",
       "unknown policy element Extra"},
      {"Version not a string", R"({"Version":1,"Statement":[
          {"Effect":"Allow","Action":"a","Resource":"*"}]})",
       "Version must be a string"},
      {"missing Effect", R"({"Statement":[{"Action":"a","Resource":"*"}]})", "no Effect"},
      {"Effect other than Allow/Deny", R"({"Statement":[
          {"Effect":"Permit","Action":"a","Resource":"*"}]})",
       "Effect must be Allow or Deny"},
      {"Effect not a string", R"({"Statement":[{"Effect":true,"Action":"a","Resource":"*"}]})",
       "Effect must be Allow or Deny"},
      {"missing Action", R"({"Statement":[{"Effect":"Allow","Resource":"*"}]})", "no Action"},
      {"missing Resource", R"({"Statement":[{"Effect":"Allow","Action":"a"}]})", "no Resource"},
      {"empty Action array", R"({"Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]})",
       "empty Action"},
      {"empty Action string", R"({"Statement":[{"Effect":"Allow","Action":"","Resource":"*"}]})",
       "empty Action"},
      {"empty Resource array", R"({"Statement":[{"Effect":"Allow","Action":"a","Resource":[]}]})",
       "empty Resource"},
      {"empty Resource element", R"({"Statement":[
          {"Effect":"Allow","Action":"a","Resource":["x",""]}]})",
       "empty Resource"},
      {"Action is a number", R"({"Statement":[{"Effect":"Allow","Action":1,"Resource":"*"}]})",
       "Action must be a string or an array of strings"},
      {"Action is an object", R"({"Statement":[{"Effect":"Allow","Action":{},"Resource":"*"}]})",
       "Action must be a string or an array of strings"},
      {"Action array holds a non-string", R"({"Statement":[
          {"Effect":"Allow","Action":["a",2],"Resource":"*"}]})",
       "Action must be a string or an array of strings"},
      {"Resource is null", R"({"Statement":[{"Effect":"Allow","Action":"a","Resource":null}]})",
       "Resource must be a string or an array of strings"},
      {"Resource array holds an array", R"({"Statement":[
          {"Effect":"Allow","Action":"a","Resource":[["*"]]}]})",
       "Resource must be a string or an array of strings"},
      {"Condition", R"({"Statement":[{"Effect":"Allow","Action":"a","Resource":"*",
          "Condition":{"IpAddress":{"acs:SourceIp":"10.0.0.0/8"}}}]})",
       "Condition is not supported"},
      {"NotAction", R"({"Statement":[{"Effect":"Allow","NotAction":"a","Resource":"*"}]})",
       "NotAction is not supported"},
      {"NotResource", R"({"Statement":[{"Effect":"Allow","Action":"a","NotResource":"*"}]})",
       "NotResource is not supported"},
      {"Principal", R"({"Statement":[{"Effect":"Allow","Action":"a","Resource":"*",
          "Principal":{"RAM":["*"]}}]})",
       "Principal is not supported"},
      {"unknown statement element", R"({"Statement":[
          {"Effect":"Allow","Action":"a","Resource":"*","Foo":"x"}]})",
       "unknown statement element Foo"},
      {"duplicate Effect", R"({"Statement":[
          {"Effect":"Deny","Effect":"Allow","Action":"a","Resource":"*"}]})",
       "duplicate key"},
      {"duplicate top-level key", R"({"Statement":[
          {"Effect":"Deny","Action":"a","Resource":"*"}],"Statement":[]})",
       "duplicate key"},
      {"nested too deeply", std::string(100, '[') + std::string(100, ']'), "too deeply"},
      {"too large", R"({"Statement":")" + std::string(70 * 1024, 'x') + R"("})", "too large"},
  };

  for (const RejectCase& c : cases) {
    SCOPED_TRACE(c.name);
    auto parsed = ParsePolicy(c.document);
    ASSERT_FALSE(parsed.has_value());
    EXPECT_NE(parsed.error().find(c.reason_contains), std::string::npos) << parsed.error();
  }
}

TEST(PolicyTest, SameKeyInSiblingObjectsIsNotADuplicate) {
  Policy policy = MustParse(R"({"Statement":[
      {"Effect":"Allow","Action":"a","Resource":"*"},
      {"Effect":"Deny","Action":"b","Resource":"*"}]})");
  EXPECT_EQ(policy.statements.size(), 2u);
}

struct GlobCase {
  std::string pattern;
  std::string text;
  bool case_insensitive;
  bool want;
};

TEST(WildcardMatchTest, Table) {
  const std::vector<GlobCase> cases = {
      {"", "", false, true},
      {"", "a", false, false},
      {"*", "", false, true},
      {"*", "anything", false, true},
      {"**", "", false, true},
      {"?", "", false, false},
      {"?", "a", false, true},
      {"a?c", "abc", false, true},
      {"a?c", "ac", false, false},
      {"abc", "abc", false, true},
      {"abc", "abcd", false, false},
      {"abc", "ab", false, false},
      {"a*", "a", false, true},
      {"*c", "abc", false, true},
      {"*c", "abd", false, false},
      {"a*c", "ac", false, true},
      {"a*c", "abbbc", false, true},
      {"a*b*c", "axxbyyc", false, true},
      {"a*b*c", "axxbyy", false, false},
      {"*ab", "aab", false, true},
      {"*aab", "aaab", false, true},
      {"a*?", "a", false, false},
      {"a*?", "ab", false, true},
      {"smartag:describe*", "smartag:DescribeRegions", true, true},
      {"smartag:describe*", "smartag:DescribeRegions", false, false},
      {"SAG-?", "sag-x", true, true},
      {"SAG-?", "sag-x", false, false},
      {"acs:smartag:*:1234:smartag/*", "acs:smartag:cn-shanghai:1234:smartag/sag-x", false, true},
      {"acs:smartag:*:1234:smartag/*", "acs:smartag:cn-shanghai:5678:smartag/sag-x", false, false},
  };
  for (const GlobCase& c : cases) {
    SCOPED_TRACE("pattern=\"" + c.pattern + "\" text=\"" + c.text + "\"");
    EXPECT_EQ(WildcardMatch(c.pattern, c.text, c.case_insensitive), c.want);
  }
}

TEST(WildcardMatchTest, PathologicalPatternIsFast) {
  // Exponential backtracking would never finish on this; the two-pointer match is quadratic.
  std::string pattern;
  for (int i = 0; i < 50; ++i) pattern += "a*";
  pattern += "b";
  const std::string text(5000, 'a');
  EXPECT_FALSE(WildcardMatch(pattern, text, false));
  EXPECT_TRUE(WildcardMatch(pattern, text + "b", false));
}

}  // namespace
}  // namespace sag::auth
