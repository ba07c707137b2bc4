#include "api/signing/signature_v3.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/crypto.h"

namespace sag::signing {
namespace {

using ::testing::ElementsAre;

constexpr char kEmptySha256[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

V3RequestView OfficialRequest() {
  V3RequestView request;
  request.method = "POST";
  request.query = {{"RegionId", "cn-shanghai"},
                   {"ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"}};
  request.headers = {
      {"host", "ecs.cn-shanghai.aliyuncs.com"},
      {"x-acs-action", "RunInstances"},
      {"x-acs-version", "2014-05-26"},
      {"x-acs-date", "2023-10-26T10:22:32Z"},
      {"x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"},
      {"x-acs-content-sha256", kEmptySha256},
      {"user-agent", "not signed"},
  };
  request.payload_sha256_hex = kEmptySha256;
  return request;
}

const std::vector<std::string> kOfficialSignedHeaders = {
    "host",       "x-acs-action",          "x-acs-content-sha256",
    "x-acs-date", "x-acs-signature-nonce", "x-acs-version"};

TEST(SignatureV3Test, MatchesOfficialVector) {
  const std::string canonical = V3CanonicalRequest(OfficialRequest(), kOfficialSignedHeaders);
  EXPECT_EQ(
      canonical,
      "POST\n/\n"
      "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai\n"
      "host:ecs.cn-shanghai.aliyuncs.com\n"
      "x-acs-action:RunInstances\n"
      "x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
      "x-acs-date:2023-10-26T10:22:32Z\n"
      "x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\n"
      "x-acs-version:2014-05-26\n"
      "\n"
      "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n"
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const std::string string_to_sign = V3StringToSign(canonical);
  EXPECT_EQ(string_to_sign,
            "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259");
  EXPECT_EQ(V3Signature("YourAccessKeySecret", string_to_sign),
            "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0");
}

TEST(SignatureV3Test, SignedHeaderOrderDoesNotMatter) {
  const std::vector<std::string> shuffled = {"x-acs-version",        "host",
                                             "x-acs-date",           "x-acs-signature-nonce",
                                             "x-acs-content-sha256", "X-Acs-Action"};
  EXPECT_EQ(V3CanonicalRequest(OfficialRequest(), shuffled),
            V3CanonicalRequest(OfficialRequest(), kOfficialSignedHeaders));
}

TEST(SignatureV3Test, CanonicalHeadersTrimSortAndJoinRepeatedValues) {
  V3RequestView request;
  request.method = "GET";
  request.headers = {{"x-acs-b", "  second\t"}, {"x-acs-b", "first "}, {"x-acs-a", " v "}};
  request.payload_sha256_hex = kEmptySha256;
  EXPECT_EQ(V3CanonicalRequest(request, {"x-acs-b", "x-acs-a", "x-acs-missing"}),
            std::string("GET\n/\n\n"
                        "x-acs-a:v\n"
                        "x-acs-b:first,second\n"
                        "x-acs-missing:\n"
                        "\n"
                        "x-acs-a;x-acs-b;x-acs-missing\n") +
                kEmptySha256);
}

TEST(SignatureV3Test, CanonicalQueryEncodesAndSorts) {
  V3RequestView request;
  request.method = "POST";
  request.query = {{"b", "x y"}, {"a", "2"}, {"a", "1"}, {"Tag.1.Key", "中*"}, {"Empty", ""}};
  request.payload_sha256_hex = kEmptySha256;
  EXPECT_EQ(
      V3CanonicalRequest(request, {}),
      std::string("POST\n/\nEmpty=&Tag.1.Key=%E4%B8%AD%2A&a=1&a=2&b=x%20y\n\n\n") + kEmptySha256);
}

TEST(ParseV3AuthorizationTest, ParsesWellFormedHeader) {
  auto auth = ParseV3Authorization(
      "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-date,"
      "Signature=06563a9e");
  ASSERT_TRUE(auth.has_value());
  EXPECT_EQ(auth->algorithm, "ACS3-HMAC-SHA256");
  EXPECT_EQ(auth->access_key_id, "YourAccessKeyId");
  EXPECT_THAT(auth->signed_headers, ElementsAre("host", "x-acs-action", "x-acs-date"));
  EXPECT_EQ(auth->signature, "06563a9e");
}

TEST(ParseV3AuthorizationTest, ToleratesSpacesAfterCommasAndOtherAlgorithms) {
  auto auth = ParseV3Authorization(
      "ACS3-HMAC-SM3 Credential=ak, SignedHeaders=x-acs-date;host,  Signature=abc");
  ASSERT_TRUE(auth.has_value());
  EXPECT_EQ(auth->algorithm, "ACS3-HMAC-SM3");
  EXPECT_EQ(auth->access_key_id, "ak");
  EXPECT_THAT(auth->signed_headers, ElementsAre("x-acs-date", "host"));
  EXPECT_EQ(auth->signature, "abc");
}

TEST(ParseV3AuthorizationTest, LowerCasesSignedHeaderNames) {
  auto auth = ParseV3Authorization("ACS3-HMAC-SHA256 Credential=a,SignedHeaders=Host,Signature=s");
  ASSERT_TRUE(auth.has_value());
  EXPECT_THAT(auth->signed_headers, ElementsAre("host"));
}

TEST(ParseV3AuthorizationTest, RejectsMalformedHeaders) {
  const char* const bad[] = {
      "",
      "ACS3-HMAC-SHA256",
      "ACS3-HMAC-SHA256 ",
      " Credential=a,SignedHeaders=host,Signature=s",
      "ACS3-HMAC-SHA256 SignedHeaders=host,Signature=s",              // no Credential
      "ACS3-HMAC-SHA256 Credential=a,Signature=s",                    // no SignedHeaders
      "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host",             // no Signature
      "ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature=s",  // empty value
      "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=,Signature=s",
      "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host,Signature=",
      "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host;;date,Signature=s",  // empty name
      "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host;,Signature=s",
      "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host,Signature=s,",  // trailing comma
      "ACS3-HMAC-SHA256 Credential=a,,SignedHeaders=host,Signature=s",
      "ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host,Signature=s,Extra=1",
      "ACS3-HMAC-SHA256 Credential=a,Credential=b,SignedHeaders=host,Signature=s",
      "ACS3-HMAC-SHA256 Credential a,SignedHeaders=host,Signature=s",  // no '='
      "ACS3-HMAC-SHA256 credential=a,SignedHeaders=host,Signature=s",  // wrong case
      "ACS3-HMAC-SHA256 Credential=a;SignedHeaders=host;Signature=s",
  };
  for (const char* header : bad) {
    EXPECT_EQ(ParseV3Authorization(header), std::nullopt) << header;
  }
}

V3SignInput TypicalInput() {
  V3SignInput input;
  input.host = "127.0.0.1:8086";
  input.access_key_id = "LTAIexample";
  input.access_key_secret = "secret";
  input.action = "DescribeSmartAccessGateways";
  input.query = {{"RegionId", "cn-shanghai"}, {"SmartAGIds.1", "sag-abc"}, {"Name", "a b"}};
  return input;
}

// Verifies headers the way the server does: parse authorization, rebuild, compare.
bool Verify(const std::map<std::string, std::string>& headers, const ParamList& query,
            std::string_view body, std::string_view secret) {
  const auto it = headers.find("authorization");
  if (it == headers.end()) return false;
  const auto auth = ParseV3Authorization(it->second);
  if (!auth || auth->algorithm != kV3Algorithm) return false;
  V3RequestView request;
  request.method = "POST";
  request.query = query;
  for (const auto& [name, value] : headers) {
    if (name != "authorization") request.headers.emplace(name, value);
  }
  request.payload_sha256_hex = Sha256Hex(body);
  const std::string canonical = V3CanonicalRequest(request, auth->signed_headers);
  return V3Signature(secret, V3StringToSign(canonical)) == auth->signature;
}

TEST(SignatureV3Test, SignV3ProducesRequiredHeaders) {
  const auto headers = SignV3(TypicalInput());
  EXPECT_EQ(headers.at("host"), "127.0.0.1:8086");
  EXPECT_EQ(headers.at("x-acs-action"), "DescribeSmartAccessGateways");
  EXPECT_EQ(headers.at("x-acs-version"), "2018-03-13");
  EXPECT_EQ(headers.at("x-acs-content-sha256"), kEmptySha256);
  EXPECT_EQ(headers.at("x-acs-signature-nonce").size(), 32u);
  EXPECT_EQ(headers.at("x-acs-date").size(), 20u);
  EXPECT_EQ(headers.count("content-type"), 0u);

  const auto auth = ParseV3Authorization(headers.at("authorization"));
  ASSERT_TRUE(auth.has_value());
  EXPECT_EQ(auth->algorithm, "ACS3-HMAC-SHA256");
  EXPECT_EQ(auth->access_key_id, "LTAIexample");
  EXPECT_THAT(auth->signed_headers,
              ElementsAre("host", "x-acs-action", "x-acs-content-sha256", "x-acs-date",
                          "x-acs-signature-nonce", "x-acs-version"));
  EXPECT_EQ(auth->signature.size(), 64u);
}

TEST(SignatureV3Test, SignV3ReproducesOfficialVector) {
  V3SignInput input;
  input.host = "ecs.cn-shanghai.aliyuncs.com";
  input.access_key_id = "YourAccessKeyId";
  input.access_key_secret = "YourAccessKeySecret";
  input.action = "RunInstances";
  input.version = "2014-05-26";
  input.date = "2023-10-26T10:22:32Z";
  input.nonce = "3156853299f313e23d1673dc12e1703d";
  input.query = {{"ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"},
                 {"RegionId", "cn-shanghai"}};
  EXPECT_EQ(SignV3(input).at("authorization"),
            "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;"
            "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,"
            "Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0");
}

TEST(SignatureV3Test, SignV3RoundTrips) {
  const V3SignInput input = TypicalInput();
  const auto headers = SignV3(input);
  EXPECT_TRUE(Verify(headers, input.query, "", "secret"));
  EXPECT_FALSE(Verify(headers, input.query, "", "other"));
  // Over the wire: the query is encoded and decoded again.
  const auto received = ParseUrlEncoded(BuildUrlEncoded(input.query));
  ASSERT_TRUE(received.has_value());
  EXPECT_TRUE(Verify(headers, *received, "", "secret"));
}

TEST(SignatureV3Test, SignV3WithBodySignsContentType) {
  V3SignInput input = TypicalInput();
  input.body = "Description=hello+world";
  const auto headers = SignV3(input);
  EXPECT_EQ(headers.at("content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(headers.at("x-acs-content-sha256"), Sha256Hex(input.body));
  const auto auth = ParseV3Authorization(headers.at("authorization"));
  ASSERT_TRUE(auth.has_value());
  EXPECT_THAT(auth->signed_headers,
              ElementsAre("content-type", "host", "x-acs-action", "x-acs-content-sha256",
                          "x-acs-date", "x-acs-signature-nonce", "x-acs-version"));
  EXPECT_TRUE(Verify(headers, input.query, input.body, "secret"));
  EXPECT_FALSE(Verify(headers, input.query, "Description=other", "secret"));
}

TEST(SignatureV3Test, ChangedParameterChangesSignature) {
  V3SignInput input = TypicalInput();
  input.date = "2024-01-01T00:00:00Z";
  input.nonce = "0123456789abcdef0123456789abcdef";
  const auto headers = SignV3(input);

  ParamList changed = input.query;
  changed[0].second = "cn-hangzhou";
  EXPECT_FALSE(Verify(headers, changed, "", "secret"));

  ParamList extra = input.query;
  extra.emplace_back("Extra", "");
  EXPECT_FALSE(Verify(headers, extra, "", "secret"));

  auto tampered = headers;
  tampered["x-acs-action"] = "DeleteSmartAccessGateway";
  EXPECT_FALSE(Verify(tampered, input.query, "", "secret"));

  // Deterministic given date and nonce; a different nonce changes the signature.
  EXPECT_EQ(SignV3(input).at("authorization"), headers.at("authorization"));
  input.nonce = "fedcba9876543210fedcba9876543210";
  EXPECT_NE(SignV3(input).at("authorization"), headers.at("authorization"));
}

TEST(SignatureV3Test, UnsignedHeadersDoNotMatter) {
  const V3SignInput input = TypicalInput();
  auto headers = SignV3(input);
  headers["user-agent"] = "AlibabaCloud (linux) TeaDSL/1";
  headers["accept"] = "application/json";
  EXPECT_TRUE(Verify(headers, input.query, "", "secret"));
}

}  // namespace
}  // namespace sag::signing
