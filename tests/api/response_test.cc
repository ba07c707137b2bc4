#include "api/response.h"

#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "common/api_error.h"
#include "common/utf8.h"

namespace sag::api {
namespace {

std::string HeaderValue(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Rows whose Code or Message is OpenSAG's own (operator API, transport limits) or chosen where the
// reference gives no exact text; docs/errors.md says so for each.
const std::set<std::string> kOwnRows = {
    "InvalidAccessKeyIdInactive",
    "UnsupportedHTTPMethod",
    "RequestBodyTooLarge",
    "BadRequest",
    "RequestHeaderFieldsTooLarge",
    "EntityAlreadyExists",
    "EntityNotExist",
    "MalformedPolicyDocument",
    "OperatorOnly",
    "TestModeOnly",
    "ClientUserIpPoolExhausted",
    "ClientUserDisabled",
    "DpiNeedsDeviceVersion",
    "InvalidInstanceIdNotFound",
    "ParameterCcnInstanceId",
    "ParameterSagClientId",
    "FaultRuleQuotaExceeded",
};

const char* kRowNames[] = {
#define API_ERROR(id, status, code, message) #id,
#include "common/errors.def"
#undef API_ERROR
};

TEST(ResponseTest, EveryErrorRowRendersAsJsonEnvelope) {
  for (const ApiErrorSpec& spec : AllErrorSpecs()) {
    SCOPED_TRACE(std::string(spec.code));
    ApiError e(spec.id, {"Param"});
    HttpResponse r = RenderError(e, "11111111-2222-4333-8444-555555555555",
                                 "smartag.cn-shanghai.aliyuncs.com", Format::kJson);
    EXPECT_EQ(r.status, spec.http_status);
    EXPECT_EQ(HeaderValue(r, "Content-Type"), "application/json;charset=utf-8");
    EXPECT_EQ(HeaderValue(r, "x-acs-request-id"), "11111111-2222-4333-8444-555555555555");
    auto body = boost::json::parse(r.body).as_object();
    EXPECT_EQ(body.at("RequestId").as_string(), "11111111-2222-4333-8444-555555555555");
    EXPECT_EQ(body.at("HostId").as_string(), "smartag.cn-shanghai.aliyuncs.com");
    EXPECT_EQ(body.at("Code").as_string(), spec.code);
    EXPECT_EQ(body.at("Message").as_string(), e.message());
    EXPECT_EQ(e.message().find("{0}"), std::string::npos);
    EXPECT_NE(std::string(body.at("Recommend").as_string()).find(std::string(spec.code)),
              std::string::npos);
  }
}

TEST(ResponseTest, EveryErrorRowRendersAsXmlEnvelope) {
  for (const ApiErrorSpec& spec : AllErrorSpecs()) {
    SCOPED_TRACE(std::string(spec.code));
    ApiError e(spec.id, {"Param"});
    HttpResponse r = RenderError(e, "REQ", "host", Format::kXml);
    EXPECT_EQ(r.status, spec.http_status);
    EXPECT_EQ(HeaderValue(r, "Content-Type"), "text/xml;charset=utf-8");
    std::string escaped_message;
    for (char c : e.message()) {
      if (c == '"') {
        escaped_message += "&quot;";
      } else if (c == '\'') {
        escaped_message += "&apos;";
      } else {
        escaped_message += c;
      }
    }
    EXPECT_TRUE(r.body.starts_with("<?xml version='1.0' encoding='UTF-8'?><Error><RequestId>REQ"))
        << r.body;
    EXPECT_NE(r.body.find("<Code>" + std::string(spec.code) + "</Code>"), std::string::npos);
    EXPECT_NE(r.body.find("<Message>" + escaped_message + "</Message>"), std::string::npos)
        << r.body;
    EXPECT_NE(r.body.find("<HostId>host</HostId>"), std::string::npos);
    EXPECT_TRUE(r.body.ends_with("]]></Recommend></Error>"));
  }
}

TEST(ResponseTest, MissingParameterNamesTheParameter) {
  EXPECT_EQ(ApiError::MissingParameter("SmartAGId").message(),
            "The input parameter \"SmartAGId\" that is mandatory for processing this request is "
            "not supplied.");
}

TEST(ResponseTest, InternalDetailNeverReachesTheBody) {
  ApiError e = ApiError::Internal("SQLITE_CORRUPT: database disk image is malformed");
  HttpResponse r = RenderError(e, "REQ", "host", Format::kJson);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("SQLITE"), std::string::npos);
}

// Every smartag and gateway row must be copied from the reference (the lifecycle and the
// configuration families): its Code and its Message (up to the first argument) appear there
// verbatim.
TEST(ResponseTest, ErrorTableMatchesTheReference) {
  const std::string dir = std::string(SAG_SOURCE_DIR) + "/../shared/reference/";
  std::string ref = ReadFile(dir + "smartag-api.md");
  ASSERT_FALSE(ref.empty()) << "shared/reference/smartag-api.md must sit beside the checkout";
  const std::string config = ReadFile(dir + "smartag-config-api.md");  // ACL, QoS, NAT, ...
  ASSERT_FALSE(config.empty()) << "shared/reference/smartag-config-api.md must sit beside it";
  ref += config;
  const auto& specs = AllErrorSpecs();
  for (size_t i = 0; i < specs.size(); ++i) {
    if (kOwnRows.count(kRowNames[i]) != 0) continue;
    SCOPED_TRACE(kRowNames[i]);
    std::string code(specs[i].code);
    std::string message(specs[i].message_template);
    message = message.substr(0, message.find("{0}"));
    // A code has its own table cell, or shares one with related codes ("| A, B |").
    EXPECT_TRUE(ref.find("| " + code + " |") != std::string::npos ||
                ref.find("| " + code + ", ") != std::string::npos ||
                ref.find(", " + code + " |") != std::string::npos)
        << code;
    EXPECT_NE(ref.find(message), std::string::npos) << message;
  }
}

TEST(ResponseTest, ErrorsDocListsEveryCode) {
  std::string doc = ReadFile(std::string(SAG_SOURCE_DIR) + "/docs/errors.md");
  for (const ApiErrorSpec& spec : AllErrorSpecs()) {
    EXPECT_NE(doc.find("`" + std::string(spec.code) + "`"), std::string::npos) << spec.code;
  }
}

TEST(ResponseTest, SuccessJsonStartsWithRequestId) {
  boost::json::object body{{"SmartAGId", "sag-1"},
                           {"List", boost::json::object{{"Item", boost::json::array{1, 2}}}}};
  HttpResponse r = RenderSuccess("DescribeX", "REQ", body, Format::kJson);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"RequestId":"REQ","SmartAGId":"sag-1","List":{"Item":[1,2]}})");
}

TEST(ResponseTest, SuccessXmlUsesActionRootAndRepeatsListElements) {
  boost::json::object body{
      {"Name", "a<b&c"},
      {"Items", boost::json::object{{"Item", boost::json::array{boost::json::object{{"Id", 1}},
                                                                boost::json::object{{"Id", 2}}}}}},
      {"Flag", true}};
  HttpResponse r = RenderSuccess("DescribeX", "REQ", body, Format::kXml);
  EXPECT_EQ(
      r.body,
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DescribeXResponse><RequestId>REQ</RequestId>"
      "<Name>a&lt;b&amp;c</Name><Items><Item><Id>1</Id></Item><Item><Id>2</Id></Item></Items>"
      "<Flag>true</Flag></DescribeXResponse>");
}

TEST(ResponseTest, XmlTextIsWellFormedWhateverTheValueHolds) {
  boost::json::object body{{"Position",
                            "a\x01"
                            "b\xFF\xFE<&>\"'\r\n\t\x7F\xEF\xBF\xBE\xE6\x9D\xAD"}};
  HttpResponse r = RenderSuccess("DescribeX", "REQ", body, Format::kXml);
  EXPECT_TRUE(IsValidUtf8(r.body));
  EXPECT_NE(r.body.find("<Position>a\xEF\xBF\xBD"
                        "b\xEF\xBF\xBD\xEF\xBF\xBD&lt;&amp;&gt;&quot;&apos;"
                        "&#13;\n\t\x7F\xEF\xBF\xBD\xE6\x9D\xAD</Position>"),
            std::string::npos)
      << r.body;
}

TEST(ResponseTest, JsonIsUtf8WhateverTheValueHolds) {
  boost::json::object body{{"Position",
                            "a\x01"
                            "b\xFF"},
                           {"List", boost::json::array{boost::json::object{{"Name", "\xC0\xAF"}}}}};
  HttpResponse r = RenderSuccess("DescribeX", "REQ", body, Format::kJson);
  EXPECT_TRUE(IsValidUtf8(r.body));
  auto parsed = boost::json::parse(r.body).as_object();
  EXPECT_EQ(parsed.at("Position").as_string(),
            "a\x01"
            "b\xEF\xBF\xBD");
  EXPECT_EQ(parsed.at("List").as_array()[0].as_object().at("Name").as_string(),
            "\xEF\xBF\xBD\xEF\xBF\xBD");
  // A valid value is passed through unchanged.
  boost::json::object plain{{"Name", "\xE6\x9D\xAD\xE5\xB7\x9E"}};
  EXPECT_EQ(RenderSuccess("DescribeX", "REQ", plain, Format::kJson).body,
            "{\"RequestId\":\"REQ\",\"Name\":\"\xE6\x9D\xAD\xE5\xB7\x9E\"}");
}

TEST(ResponseTest, HostIdIsTheHostHeaderOnlyWhenItLooksLikeAHost) {
  const ApiError e(ApiErrorId::kSignatureNonceUsed);
  for (const std::string& good : {std::string("smartag.cn-shanghai.aliyuncs.com"),
                                  std::string("127.0.0.1:8086"), std::string("[::1]:8086")}) {
    auto body = boost::json::parse(RenderError(e, "REQ", good, Format::kJson).body).as_object();
    EXPECT_EQ(body.at("HostId").as_string(), good);
  }
  for (const std::string& bad : {std::string("a\xFF\"b"), std::string("a<b>"),
                                 std::string("h\r\nX: y"), std::string(256, 'h'), std::string()}) {
    HttpResponse json = RenderError(e, "REQ", bad, Format::kJson);
    EXPECT_TRUE(IsValidUtf8(json.body));
    EXPECT_EQ(boost::json::parse(json.body).as_object().at("HostId").as_string(),
              "smartag.aliyuncs.com");
    HttpResponse xml = RenderError(e, "REQ", bad, Format::kXml);
    EXPECT_NE(xml.body.find("<HostId>smartag.aliyuncs.com</HostId>"), std::string::npos);
  }
}

TEST(ResponseTest, ThrottlingCarriesRetryAfterInMilliseconds) {
  HttpResponse r = RenderError(ApiError::Throttled(1234), "REQ", "host", Format::kJson);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(HeaderValue(r, "x-acs-retry-after"), "1234");
  auto body = boost::json::parse(r.body).as_object();
  EXPECT_EQ(body.at("Code").as_string(), "Throttling.User");
  EXPECT_EQ(body.at("Message").as_string(), "Request was denied due to user flow control.");
  EXPECT_EQ(HeaderValue(RenderError(ApiError::Throttled(0), "REQ", "h", Format::kXml),
                        "x-acs-retry-after"),
            "1");
  EXPECT_EQ(
      HeaderValue(RenderError(ApiError(ApiErrorId::kThrottlingUser), "REQ", "h", Format::kJson),
                  "x-acs-retry-after"),
      "");
  EXPECT_EQ(
      HeaderValue(RenderError(ApiError(ApiErrorId::kInternalError), "REQ", "h", Format::kJson),
                  "x-acs-retry-after"),
      "");
}

}  // namespace
}  // namespace sag::api
