// The gateway without sockets: real store (SQLite in memory), real signing, a fake wall clock so
// the timestamp window can be probed exactly at its edges.
#include "api/gateway.h"

#include <optional>

#include <gtest/gtest.h>

#include "api/signing/signature_v1.h"
#include "api/signing/signature_v3.h"
#include "auth/nonce_cache.h"
#include "common/crypto.h"
#include "common/time_format.h"
#include "ops/account_setup.h"
#include "store/sqlite/sqlite_store.h"

namespace sag::api {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;  // 2023-11-14T22:13:20Z
constexpr char kKeyId[] = "LTAItest000000000000000A";
constexpr char kSecret[] = "testsecret0000000000000000000A";

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::SqliteStore::Open(":memory:", 1);
    ASSERT_TRUE(s.has_value()) << s.error();
    store_ = std::move(*s);
    auto created = ops::SetUpAccount(*store_, secrets_, kNow, "operator", true, kKeyId, kSecret);
    ASSERT_TRUE(created.has_value());
    services_ = std::make_unique<ops::OpServices>(
        ops::OpServices{*store_, business_clock_, nullptr, secrets_});
    gateway_ = std::make_unique<Gateway>(*services_, nonces_, wall_clock_, GatewayOptions{});
  }

  // A V1-signed POST with the business params in the form body, signed at `timestamp`.
  HttpRequest V1(const std::string& action, signing::ParamList params, const std::string& timestamp,
                 const std::string& nonce, const std::string& secret = kSecret) {
    signing::V1SignInput in;
    in.access_key_id = kKeyId;
    in.access_key_secret = secret;
    in.action = action;
    in.timestamp = timestamp;
    in.nonce = nonce;
    in.params = std::move(params);
    HttpRequest req;
    req.method = "POST";
    req.target = "/";
    req.headers.emplace("content-type", "application/x-www-form-urlencoded");
    req.headers.emplace("host", "smartag.cn-hangzhou.aliyuncs.com");
    req.body = signing::BuildUrlEncoded(signing::SignV1(in));
    return req;
  }

  // Handles req; every call of these tests completes before Handle returns.
  HttpResponse Run(const HttpRequest& req) {
    std::optional<HttpResponse> out;
    gateway_->Handle(req, [&](HttpResponse r) { out = std::move(r); });
    EXPECT_TRUE(out.has_value()) << "the call did not complete at once";
    return out.value_or(HttpResponse{});
  }

  static std::string Code(const HttpResponse& r) {
    auto body = boost::json::parse(r.body).as_object();
    return body.contains("Code") ? std::string(body.at("Code").as_string()) : "OK";
  }

  SecretBox secrets_{std::string(32, 'k')};
  FakeClock wall_clock_{kNow};
  FakeClock business_clock_{kNow};
  auth::NonceCache nonces_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<ops::OpServices> services_;
  std::unique_ptr<Gateway> gateway_;
};

TEST_F(GatewayTest, TimestampWindowIsInclusiveAtFifteenMinutes) {
  struct Row {
    int64_t skew_s;
    const char* code;
  } rows[] = {{-900, "OK"},
              {-901, "InvalidTimeStamp.Expired"},
              {900, "OK"},
              {901, "InvalidTimeStamp.Expired"},
              {0, "OK"}};
  int n = 0;
  for (const Row& row : rows) {
    SCOPED_TRACE(row.skew_s);
    auto r = Run(V1("DescribeRegions", {}, FormatIso8601Utc(kNow + row.skew_s * 1000),
                    "nonce-" + std::to_string(n++)));
    EXPECT_EQ(Code(r), row.code);
  }
}

TEST_F(GatewayTest, FractionalTimestampsAreAccepted) {
  auto r = Run(V1("DescribeRegions", {}, "2023-11-14T22:13:20.312Z", "n1"));
  EXPECT_EQ(Code(r), "OK");
}

TEST_F(GatewayTest, UnknownActionIsReportedBeforeTheSignature) {
  auto r = Run(V1("NoSuchAction", {}, FormatIso8601Utc(kNow), "n1", "wrong"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Code(r), "InvalidAction.NotFound");
}

TEST_F(GatewayTest, WrongSecretQuotesTheServerStringToSign) {
  auto req = V1("DescribeRegions", {}, FormatIso8601Utc(kNow), "n1", "wrong");
  auto r = Run(req);
  EXPECT_EQ(r.status, 400);
  auto body = boost::json::parse(r.body).as_object();
  EXPECT_EQ(body.at("Code").as_string(), "SignatureDoesNotMatch");
  std::string message(body.at("Message").as_string());
  EXPECT_TRUE(
      message.starts_with("Specified signature is not matched with our calculation. server string "
                          "to sign is:POST&%2F&"))
      << message;
  EXPECT_EQ(body.at("HostId").as_string(), "smartag.cn-hangzhou.aliyuncs.com");
}

TEST_F(GatewayTest, NonceIsBurntOnlyBySignedRequests) {
  std::string ts = FormatIso8601Utc(kNow);
  EXPECT_EQ(Code(Run(V1("DescribeRegions", {}, ts, "same", "wrong"))), "SignatureDoesNotMatch");
  EXPECT_EQ(Code(Run(V1("DescribeRegions", {}, ts, "same"))), "OK");
  EXPECT_EQ(Code(Run(V1("DescribeRegions", {}, ts, "same"))), "SignatureNonceUsed");
}

TEST_F(GatewayTest, V3SignedRequestWithQueryParamsSucceeds) {
  signing::V3SignInput in;
  in.host = "127.0.0.1:8086";
  in.access_key_id = kKeyId;
  in.access_key_secret = kSecret;
  in.action = "DescribeRegions";
  in.date = FormatIso8601Utc(kNow);
  in.query = {{"AcceptLanguage", "en-US"}};
  HttpRequest req;
  req.method = "POST";
  req.target = "/?" + signing::BuildUrlEncoded(in.query);
  for (const auto& [k, v] : signing::SignV3(in)) req.headers.emplace(k, v);
  req.headers.emplace("user-agent", "not signed");
  auto r = Run(req);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("China (Hangzhou)"), std::string::npos);
  // The same request again is a replay.
  EXPECT_EQ(Code(Run(req)), "SignatureNonceUsed");
}

TEST_F(GatewayTest, V3TamperedQueryDoesNotMatch) {
  signing::V3SignInput in;
  in.host = "h";
  in.access_key_id = kKeyId;
  in.access_key_secret = kSecret;
  in.action = "DescribeRegions";
  in.date = FormatIso8601Utc(kNow);
  in.query = {{"AcceptLanguage", "en-US"}};
  HttpRequest req;
  req.method = "POST";
  req.target = "/?AcceptLanguage=ja";
  for (const auto& [k, v] : signing::SignV3(in)) req.headers.emplace(k, v);
  auto r = Run(req);
  EXPECT_EQ(Code(r), "SignatureDoesNotMatch");
  EXPECT_NE(r.body.find("ACS3-HMAC-SHA256"), std::string::npos);
}

TEST_F(GatewayTest, QueryAndBodyAreMergedAndBothSigned) {
  std::string ts = FormatIso8601Utc(kNow);
  auto req = V1("DescribeRegions", {{"AcceptLanguage", "ja"}}, ts, "n1");
  // Move one signed parameter from the body to the query: still valid.
  auto params = *signing::ParseUrlEncoded(req.body);
  signing::ParamList body;
  signing::ParamList query;
  for (auto& kv : params) (kv.first == "AcceptLanguage" ? query : body).push_back(kv);
  req.body = signing::BuildUrlEncoded(body);
  req.target = "/?" + signing::BuildUrlEncoded(query);
  auto r = Run(req);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("シンガポール"), std::string::npos);
}

TEST_F(GatewayTest, MalformedEncodingIsRejected) {
  HttpRequest req;
  req.method = "GET";
  req.target = "/?Action=DescribeRegions&Bad=%G1";
  auto r = Run(req);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), "RequestParameterMalformed");
}

TEST_F(GatewayTest, RequestIdHeaderMatchesBody) {
  auto r = Run(V1("DescribeRegions", {}, FormatIso8601Utc(kNow), "n1"));
  auto body = boost::json::parse(r.body).as_object();
  std::string id(body.at("RequestId").as_string());
  EXPECT_EQ(id.size(), 36u);
  bool found = false;
  for (const auto& [k, v] : r.headers) found = found || (k == "x-acs-request-id" && v == id);
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace sag::api
