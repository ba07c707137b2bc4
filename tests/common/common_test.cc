#include <set>

#include <gtest/gtest.h>

#include "common/crypto.h"
#include "common/ids.h"
#include "common/result.h"
#include "common/time_format.h"

namespace sag {
namespace {

TEST(TimeFormatTest, ParsesAndFormatsIso8601) {
  EXPECT_EQ(ParseIso8601Utc("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseIso8601Utc("2016-02-23T12:46:24Z"), 1456231584000);
  EXPECT_EQ(ParseIso8601Utc("2016-02-23T12:46:24.312Z"), 1456231584312);
  EXPECT_EQ(FormatIso8601Utc(1456231584312), "2016-02-23T12:46:24Z");
  EXPECT_EQ(FormatDeviceTime(1456231584312), "2016-02-23 12:46:24");
}

TEST(TimeFormatTest, RejectsMalformedTimestamps) {
  for (const char* bad : {"", "2016-02-23", "2016-02-23T12:46:24", "2016-02-30T12:46:24Z",
                          "2016-13-01T00:00:00Z", "2016-02-23 12:46:24Z", "2016-02-23T12:46:24.Z",
                          "2016-02-23T12:46:24Zx", "abcd-02-23T12:46:24Z"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(ParseIso8601Utc(bad).has_value());
  }
}

TEST(CryptoTest, SecretBoxRoundTripAndTamperDetection) {
  SecretBox box(std::string(32, 'k'));
  std::string sealed = box.Seal("secret-value");
  EXPECT_EQ(sealed.find("secret-value"), std::string::npos);
  EXPECT_EQ(box.Open(sealed), "secret-value");
  EXPECT_NE(box.Seal("secret-value"), sealed);  // fresh nonce each time
  sealed[sealed.size() - 1] ^= 1;
  EXPECT_FALSE(box.Open(sealed).has_value());
  SecretBox other(std::string(32, 'o'));
  EXPECT_FALSE(other.Open(box.Seal("x")).has_value());
}

TEST(CryptoTest, PasswordHashIsArgon2idAndVerifies) {
  auto hash = HashPassword("Admin_1234");
  ASSERT_TRUE(hash.has_value());
  EXPECT_TRUE(hash->starts_with("$argon2id$"));
  EXPECT_EQ(hash->find("Admin_1234"), std::string::npos);
  EXPECT_TRUE(VerifyPassword(*hash, "Admin_1234"));
  EXPECT_FALSE(VerifyPassword(*hash, "Admin_1235"));
}

TEST(CryptoTest, Base64AndHex) {
  EXPECT_EQ(Base64Encode("hello"), "aGVsbG8=");
  EXPECT_EQ(Base64Decode("aGVsbG8="), "hello");
  EXPECT_FALSE(Base64Decode("aGVsbG8").has_value());
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(IdsTest, Shapes) {
  std::string rid = NewRequestId();
  ASSERT_EQ(rid.size(), 36u);
  for (char c : rid) EXPECT_TRUE(c == '-' || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'));
  EXPECT_EQ(rid[14], '4');
  std::string sag = NewResourceId("sag");
  EXPECT_EQ(sag.size(), 22u);
  EXPECT_TRUE(sag.starts_with("sag-"));
  EXPECT_TRUE(NewAccessKeyId().starts_with("LTAI"));
  EXPECT_EQ(NewAccessKeySecret().size(), 30u);
  EXPECT_EQ(NewAccountId().size(), 16u);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(NewResourceId("sag"));
  EXPECT_EQ(seen.size(), 1000u);
}

Result<int, std::string> Half(int x) {
  if (x % 2 != 0) return MakeUnexpected(std::string("odd"));
  return x / 2;
}

Result<int, std::string> Quarter(int x) {
  ASSIGN_OR_RETURN(int h, Half(x));
  ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(ResultTest, PropagatesErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).error(), "odd");
  EXPECT_EQ(Quarter(5).error(), "odd");
}

}  // namespace
}  // namespace sag
