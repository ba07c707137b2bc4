#include "api/signing/signature_v1.h"

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

namespace sag::signing {
namespace {

// Returns the value of the first parameter called name, or "" when absent.
std::string Find(const ParamList& params, std::string_view name) {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return "";
}

size_t Count(const ParamList& params, std::string_view name) {
  return static_cast<size_t>(
      std::count_if(params.begin(), params.end(), [&](const auto& p) { return p.first == name; }));
}

TEST(SignatureV1Test, MatchesOfficialEcsVector) {
  // Deliberately out of order, and with a Signature that must be ignored.
  const ParamList params = {
      {"Timestamp", "2016-02-23T12:46:24Z"},
      {"Format", "XML"},
      {"Signature", "ignored"},
      {"AccessKeyId", "testid"},
      {"Action", "DescribeRegions"},
      {"SignatureMethod", "HMAC-SHA1"},
      {"SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"},
      {"Version", "2014-05-26"},
      {"SignatureVersion", "1.0"},
  };
  const std::string string_to_sign = V1StringToSign("GET", params);
  EXPECT_EQ(string_to_sign,
            "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26"
            "SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-"
            "4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26"
            "Version%3D2014-05-26");
  EXPECT_EQ(V1Signature("testsecret", string_to_sign), "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
}

TEST(SignatureV1Test, MatchesSmartagDocVector) {
  const ParamList params = {
      {"Action", "DescribeSmartAccessGateways"},
      {"Timestamp", "2016-04-23T12:46:24Z"},
      {"Format", "XML"},
      {"AccessKeyId", "testid"},
      {"SignatureMethod", "HMAC-SHA1"},
      {"SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"},
      {"Version", "2018-03-13"},
      {"SignatureVersion", "1.0"},
  };
  const std::string string_to_sign = V1StringToSign("GET", params);
  EXPECT_EQ(string_to_sign,
            "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeSmartAccessGateways%26Format%3DXML%26"
            "SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-"
            "4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-04-23T12%253A46%253A24Z%26"
            "Version%3D2018-03-13");
  EXPECT_EQ(V1Signature("testsecret", string_to_sign), "RVQhqN6pCc27CTt9ayuQFrUxfqc=");
}

TEST(SignatureV1Test, UsesTheGivenHttpMethod) {
  const ParamList params = {{"A", "1"}};
  EXPECT_EQ(V1StringToSign("POST", params), "POST&%2F&A%3D1");
  EXPECT_EQ(V1StringToSign("GET", params), "GET&%2F&A%3D1");
}

TEST(SignatureV1Test, IncludesEmptyValuedParameters) {
  const ParamList params = {{"SignatureType", ""}, {"A", "1"}};
  EXPECT_EQ(V1StringToSign("POST", params), "POST&%2F&A%3D1%26SignatureType%3D");
}

TEST(SignatureV1Test, SortsByNameBytesThenValue) {
  // Upper case sorts before lower case; '.' (0x2E) before '1' (0x31); duplicates by value.
  const ParamList params = {{"b", "1"},    {"B", "1"},  {"Tag.1", "x"},
                            {"Tag1", "y"}, {"Id", "2"}, {"Id", "1"}};
  EXPECT_EQ(V1StringToSign("GET", params),
            "GET&%2F&B%3D1%26Id%3D1%26Id%3D2%26Tag.1%3Dx%26Tag1%3Dy%26b%3D1");
}

TEST(SignatureV1Test, EncodesValuesTwice) {
  const ParamList params = {{"Name", "a b*~/中"}};
  EXPECT_EQ(V1StringToSign("GET", params), "GET&%2F&Name%3Da%2520b%252A~%252F%25E4%25B8%25AD");
}

TEST(SignatureV1Test, SignV1AddsCommonParametersAndVerifies) {
  V1SignInput input;
  input.access_key_id = "testid";
  input.access_key_secret = "testsecret";
  input.action = "DescribeSmartAccessGateways";
  input.params = {{"RegionId", "cn-shanghai"}, {"SmartAGIds.1", "sag-abc"}};
  const ParamList signed_params = SignV1(input);

  EXPECT_EQ(Find(signed_params, "Action"), "DescribeSmartAccessGateways");
  EXPECT_EQ(Find(signed_params, "Version"), "2018-03-13");
  EXPECT_EQ(Find(signed_params, "Format"), "JSON");
  EXPECT_EQ(Find(signed_params, "AccessKeyId"), "testid");
  EXPECT_EQ(Find(signed_params, "SignatureMethod"), "HMAC-SHA1");
  EXPECT_EQ(Find(signed_params, "SignatureVersion"), "1.0");
  EXPECT_EQ(Find(signed_params, "RegionId"), "cn-shanghai");
  EXPECT_EQ(Find(signed_params, "SmartAGIds.1"), "sag-abc");
  EXPECT_EQ(Count(signed_params, "Signature"), 1u);
  ASSERT_EQ(signed_params.back().first, "Signature");

  const std::string nonce = Find(signed_params, "SignatureNonce");
  ASSERT_EQ(nonce.size(), 32u);
  EXPECT_TRUE(std::all_of(nonce.begin(), nonce.end(),
                          [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }));
  const std::string timestamp = Find(signed_params, "Timestamp");
  ASSERT_EQ(timestamp.size(), 20u);
  EXPECT_EQ(timestamp[4], '-');
  EXPECT_EQ(timestamp[10], 'T');
  EXPECT_EQ(timestamp[19], 'Z');

  // A server rebuilding the string from the received params gets the same signature.
  const std::string expected = V1Signature("testsecret", V1StringToSign("POST", signed_params));
  EXPECT_EQ(Find(signed_params, "Signature"), expected);
  // Survives a trip over the wire.
  const auto received = ParseUrlEncoded(BuildUrlEncoded(signed_params));
  ASSERT_TRUE(received.has_value());
  EXPECT_EQ(V1Signature("testsecret", V1StringToSign("POST", *received)), expected);
}

TEST(SignatureV1Test, SignV1UsesGivenNonceAndTimestamp) {
  V1SignInput input;
  input.http_method = "GET";
  input.access_key_id = "testid";
  input.access_key_secret = "testsecret";
  input.action = "DescribeSmartAccessGateways";
  input.format = "XML";
  input.timestamp = "2016-04-23T12:46:24Z";
  input.nonce = "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf";
  const ParamList signed_params = SignV1(input);
  EXPECT_EQ(Find(signed_params, "Signature"), "RVQhqN6pCc27CTt9ayuQFrUxfqc=");
}

TEST(SignatureV1Test, RandomNoncesDiffer) {
  V1SignInput input;
  input.access_key_id = "id";
  input.access_key_secret = "secret";
  input.action = "X";
  EXPECT_NE(Find(SignV1(input), "SignatureNonce"), Find(SignV1(input), "SignatureNonce"));
}

TEST(SignatureV1Test, ChangedParameterChangesSignature) {
  V1SignInput input;
  input.access_key_id = "testid";
  input.access_key_secret = "testsecret";
  input.action = "DescribeSmartAccessGateways";
  input.timestamp = "2024-01-01T00:00:00Z";
  input.nonce = "0123456789abcdef0123456789abcdef";
  input.params = {{"RegionId", "cn-shanghai"}};
  ParamList signed_params = SignV1(input);
  const std::string signature = Find(signed_params, "Signature");

  for (auto& [name, value] : signed_params) {
    if (name == "RegionId") value = "cn-hangzhou";
  }
  EXPECT_NE(V1Signature("testsecret", V1StringToSign("POST", signed_params)), signature);
  // Wrong method, wrong secret, extra parameter.
  signed_params = SignV1(input);
  EXPECT_NE(V1Signature("testsecret", V1StringToSign("GET", signed_params)), signature);
  EXPECT_NE(V1Signature("othersecret", V1StringToSign("POST", signed_params)), signature);
  signed_params.emplace_back("Extra", "");
  EXPECT_NE(V1Signature("testsecret", V1StringToSign("POST", signed_params)), signature);
}

}  // namespace
}  // namespace sag::signing
