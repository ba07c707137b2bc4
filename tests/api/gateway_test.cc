// The gateway without sockets: real store (SQLite in memory), real signing, a fake wall clock so
// the timestamp window can be probed exactly at its edges.
#include "api/gateway.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "api/signing/signature_v1.h"
#include "api/signing/signature_v3.h"
#include "api/upload_file.h"
#include "auth/nonce_window.h"
#include "common/crypto.h"
#include "common/time_format.h"
#include "common/utf8.h"
#include "ops/account_setup.h"
#include "ops/registry.h"
#include "store/sqlite/sqlite_store.h"

namespace sag::api {
namespace {

// Handles req with a gateway call that completes before Handle returns.
HttpResponse HandleNow(Gateway& gateway, const HttpRequest& req) {
  std::optional<HttpResponse> out;
  gateway.Handle(req, [&](HttpResponse r) { out = std::move(r); });
  EXPECT_TRUE(out.has_value()) << "the call did not complete at once";
  return out.value_or(HttpResponse{});
}

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
    account_id_ = created->account.id;
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
    for (auto& [name, value] : params) {
      if (name == "Format") {
        in.format = value;  // a common parameter: SignV1 adds it
      } else {
        in.params.emplace_back(std::move(name), std::move(value));
      }
    }
    HttpRequest req;
    req.method = "POST";
    req.target = "/";
    req.headers.emplace("content-type", "application/x-www-form-urlencoded");
    req.headers.emplace("host", "smartag.cn-hangzhou.aliyuncs.com");
    req.body = signing::BuildUrlEncoded(signing::SignV1(in));
    return req;
  }

  // What SignV3 needs for action, signed with the test key at kNow.
  static signing::V3SignInput V3Input(const std::string& action) {
    signing::V3SignInput in;
    in.host = "h";
    in.access_key_id = kKeyId;
    in.access_key_secret = kSecret;
    in.action = action;
    in.date = FormatIso8601Utc(kNow);
    return in;
  }

  static std::string Header(const HttpResponse& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }

  static std::string Message(const HttpResponse& r) {
    return std::string(boost::json::parse(r.body).as_object().at("Message").as_string());
  }

  static std::string Code(const HttpResponse& r) {
    auto body = boost::json::parse(r.body).as_object();
    return body.contains("Code") ? std::string(body.at("Code").as_string()) : "OK";
  }

  SecretBox secrets_{std::string(32, 'k')};
  FakeClock wall_clock_{kNow};
  FakeClock business_clock_{kNow};
  auth::NonceWindow nonces_;
  std::string account_id_;
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
    auto r =
        HandleNow(*gateway_, V1("DescribeRegions", {}, FormatIso8601Utc(kNow + row.skew_s * 1000),
                                "nonce-" + std::to_string(n++)));
    EXPECT_EQ(Code(r), row.code);
  }
}

TEST_F(GatewayTest, FractionalTimestampsAreAccepted) {
  auto r = HandleNow(*gateway_, V1("DescribeRegions", {}, "2023-11-14T22:13:20.312Z", "n1"));
  EXPECT_EQ(Code(r), "OK");
}

TEST_F(GatewayTest, UnknownActionIsReportedBeforeTheSignature) {
  auto r = HandleNow(*gateway_, V1("NoSuchAction", {}, FormatIso8601Utc(kNow), "n1", "wrong"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Code(r), "InvalidAction.NotFound");
}

TEST_F(GatewayTest, WrongSecretQuotesTheServerStringToSign) {
  auto req = V1("DescribeRegions", {}, FormatIso8601Utc(kNow), "n1", "wrong");
  auto r = HandleNow(*gateway_, req);
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
  EXPECT_EQ(Code(HandleNow(*gateway_, V1("DescribeRegions", {}, ts, "same", "wrong"))),
            "SignatureDoesNotMatch");
  EXPECT_EQ(Code(HandleNow(*gateway_, V1("DescribeRegions", {}, ts, "same"))), "OK");
  EXPECT_EQ(Code(HandleNow(*gateway_, V1("DescribeRegions", {}, ts, "same"))),
            "SignatureNonceUsed");
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
  auto r = HandleNow(*gateway_, req);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("China (Hangzhou)"), std::string::npos);
  // The same request again is a replay.
  EXPECT_EQ(Code(HandleNow(*gateway_, req)), "SignatureNonceUsed");
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
  auto r = HandleNow(*gateway_, req);
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
  auto r = HandleNow(*gateway_, req);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("シンガポール"), std::string::npos);
}

TEST_F(GatewayTest, MalformedEncodingIsRejected) {
  HttpRequest req;
  req.method = "GET";
  req.target = "/?Action=DescribeRegions&Bad=%G1";
  auto r = HandleNow(*gateway_, req);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), "RequestParameterMalformed");
}

TEST_F(GatewayTest, RequestIdHeaderMatchesBody) {
  auto r = HandleNow(*gateway_, V1("DescribeRegions", {}, FormatIso8601Utc(kNow), "n1"));
  auto body = boost::json::parse(r.body).as_object();
  std::string id(body.at("RequestId").as_string());
  EXPECT_EQ(id.size(), 36u);
  bool found = false;
  for (const auto& [k, v] : r.headers) found = found || (k == "x-acs-request-id" && v == id);
  EXPECT_TRUE(found);
}

// One key's flood of signed calls refuses only that key, with the retry delay in a header.
TEST_F(GatewayTest, AKeyOverItsNonceBoundIsThrottledAndNoOtherKeyIs) {
  auth::NonceWindow small({.per_key_max = 2, .global_max = 1000});
  Gateway gateway(*services_, small, wall_clock_, GatewayOptions{});
  const std::string ts = FormatIso8601Utc(kNow);
  EXPECT_EQ(Code(HandleNow(gateway, V1("DescribeRegions", {}, ts, "n1"))), "OK");
  EXPECT_EQ(Code(HandleNow(gateway, V1("DescribeRegions", {}, ts, "n2"))), "OK");
  HttpResponse refused = HandleNow(gateway, V1("DescribeRegions", {}, ts, "n3"));
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(Code(refused), "Throttling.User");
  EXPECT_EQ(Message(refused), "Request was denied due to user flow control.");
  const std::string retry_after = Header(refused, "x-acs-retry-after");
  ASSERT_FALSE(retry_after.empty());
  EXPECT_GT(std::stoll(retry_after), 0);
  EXPECT_LE(std::stoll(retry_after), 16 * 60 * 1000);
  // A replay is still a replay, and the refused nonce was not used up.
  EXPECT_EQ(Code(HandleNow(gateway, V1("DescribeRegions", {}, ts, "n1"))), "SignatureNonceUsed");
  EXPECT_EQ(small.KeySize(kKeyId), 2u);
}

// Without its nonce and date among the signed headers, a captured V3 request could be sent again
// with new ones.
TEST_F(GatewayTest, V3MustSignItsNonceAndDate) {
  for (const char* left_out : {"x-acs-signature-nonce", "x-acs-date"}) {
    SCOPED_TRACE(left_out);
    HttpRequest req;
    req.method = "POST";
    req.target = "/";
    for (const auto& [k, v] : signing::SignV3(V3Input("DescribeRegions"))) {
      if (k != "authorization") req.headers.emplace(k, v);
    }
    std::vector<std::string> signed_headers;
    for (const auto& [k, v] : req.headers) {
      if (k != left_out) signed_headers.push_back(k);
    }
    signing::V3RequestView view;
    view.method = "POST";
    view.headers = req.headers;
    view.payload_sha256_hex = Sha256Hex("");
    const std::string to_sign =
        signing::V3StringToSign(signing::V3CanonicalRequest(view, signed_headers));
    std::string list;
    for (const auto& name : signed_headers) list += (list.empty() ? "" : ";") + name;
    req.headers.emplace("authorization",
                        std::string(signing::kV3Algorithm) + " Credential=" + kKeyId +
                            ",SignedHeaders=" + list +
                            ",Signature=" + signing::V3Signature(kSecret, to_sign));
    HttpResponse r = HandleNow(*gateway_, req);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(Code(r), "IncompleteSignature") << r.body;
  }
}

TEST_F(GatewayTest, AnOverlongNonceIsInvalidParameter) {
  HttpResponse r = HandleNow(
      *gateway_, V1("DescribeRegions", {}, FormatIso8601Utc(kNow), std::string(129, 'n')));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), "InvalidParameter");
  EXPECT_EQ(Message(r), "The specified parameter \"SignatureNonce\" is not valid.");
  EXPECT_EQ(Code(HandleNow(*gateway_, V1("DescribeRegions", {}, FormatIso8601Utc(kNow),
                                         std::string(128, 'n')))),
            "OK");
}

// Every parameter of every operation, before the operation runs (here one that stores it).
TEST_F(GatewayTest, HostileParameterTextIsInvalidParameterNamingIt) {
  const std::string ts = FormatIso8601Utc(kNow);
  struct Row {
    std::string name;
    std::string value;
  } rows[] = {{"Position",
               "a\x01"
               "b"},
              {"Position", std::string("a\0b", 3)},
              {"Position", "\xFF\xFE"},
              {"Position", "\xC0\xAF"},      // overlong '/'
              {"Position", "\xED\xA0\x80"},  // a surrogate
              {"Position", "a\x7F"},
              {"Position", "\xC2\x85"},  // NEL, a C1 control
              {"Position", std::string(500'000, 'p')},
              {"Position", std::string(1025, 'p')},
              {"Name", "two\nlines"},
              {"Description", "tab\there"},
              {"AnyOtherName", "\x1B[31m"}};
  int n = 0;
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name + " #" + std::to_string(n));
    HttpResponse r = HandleNow(
        *gateway_,
        V1("ModifySmartAccessGateway",
           {{"RegionId", "cn-shanghai"}, {"SmartAGId", "sag-doesnotexist"}, {row.name, row.value}},
           ts, "text-" + std::to_string(n++)));
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(Code(r), "InvalidParameter");
    EXPECT_EQ(Message(r), "The specified parameter \"" + row.name + "\" is not valid.");
  }
  // What passes the rule reaches the operation (which then looks the instance up).
  for (const std::string& ok :
       {std::string(1024, 'p'), std::string("{\n\t\"label\": \"杭州\"\r\n}"),
        std::string("\xF0\x9F\x98\x80 emoji")}) {
    HttpResponse r = HandleNow(
        *gateway_,
        V1("ModifySmartAccessGateway",
           {{"RegionId", "cn-shanghai"}, {"SmartAGId", "sag-doesnotexist"}, {"Position", ok}}, ts,
           "text-" + std::to_string(n++)));
    EXPECT_EQ(Code(r), "SAG.InstanceNoFound") << r.body;
  }
}

TEST_F(GatewayTest, AParameterNameThatIsNotTextIsMalformed) {
  int n = 0;
  for (const std::string& name :
       {std::string("\xFF"), std::string("a\x01"), std::string(129, 'N')}) {
    HttpResponse r =
        HandleNow(*gateway_, V1("DescribeRegions", {{name, "x"}}, FormatIso8601Utc(kNow),
                                "name-" + std::to_string(n++)));
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(Code(r), "RequestParameterMalformed");
    EXPECT_EQ(Message(r), "Request parameters has malformed encoded characters.");
  }
}

TEST_F(GatewayTest, AHostHeaderThatIsNotAHostNameIsNotEchoed) {
  HttpRequest req = V1("DescribeRegions", {}, FormatIso8601Utc(kNow), "n1", "wrong");
  req.headers.erase("host");
  req.headers.emplace("host", "a\xFF\"b");
  HttpResponse r = HandleNow(*gateway_, req);
  EXPECT_TRUE(IsValidUtf8(r.body));
  EXPECT_EQ(boost::json::parse(r.body).as_object().at("HostId").as_string(),
            "smartag.aliyuncs.com");
}

// Values stored before the text rule existed (or by hand) still give well-formed answers.
TEST_F(GatewayTest, StoredValuesThatAreNotTextStillRenderWellFormed) {
  const std::string ts = FormatIso8601Utc(kNow);
  HttpResponse created = HandleNow(*gateway_, V1("CreateSmartAccessGateway",
                                                 {{"RegionId", "cn-shanghai"},
                                                  {"ChargeType", "PREPAY"},
                                                  {"HaType", "no_backup"},
                                                  {"HardWareSpec", "sag-100wm"},
                                                  {"Period", "12"},
                                                  {"AutoPay", "true"},
                                                  {"BuyerMessage", "m"},
                                                  {"ReceiverAddress", "a"},
                                                  {"ReceiverCity", "c"},
                                                  {"ReceiverCountry", "c"},
                                                  {"ReceiverDistrict", "d"},
                                                  {"ReceiverEmail", "e@example.com"},
                                                  {"ReceiverMobile", "18840850000"},
                                                  {"ReceiverName", "n"},
                                                  {"ReceiverState", "s"},
                                                  {"ReceiverTown", "t"},
                                                  {"ReceiverZip", "310000"}},
                                                 ts, "create"));
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string id(boost::json::parse(created.body).as_object().at("SmartAGId").as_string());
  store::InstancePatch patch;
  patch.position = std::string(
      "a\x01"
      "b\xFF\xFE<&\r\x7F");
  ASSERT_TRUE(store_->UpdateInstance(account_id_, "cn-shanghai", id, patch).has_value());

  HttpResponse xml =
      HandleNow(*gateway_,
                V1("DescribeSmartAccessGatewayAttribute",
                   {{"RegionId", "cn-shanghai"}, {"SmartAGId", id}, {"Format", "XML"}}, ts, "xml"));
  ASSERT_EQ(xml.status, 200) << xml.body;
  EXPECT_TRUE(IsValidUtf8(xml.body));
  EXPECT_NE(xml.body.find("<Position>a\xEF\xBF\xBD"
                          "b\xEF\xBF\xBD\xEF\xBF\xBD&lt;&amp;&#13;\x7F</Position>"),
            std::string::npos)
      << xml.body;
  for (char c : xml.body) EXPECT_TRUE(c == '\n' || static_cast<unsigned char>(c) >= 0x20);

  HttpResponse json =
      HandleNow(*gateway_, V1("DescribeSmartAccessGatewayAttribute",
                              {{"RegionId", "cn-shanghai"}, {"SmartAGId", id}}, ts, "json"));
  ASSERT_EQ(json.status, 200) << json.body;
  EXPECT_TRUE(IsValidUtf8(json.body));
  EXPECT_EQ(boost::json::parse(json.body).as_object().at("Position").as_string(),
            "a\x01"
            "b\xEF\xBF\xBD\xEF\xBF\xBD<&\r\x7F");
}

// Uploads (PublishVersion's artifact) are authorized from the header alone and completed with the
// body in a file.
class GatewayUploadTest : public GatewayTest {
 protected:
  void SetUp() override {
    GatewayTest::SetUp();
    dir_ = std::filesystem::temp_directory_path() / ("sag-gw-upload-" + HexEncode(RandomBytes(6)));
    services_->artifact_dir = dir_.string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // The header of a V3-signed PublishVersion whose body is `artifact` (the body itself is not in
  // the request, as when the listener has read only the header).
  static HttpRequest UploadHeader(const std::string& artifact, const std::string& key_id = kKeyId,
                                  const std::string& secret = kSecret) {
    signing::V3SignInput in;
    in.host = "h";
    in.access_key_id = key_id;
    in.access_key_secret = secret;
    in.action = "PublishVersion";
    in.version = std::string(ops::kOperatorVersion);
    in.date = FormatIso8601Utc(kNow);
    in.query = {
        {"VersionType", "Device"}, {"VersionCode", "2.0.0"}, {"HardwareModels", "sag-1000"}};
    in.body = artifact;
    in.content_type = "application/octet-stream";
    HttpRequest req;
    req.method = "POST";
    req.target = "/?" + signing::BuildUrlEncoded(in.query);
    for (const auto& [k, v] : signing::SignV3(in)) req.headers.emplace(k, v);
    return req;
  }

  // The request as the listener hands it over once body is in a file.
  HttpRequest WithBodyFile(HttpRequest header, const std::string& body) {
    auto sink = UploadSink::Create(dir_.string());
    EXPECT_TRUE(sink.has_value());
    EXPECT_TRUE((*sink)->Write(body).has_value());
    auto file = (*sink)->Finish();
    EXPECT_TRUE(file.has_value());
    header.body_file = *file;
    return header;
  }

  static std::shared_ptr<const Gateway::UploadTicket> Ticket(
      const std::variant<std::shared_ptr<const Gateway::UploadTicket>, HttpResponse>& v) {
    if (const auto* r = std::get_if<HttpResponse>(&v)) ADD_FAILURE() << r->body;
    return std::get_if<0>(&v) != nullptr ? std::get<0>(v) : nullptr;
  }

  static std::string Refusal(
      const std::variant<std::shared_ptr<const Gateway::UploadTicket>, HttpResponse>& v) {
    const auto* r = std::get_if<HttpResponse>(&v);
    return r == nullptr ? "authorized" : Code(*r);
  }

  std::filesystem::path dir_;
};

TEST_F(GatewayUploadTest, AuthorizedFromTheHeaderThenPublishedFromTheFile) {
  const std::string artifact(200000, 'f');
  HttpRequest header = UploadHeader(artifact);
  auto ticket = Ticket(gateway_->AuthorizeUpload(header));
  ASSERT_NE(ticket, nullptr);
  HttpRequest full = WithBodyFile(header, artifact);
  HttpResponse r;
  gateway_->CompleteUpload(*ticket, full, [&r](HttpResponse answer) { r = std::move(answer); });
  ASSERT_EQ(r.status, 200) << r.body;
  auto version = boost::json::parse(r.body).at("Version").as_object();
  EXPECT_EQ(version.at("Sha256").as_string(), Sha256Hex(artifact));
  EXPECT_EQ(version.at("Size").as_int64(), 200000);
  // Moved into its content-addressed place, not copied.
  EXPECT_TRUE(std::filesystem::exists(dir_ / Sha256Hex(artifact)));
  EXPECT_FALSE(std::filesystem::exists(full.body_file->path()));
}

TEST_F(GatewayUploadTest, AWrongSignatureIsRefusedFromTheHeader) {
  auto refused = gateway_->AuthorizeUpload(UploadHeader("x", kKeyId, "wrong"));
  ASSERT_EQ(Refusal(refused), "SignatureDoesNotMatch");
  const HttpResponse& r = std::get<HttpResponse>(refused);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("server string to sign is:ACS3-HMAC-SHA256"), std::string::npos) << r.body;
}

TEST_F(GatewayUploadTest, ATenantIsRefusedFromTheHeader) {
  ASSERT_TRUE(ops::SetUpAccount(*store_, secrets_, kNow, "tenant", false,
                                "LTAItenant00000000000000", "tenantsecret00000000000000000A")
                  .has_value());
  auto refused = gateway_->AuthorizeUpload(
      UploadHeader("x", "LTAItenant00000000000000", "tenantsecret00000000000000000A"));
  EXPECT_EQ(Refusal(refused), "Forbidden.OperatorOnly");
}

TEST_F(GatewayUploadTest, TheSignedBodyHashIsRequired) {
  HttpRequest header = UploadHeader("x");
  header.headers.erase("x-acs-content-sha256");
  EXPECT_EQ(Refusal(gateway_->AuthorizeUpload(header)), "MissingParameter");
  header.headers.emplace("x-acs-content-sha256", "not-hex");
  EXPECT_EQ(Refusal(gateway_->AuthorizeUpload(header)), "InvalidParameter");
}

TEST_F(GatewayUploadTest, TheAuthorizationUsesUpTheNonce) {
  HttpRequest header = UploadHeader("x");
  ASSERT_NE(Ticket(gateway_->AuthorizeUpload(header)), nullptr);
  EXPECT_EQ(Refusal(gateway_->AuthorizeUpload(header)), "SignatureNonceUsed");
}

TEST_F(GatewayUploadTest, ABodyOtherThanTheSignedOneIsSignatureDoesNotMatch) {
  HttpRequest header = UploadHeader("the signed artifact");
  auto ticket = Ticket(gateway_->AuthorizeUpload(header));
  ASSERT_NE(ticket, nullptr);
  HttpResponse r;
  gateway_->CompleteUpload(*ticket, WithBodyFile(header, "another artifact"),
                           [&r](HttpResponse answer) { r = std::move(answer); });
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), "SignatureDoesNotMatch");
  EXPECT_FALSE(store_->GetVersion("Device", "2.0.0").has_value());
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
      in.status = store::InstanceStatus::kActive;
      in.instance_type = "hardware";
      in.hardware_spec = "sag-1000";
      in.ha_type = store::HaType::kNoBackup;
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
  EXPECT_EQ(Code(HandleNow(*gateway_, V1("DescribeRegions", {}, FormatIso8601Utc(kNow), "n3"))),
            "OK");
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
