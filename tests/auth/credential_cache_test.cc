#include "auth/credential_cache.h"

#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

namespace sag::auth {
namespace {

CachedCredential Cred(const std::string& account, const std::string& user) {
  return CachedCredential{account, user, "secret", true, false, false};
}

TEST(CredentialCacheTest, EntriesExpireAfterTheTtl) {
  CredentialCache cache(1000);
  cache.PutCredential("k1", Cred("a", "u"), 0);
  EXPECT_TRUE(cache.GetCredential("k1", 999).has_value());
  EXPECT_FALSE(cache.GetCredential("k1", 1000).has_value());
  EXPECT_FALSE(cache.GetCredential("k2", 0).has_value());
}

TEST(CredentialCacheTest, InvalidateKeyDropsOnlyThatKey) {
  CredentialCache cache(1000);
  cache.PutCredential("k1", Cred("a", "u"), 0);
  cache.PutCredential("k2", Cred("a", "u"), 0);
  cache.InvalidateKey("k1");
  EXPECT_FALSE(cache.GetCredential("k1", 1).has_value());
  EXPECT_TRUE(cache.GetCredential("k2", 1).has_value());
}

TEST(CredentialCacheTest, InvalidateUserDropsItsKeysAndPolicies) {
  CredentialCache cache(1000);
  cache.PutCredential("k1", Cred("a", "u"), 0);
  cache.PutCredential("k2", Cred("a", "other"), 0);
  cache.PutCredential("k3", Cred("b", "u"), 0);
  cache.PutPolicies("a", "u", {}, 0);
  cache.InvalidateUser("a", "u");
  EXPECT_FALSE(cache.GetCredential("k1", 1).has_value());
  EXPECT_TRUE(cache.GetCredential("k2", 1).has_value());
  EXPECT_TRUE(cache.GetCredential("k3", 1).has_value());
  EXPECT_FALSE(cache.GetPolicies("a", "u", 1).has_value());
}

TEST(CredentialCacheTest, InvalidateAccountPoliciesIsScopedToTheAccount) {
  CredentialCache cache(1000);
  cache.PutPolicies("a", "u1", {}, 0);
  cache.PutPolicies("a", "u2", {}, 0);
  cache.PutPolicies("ab", "u1", {}, 0);  // an account id sharing a prefix is not touched
  cache.InvalidateAccountPolicies("a");
  EXPECT_FALSE(cache.GetPolicies("a", "u1", 1).has_value());
  EXPECT_FALSE(cache.GetPolicies("a", "u2", 1).has_value());
  EXPECT_TRUE(cache.GetPolicies("ab", "u1", 1).has_value());
}

TEST(CredentialCacheTest, StaysBoundedInSize) {
  CredentialCache cache(1000, 10);
  for (int i = 0; i < 100; ++i) cache.PutCredential("k" + std::to_string(i), Cred("a", "u"), 0);
  int present = 0;
  for (int i = 0; i < 100; ++i) present += cache.GetCredential("k" + std::to_string(i), 1) ? 1 : 0;
  EXPECT_LE(present, 10);
  EXPECT_TRUE(cache.GetCredential("k99", 1).has_value());
}

TEST(CredentialCacheTest, InvalidationsAreAnnouncedAndAppliedOnAnotherNode) {
  CredentialCache here(1000);
  CredentialCache there(1000);
  std::vector<std::string> wire;
  here.set_announcer(
      [&](const CacheInvalidation& i) { wire.push_back(cluster::EncodeClusterMessage(i)); });
  there.set_announcer([](const CacheInvalidation&) { ADD_FAILURE() << "Apply must not announce"; });
  there.PutCredential("k1", Cred("a", "u"), 0);
  there.PutCredential("k2", Cred("a", "v"), 0);
  there.PutPolicies("a", "u", {}, 0);
  there.PutPolicies("b", "w", {}, 0);

  here.InvalidateKey("k2");
  here.InvalidateUser("a", "u");
  here.InvalidateAccountPolicies("b");
  ASSERT_EQ(wire.size(), 3u);
  EXPECT_EQ(wire[0], R"({"t":"credentials","k":"key","a":"k2","b":""})");
  for (const std::string& message : wire) {
    auto parsed = cluster::ParseClusterMessage(message);
    ASSERT_TRUE(parsed.has_value()) << message;
    const auto* i = std::get_if<CacheInvalidation>(&*parsed);
    ASSERT_NE(i, nullptr) << message;
    there.Apply(*i);
  }
  EXPECT_FALSE(there.GetCredential("k1", 1).has_value());  // user a/u
  EXPECT_FALSE(there.GetCredential("k2", 1).has_value());  // the key
  EXPECT_FALSE(there.GetPolicies("a", "u", 1).has_value());
  EXPECT_FALSE(there.GetPolicies("b", "w", 1).has_value());
}

TEST(CredentialCacheTest, ClearDropsEverything) {
  CredentialCache cache(1000);
  cache.PutCredential("k1", Cred("a", "u"), 0);
  cache.PutPolicies("a", "u", {}, 0);
  cache.Clear();
  EXPECT_FALSE(cache.GetCredential("k1", 1).has_value());
  EXPECT_FALSE(cache.GetPolicies("a", "u", 1).has_value());
}

}  // namespace
}  // namespace sag::auth
