#include "ops/request_journal.h"

#include <string>

#include <gtest/gtest.h>

#include "ops/params.h"

namespace sag::ops {
namespace {

JournalEntry Entry(std::string id, std::string action, std::string account, std::string code) {
  JournalEntry e;
  e.request_id = std::move(id);
  e.action = std::move(action);
  e.account_id = std::move(account);
  e.code = std::move(code);
  return e;
}

JournalFilter Filter(std::string action, std::string account, std::string code, size_t max = 100) {
  JournalFilter f;
  f.target_action = std::move(action);
  f.account_id = std::move(account);
  f.code = std::move(code);
  f.max_results = max;
  return f;
}

TEST(ParamsReadTrackingTest, UnreadNamesWhatNoAccessorFound) {
  Params p;
  p.Set("PageSize", "10");
  p.Set("PageSze", "10");
  p.Set("RegionId", "cn-shanghai");
  p.Set("Tag.1", "a");
  EXPECT_EQ(p.Unread(), (std::vector<std::string>{"PageSize", "PageSze", "RegionId", "Tag.1"}));
  EXPECT_EQ(p.Get("PageSize"), "10");
  EXPECT_NE(p.Peek("RegionId"), nullptr);  // Peek does not count as reading
  EXPECT_TRUE(p.GetList("Tag").size() == 1);
  EXPECT_FALSE(p.Has("Absent"));
  EXPECT_EQ(p.Unread(), (std::vector<std::string>{"PageSze", "RegionId"}));
  auto n = p.GetInt("PageSze", 0, 0, 100);
  ASSERT_TRUE(n);
  EXPECT_EQ(p.Unread(), (std::vector<std::string>{"RegionId"}));
}

TEST(RequestJournalTest, RedactsSignaturesSecretsAndPasswords) {
  for (const char* name : {"Signature", "SecurityToken", "DeviceSecret", "AccessKeySecret",
                           "Password", "NewAdminPassword", "userpassword"}) {
    EXPECT_TRUE(IsRedactedParameter(name)) << name;
  }
  for (const char* name : {"SignatureNonce", "UserName", "AccessKeyId", "PageSize"}) {
    EXPECT_FALSE(IsRedactedParameter(name)) << name;
  }
  Params p;
  p.Set("Signature", "abc");
  p.Set("Password", "hunter2hunter2");
  p.Set("UserName", "alice");
  bool truncated = true;
  auto shown = RedactParameters(p, &truncated);
  EXPECT_FALSE(truncated);
  ASSERT_EQ(shown.size(), 3u);
  EXPECT_EQ(shown[0], (std::pair<std::string, std::string>{"Password", std::string(kRedacted)}));
  EXPECT_EQ(shown[1], (std::pair<std::string, std::string>{"Signature", std::string(kRedacted)}));
  EXPECT_EQ(shown[2], (std::pair<std::string, std::string>{"UserName", "alice"}));
}

TEST(RequestJournalTest, BoundsParametersAndValues) {
  Params p;
  for (size_t i = 0; i < kMaxJournalParameters + 5; ++i) p.Set("P" + std::to_string(1000 + i), "v");
  p.Set("A", std::string(kMaxJournalValueBytes + 10, 'x'));
  p.Set("B", std::string(kMaxJournalValueBytes - 1, 'y') + "\xC3\xA9");  // é across the cut
  bool truncated = false;
  auto shown = RedactParameters(p, &truncated);
  EXPECT_TRUE(truncated);
  EXPECT_EQ(shown.size(), kMaxJournalParameters);
  EXPECT_EQ(shown[0].second, std::string(kMaxJournalValueBytes, 'x') + "...");
  EXPECT_EQ(shown[1].second, std::string(kMaxJournalValueBytes - 1, 'y') + "...");
}

TEST(RequestJournalTest, KeepsTheNewestAndDropsTheOldestFirst) {
  RequestJournal journal(3);
  for (int i = 1; i <= 5; ++i) journal.Add(Entry("r" + std::to_string(i), "A", "acct", ""));
  auto all = journal.List({});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].request_id, "r5");
  EXPECT_EQ(all[2].request_id, "r3");
  EXPECT_FALSE(journal.Get("r2").has_value());
  ASSERT_TRUE(journal.Get("r4").has_value());
  EXPECT_EQ(journal.Get("r4")->request_id, "r4");
}

TEST(RequestJournalTest, ZeroCapacityKeepsNothing) {
  RequestJournal journal(0);
  journal.Add(Entry("r1", "A", "acct", ""));
  EXPECT_TRUE(journal.List({}).empty());
  EXPECT_FALSE(journal.Get("r1").has_value());
}

TEST(RequestJournalTest, FiltersByActionGlobAccountAndCode) {
  RequestJournal journal(10);
  journal.Add(Entry("r1", "BindSerialNumber", "a1", ""));
  journal.Add(Entry("r2", "DescribeRegions", "a1", "Throttling.User"));
  journal.Add(Entry("r3", "DescribeSmartAccessGateways", "a2", ""));
  auto ids = [&](const JournalFilter& f) {
    std::vector<std::string> out;
    for (const auto& e : journal.List(f)) out.push_back(e.request_id);
    return out;
  };
  EXPECT_EQ(ids(Filter("Describe*", "", "")), (std::vector<std::string>{"r3", "r2"}));
  EXPECT_EQ(ids(Filter("describe*", "", "")), std::vector<std::string>{});
  EXPECT_EQ(ids(Filter("", "a1", "")), (std::vector<std::string>{"r2", "r1"}));
  EXPECT_EQ(ids(Filter("", "", "Throttling.User")), std::vector<std::string>{"r2"});
  EXPECT_EQ(ids(Filter("", "", "OK")), (std::vector<std::string>{"r3", "r1"}));
  EXPECT_EQ(ids(Filter("", "", "", 1)), std::vector<std::string>{"r3"});
}

TEST(RequestJournalTest, CutsUnreadNames) {
  RequestJournal journal(1);
  JournalEntry e = Entry("r1", "A", "", "");
  for (size_t i = 0; i < kMaxJournalParameters + 1; ++i) {
    e.unread_parameters.push_back(std::string(kMaxJournalValueBytes + 1, 'n'));
  }
  journal.Add(std::move(e));
  auto got = journal.Get("r1");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->unread_parameters.size(), kMaxJournalParameters);
  EXPECT_EQ(got->unread_parameters[0], std::string(kMaxJournalValueBytes, 'n') + "...");
}

}  // namespace
}  // namespace sag::ops
