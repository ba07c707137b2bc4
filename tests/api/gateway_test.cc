// The gateway without sockets: real store (SQLite in memory), real signing, a fake wall clock so
// the timestamp window can be probed exactly at its edges.
#include "api/gateway.h"

#include <optional>
#include <string>
#include <vector>

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
                 const std::string& nonce, const std::string& secret = kSecret,
                 const std::string& format = "JSON") {
    signing::V1SignInput in;
    in.format = format;
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

// A device channel whose waits the test ends by hand.
class ManualDevices : public ops::DeviceControl {
 public:
  bool IsOnline(std::string_view) const override { return true; }
  bool Push(std::string_view, std::string_view, int64_t generation, std::string_view) override {
    pushed.push_back(generation);
    return true;
  }
  void AwaitDevice(ops::DeviceWait wait, ops::WaitCallback done) override {
    waits.push_back(std::move(wait));
    callbacks.push_back(std::move(done));
  }
  void Disconnect(std::string_view) override {}

  std::vector<int64_t> pushed;
  std::vector<ops::DeviceWait> waits;
  std::vector<ops::WaitCallback> callbacks;
};

// ModifySAGAdminPassword through the gateway: the call is suspended on the device's answer and
// completed by it, with at most one such call of an account at a time.
class SuspendingGatewayTest : public GatewayTest {
 protected:
  void SetUp() override {
    GatewayTest::SetUp();
    services_->devices = &devices_;
    gateway_ = std::make_unique<Gateway>(*services_, nonces_, wall_clock_,
                                         GatewayOptions{.max_suspended_per_account = 1});
    auto keys = store_->GetAccessKey(kKeyId);
    ASSERT_TRUE(keys.has_value());
    account_ = keys->account_id;
    for (const char* sn : {"sagsusp001", "sagsusp002"}) {
      store::DeviceRecord d;
      d.serial_number = sn;
      d.hardware_model = "sag-1000";
      d.sealed_secret = "x";
      ASSERT_TRUE(store_->RegisterDevice(d).has_value());
      ASSERT_TRUE(store_->RecordDeviceConnected(sn, "2.0.0", "1.0.0", 1, kNow).has_value());
      store::InstanceRecord in;
      in.id = std::string("sag-") + sn;
      in.account_id = account_;
      in.region_id = "cn-shanghai";
      in.status = "Active";
      in.instance_type = "hardware";
      in.hardware_spec = "sag-1000";
      in.ha_type = "no_backup";
      in.create_ms = kNow;
      in.end_ms = kNow + 86400000;
      ASSERT_TRUE(store_->CreateInstance(in).has_value());
      store::BindSerialNumberRequest bind;
      bind.account_id = account_;
      bind.region_id = "cn-shanghai";
      bind.instance_id = in.id;
      bind.serial_number = sn;
      ASSERT_EQ(store_->BindSerialNumber(bind).value(), store::BindOutcome::kBound);
    }
  }

  // Starts a password change of sn; the response lands in *out when the call completes.
  void ChangePassword(const std::string& sn, const std::string& nonce,
                      std::optional<HttpResponse>* out, const std::string& format = "JSON") {
    gateway_->Handle(V1("ModifySAGAdminPassword",
                        {{"RegionId", "cn-shanghai"},
                         {"SmartAGId", "sag-" + sn},
                         {"SmartAGSn", sn},
                         {"Password", "NewPass_123"}},
                        FormatIso8601Utc(kNow), nonce, kSecret, format),
                     [out](HttpResponse r) { *out = std::move(r); });
  }

  ManualDevices devices_;
  std::string account_;
};

TEST_F(SuspendingGatewayTest, TheCallIsAnsweredWhenTheDeviceIs) {
  std::optional<HttpResponse> response;
  ChangePassword("sagsusp001", "n1", &response, "XML");
  EXPECT_FALSE(response.has_value());  // suspended: Handle returned without an answer
  ASSERT_EQ(devices_.waits.size(), 1u);
  EXPECT_EQ(devices_.waits[0].serial_number, "sagsusp001");
  EXPECT_EQ(devices_.waits[0].facet, "admin_password");
  EXPECT_EQ(devices_.waits[0].generation, devices_.pushed.at(0));
  EXPECT_EQ(devices_.waits[0].until, ops::WaitUntil::kConfirmed);
  devices_.callbacks[0](ops::WaitOutcome::kApplied);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  // Format, action and request id outlived the handler.
  EXPECT_TRUE(response->body.starts_with("<?xml")) << response->body;
  EXPECT_NE(response->body.find("<ModifySAGAdminPasswordResponse>"), std::string::npos);
  EXPECT_NE(response->body.find("<RequestId>"), std::string::npos);
}

TEST_F(SuspendingGatewayTest, EachOutcomeHasItsError) {
  struct Row {
    ops::WaitOutcome outcome;
    int status;
    const char* code;
  } rows[] = {{ops::WaitOutcome::kOffline, 400, "SmartAccessGatewayOffline"},
              {ops::WaitOutcome::kFailed, 400, "ConfigUnsynchronized"},
              {ops::WaitOutcome::kTimeout, 400, "ConfigUnsynchronized"}};
  int n = 0;
  for (const Row& row : rows) {
    // A fresh facet each time: the last change is left unconfirmed.
    ASSERT_TRUE(store_
                    ->RecordApplied("sagsusp001", store::kFacetAdminPassword,
                                    devices_.pushed.empty() ? 0 : devices_.pushed.back(), "ok", "",
                                    kNow)
                    .has_value());
    std::optional<HttpResponse> response;
    ChangePassword("sagsusp001", "n" + std::to_string(n++), &response);
    ASSERT_FALSE(response.has_value());
    devices_.callbacks.back()(row.outcome);
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, row.status);
    EXPECT_EQ(Code(*response), row.code);
  }
}

TEST_F(SuspendingGatewayTest, AnAccountsSuspendedCallsAreCapped) {
  std::optional<HttpResponse> first;
  ChangePassword("sagsusp001", "n1", &first);
  ASSERT_FALSE(first.has_value());
  std::optional<HttpResponse> second;
  ChangePassword("sagsusp002", "n2", &second);
  ASSERT_TRUE(second.has_value());  // refused at once, before anything reached the device
  EXPECT_EQ(second->status, 400);
  EXPECT_EQ(Code(*second), "Throttling.User");
  EXPECT_EQ(boost::json::parse(second->body).at("Message").as_string(),
            "Request was denied due to user flow control.");
  EXPECT_EQ(devices_.pushed.size(), 1u);
  // Other calls of the account are not affected.
  EXPECT_EQ(Code(Run(V1("DescribeRegions", {}, FormatIso8601Utc(kNow), "n3"))), "OK");
  devices_.callbacks[0](ops::WaitOutcome::kApplied);
  ASSERT_TRUE(first.has_value());
  std::optional<HttpResponse> third;
  ChangePassword("sagsusp002", "n4", &third);
  EXPECT_FALSE(third.has_value());  // the slot is free again
  devices_.callbacks[1](ops::WaitOutcome::kApplied);
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(third->status, 200);
}

TEST_F(SuspendingGatewayTest, ACallAnsweredAtOnceFreesItsSlot) {
  std::optional<HttpResponse> bad;
  gateway_->Handle(V1("ModifySAGAdminPassword",
                      {{"RegionId", "cn-shanghai"},
                       {"SmartAGId", "sag-sagsusp001"},
                       {"SmartAGSn", "sagsusp001"},
                       {"Password", "short"}},
                      FormatIso8601Utc(kNow), "n1"),
                   [&](HttpResponse r) { bad = std::move(r); });
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(Code(*bad), "IllegalParam.Password");
  std::optional<HttpResponse> good;
  ChangePassword("sagsusp001", "n2", &good);
  EXPECT_FALSE(good.has_value());
  EXPECT_EQ(devices_.waits.size(), 1u);
}

}  // namespace
}  // namespace sag::api
