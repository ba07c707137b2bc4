// The cluster messages: every kind survives encode → parse, the wire names stay as other nodes
// read them, and what is not a message is refused.
#include "common/cluster_message.h"

#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

namespace sag::cluster {
namespace {

template <class T>
T RoundTrip(const T& message) {
  auto parsed = ParseClusterMessage(EncodeClusterMessage(message));
  EXPECT_TRUE(parsed.has_value()) << EncodeClusterMessage(message);
  if (!parsed) return {};
  const T* typed = std::get_if<T>(&*parsed);
  EXPECT_NE(typed, nullptr) << EncodeClusterMessage(message);
  return typed == nullptr ? T{} : *typed;
}

TEST(ClusterMessageTest, EveryKindRoundTrips) {
  auto desired = RoundTrip(DesiredChanged{"sage62x1", "admin_password", 7});
  EXPECT_EQ(desired.serial_number, "sage62x1");
  EXPECT_EQ(desired.facet, "admin_password");
  EXPECT_EQ(desired.generation, 7);
  auto kick = RoundTrip(KickSession{"sage62x1", "s-1", "secret changed"});
  EXPECT_EQ(kick.session_id, "s-1");
  EXPECT_EQ(kick.why, "secret changed");
  EXPECT_EQ(RoundTrip(KickSession{"sage62x1", "s-1", ""}).why, "");
  auto applied = RoundTrip(AppliedReport{"sage62x1", "device", 3, true});
  EXPECT_TRUE(applied.ok);
  EXPECT_EQ(applied.generation, 3);
  EXPECT_FALSE(RoundTrip(AppliedReport{"sage62x1", "device", 3, false}).ok);
  EXPECT_EQ(RoundTrip(ProgressReport{"sage62x1", "dpi", 4}).facet, "dpi");
  auto ended = RoundTrip(SessionEnded{"sage62x1", "n1", "s-2"});
  EXPECT_EQ(ended.node_id, "n1");
  EXPECT_EQ(ended.session_id, "s-2");
  auto user = RoundTrip(CredentialsChanged{CredentialsChanged::Kind::kUser, "acct", "bob"});
  EXPECT_EQ(user.kind, CredentialsChanged::Kind::kUser);
  EXPECT_EQ(user.second, "bob");
  EXPECT_EQ(RoundTrip(SettingChanged{"clock_offset_ms"}).key, "clock_offset_ms");
}

TEST(ClusterMessageTest, WireNamesAreStable) {
  EXPECT_EQ(EncodeClusterMessage(CredentialsChanged{CredentialsChanged::Kind::kKey, "k2", ""}),
            R"({"t":"credentials","k":"key","a":"k2","b":""})");
  EXPECT_EQ(EncodeClusterMessage(AppliedReport{"sn1", "f", 2, true}),
            R"({"t":"applied","sn":"sn1","facet":"f","gen":2,"ok":true})");
  // What the PostgreSQL store's own NOTIFY sends (json_build_object('t','setting','key',...)).
  auto setting = ParseClusterMessage(R"({"t" : "setting", "key" : "clock_offset_ms"})");
  ASSERT_TRUE(setting.has_value());
  EXPECT_EQ(std::get<SettingChanged>(*setting).key, "clock_offset_ms");
}

TEST(ClusterMessageTest, RefusesWhatIsNotAMessage) {
  for (const char* payload :
       {"", "{", "[]", "42", R"({"t":"nonsense","sn":"x"})", R"({"sn":"x"})",
        R"({"t":"desired","facet":"f","gen":1})", R"({"t":"desired","sn":"x","gen":"1"})",
        R"({"t":"applied","sn":"x","ok":"yes"})", R"({"t":"credentials","k":"key"})",
        R"({"t":"credentials","k":"all","a":"x","b":""})",
        R"({"t":"credentials","k":"key","a":1,"b":""})"}) {
    EXPECT_FALSE(ParseClusterMessage(payload).has_value()) << payload;
  }
}

}  // namespace
}  // namespace sag::cluster
