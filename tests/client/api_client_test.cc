#include "client/api_client.h"

#include <map>
#include <string>

#include <gtest/gtest.h>

#include "api/signing/signature_v1.h"
#include "api/signing/signature_v3.h"
#include "common/crypto.h"

namespace sag::client {
namespace {

constexpr char kSecret[] = "testsecret0000000000000000000x";

Endpoint TestEndpoint() {
  auto e = ParseEndpoint("http://127.0.0.1:8086");
  EXPECT_TRUE(e.has_value());
  return *e;
}

Credentials TestCredentials() { return {"LTAItest000000000000001", kSecret}; }

std::string HeaderValue(const HeaderList& headers, const std::string& name) {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return "";
}

std::string Param(const signing::ParamList& params, const std::string& name) {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return "";
}

ApiRequest SampleRequest(SignatureKind kind) {
  ApiRequest r;
  r.action = "DescribeSmartAccessGatewayAttribute";
  r.params = {{"RegionId", "cn-hangzhou"},
              {"SmartAGId", "sag-abc"},
              {"Description", "a b*c~d/é"},
              {"SmartAGIds.1", "x"}};
  r.signature = kind;
  return r;
}

TEST(PrepareApiRequestTest, V1FormBodyVerifiesWithServerCode) {
  const PreparedRequest p =
      PrepareApiRequest(TestEndpoint(), TestCredentials(), SampleRequest(SignatureKind::kV1));
  EXPECT_EQ(p.method, "POST");
  EXPECT_EQ(p.target, "/");
  EXPECT_EQ(HeaderValue(p.headers, "Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(HeaderValue(p.headers, "Host"), "127.0.0.1:8086");
  EXPECT_EQ(p.body.find(kSecret), std::string::npos);

  auto params = signing::ParseUrlEncoded(p.body);
  ASSERT_TRUE(params.has_value());
  EXPECT_EQ(Param(*params, "Action"), "DescribeSmartAccessGatewayAttribute");
  EXPECT_EQ(Param(*params, "Version"), "2018-03-13");
  EXPECT_EQ(Param(*params, "Format"), "JSON");
  EXPECT_EQ(Param(*params, "AccessKeyId"), "LTAItest000000000000001");
  EXPECT_EQ(Param(*params, "SignatureMethod"), "HMAC-SHA1");
  EXPECT_EQ(Param(*params, "SignatureVersion"), "1.0");
  EXPECT_EQ(Param(*params, "Description"), "a b*c~d/é");
  EXPECT_EQ(Param(*params, "SmartAGIds.1"), "x");
  EXPECT_EQ(Param(*params, "SignatureNonce").size(), 32u);
  EXPECT_EQ(Param(*params, "Timestamp").size(), 20u);  // YYYY-MM-DDThh:mm:ssZ

  // What the gateway does: every parameter but Signature, V1StringToSign, V1Signature.
  signing::ParamList unsigned_params;
  for (const auto& kv : *params) {
    if (kv.first != "Signature") unsigned_params.push_back(kv);
  }
  const std::string sts = signing::V1StringToSign("POST", unsigned_params);
  EXPECT_EQ(Param(*params, "Signature"), signing::V1Signature(kSecret, sts));
  EXPECT_NE(Param(*params, "Signature"), signing::V1Signature("wrong", sts));
}

TEST(PrepareApiRequestTest, V1NoncesAreUniqueAndFixedInputsAreReproducible) {
  ApiRequest r = SampleRequest(SignatureKind::kV1);
  const auto a = PrepareApiRequest(TestEndpoint(), TestCredentials(), r);
  const auto b = PrepareApiRequest(TestEndpoint(), TestCredentials(), r);
  EXPECT_NE(Param(*signing::ParseUrlEncoded(a.body), "SignatureNonce"),
            Param(*signing::ParseUrlEncoded(b.body), "SignatureNonce"));
  r.nonce = "fixed-nonce";
  r.timestamp = "2026-01-02T03:04:05Z";
  EXPECT_EQ(PrepareApiRequest(TestEndpoint(), TestCredentials(), r).body,
            PrepareApiRequest(TestEndpoint(), TestCredentials(), r).body);
}

TEST(PrepareApiRequestTest, V1XmlAndOperatorVersion) {
  ApiRequest r;
  r.version = std::string(kOperatorVersion);
  r.action = "CreateUser";
  r.params = {{"UserName", "alice"}};
  r.format = "xml";
  const auto p = PrepareApiRequest(TestEndpoint(), TestCredentials(), r);
  auto params = signing::ParseUrlEncoded(p.body);
  ASSERT_TRUE(params.has_value());
  EXPECT_EQ(Param(*params, "Version"), "2026-11-01");
  EXPECT_EQ(Param(*params, "Format"), "XML");
  EXPECT_EQ(HeaderValue(p.headers, "Accept"), "application/xml");
}

TEST(PrepareApiRequestTest, V3HeadersVerifyWithServerCode) {
  const PreparedRequest p =
      PrepareApiRequest(TestEndpoint(), TestCredentials(), SampleRequest(SignatureKind::kV3));
  EXPECT_EQ(p.method, "POST");
  EXPECT_TRUE(p.body.empty());
  ASSERT_EQ(p.target.rfind("/?", 0), 0u);

  std::multimap<std::string, std::string> headers;
  for (const auto& [k, v] : p.headers) headers.emplace(k, v);
  auto auth = signing::ParseV3Authorization(headers.find("authorization")->second);
  ASSERT_TRUE(auth.has_value());
  EXPECT_EQ(auth->algorithm, "ACS3-HMAC-SHA256");
  EXPECT_EQ(auth->access_key_id, "LTAItest000000000000001");
  EXPECT_EQ(headers.find("x-acs-action")->second, "DescribeSmartAccessGatewayAttribute");
  EXPECT_EQ(headers.find("x-acs-version")->second, "2018-03-13");
  EXPECT_EQ(headers.find("host")->second, "127.0.0.1:8086");

  // What the gateway does: rebuild from the query and exactly the signed headers.
  auto query = signing::ParseUrlEncoded(p.target.substr(2));
  ASSERT_TRUE(query.has_value());
  EXPECT_EQ(Param(*query, "Description"), "a b*c~d/é");
  signing::V3RequestView view;
  view.method = p.method;
  view.canonical_uri = "/";
  view.query = *query;
  view.headers = headers;
  view.payload_sha256_hex = Sha256Hex(p.body);
  const std::string sts =
      signing::V3StringToSign(signing::V3CanonicalRequest(view, auth->signed_headers));
  EXPECT_EQ(auth->signature, signing::V3Signature(kSecret, sts));
}

TEST(PrepareApiRequestTest, V3XmlAddsFormatToQuery) {
  ApiRequest r;
  r.action = "DescribeRegions";
  r.signature = SignatureKind::kV3;
  r.format = "XML";
  const auto p = PrepareApiRequest(TestEndpoint(), TestCredentials(), r);
  EXPECT_EQ(p.target, "/?Format=XML");
  ApiRequest plain;
  plain.action = "DescribeRegions";
  plain.signature = SignatureKind::kV3;
  EXPECT_EQ(PrepareApiRequest(TestEndpoint(), TestCredentials(), plain).target, "/");
}

}  // namespace
}  // namespace sag::client
