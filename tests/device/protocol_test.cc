#include "device/protocol.h"

#include <string>
#include <variant>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "common/crypto.h"

namespace sag::device {
namespace {

namespace json = boost::json;

// The worked example of docs/device-protocol.md ("Example").
TEST(ProofTest, MatchesTheDocumentedVector) {
  EXPECT_EQ(
      ComputeProof("sag-device-secret-0001", "sage62x0219", "9f1c0a7e5b3d4c2a1f0e9d8c7b6a5948"),
      "4ada825ea407f94823470404471aaad5f35d1ee370e51b7abb71081b5a3186bf");
}

// Vectors computed with:
//   printf 'sag-device-v1\nsage62x0219\n9f1c...1100' | openssl dgst -sha256 -hmac '<secret>'
TEST(ProofTest, MatchesOpenSslVectors) {
  EXPECT_EQ(
      ComputeProof("device-secret-0123456789", "sage62x0219", "9f1c0d2e3b4a59687766554433221100"),
      "02a900a1a11cdc2e40bb253c5054168bac1a3eea6986f34045eb0a5c263a6f5a");
  EXPECT_EQ(ComputeProof("abcdefghijklmnop", "SN1", "00000000000000000000000000000000"),
            "64e6265409a47b2283222ef4232c3cd5c5abec6c06be2c2291c6ae81fb9561aa");
}

TEST(ProofTest, DependsOnEveryInput) {
  const std::string base = ComputeProof("abcdefghijklmnop", "SN1", "00");
  EXPECT_NE(base, ComputeProof("abcdefghijklmnoq", "SN1", "00"));
  EXPECT_NE(base, ComputeProof("abcdefghijklmnop", "SN2", "00"));
  EXPECT_NE(base, ComputeProof("abcdefghijklmnop", "SN1", "01"));
  EXPECT_EQ(base.size(), 64u);
}

TEST(ProofTest, VerifyAcceptsOnlyTheRightProof) {
  std::string proof = ComputeProof("secret-secret-16", "sn1", "n1");
  EXPECT_TRUE(VerifyProof("secret-secret-16", "sn1", "n1", proof));
  EXPECT_FALSE(VerifyProof("secret-secret-17", "sn1", "n1", proof));
  EXPECT_FALSE(VerifyProof("secret-secret-16", "sn2", "n1", proof));
  EXPECT_FALSE(VerifyProof("secret-secret-16", "sn1", "n2", proof));
  EXPECT_FALSE(VerifyProof("secret-secret-16", "sn1", "n1", ""));
}

TEST(NonceTest, Is32LowerHex) {
  std::string n = NewNonce();
  ASSERT_EQ(n.size(), 32u);
  for (char c : n) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << n;
  EXPECT_NE(n, NewNonce());
}

TEST(DeviceMessageTest, HelloRoundTrips) {
  Hello h;
  h.serial_number = "sage62x0219";
  h.proof = std::string(64, 'a');
  h.model = "sag-1000";
  h.firmware = "2.0.0";
  h.dpi = "1.0.0";
  h.boot_time_ms = 1795429990000;
  h.applied = {{"admin_password", 3}, {"reboot", 0}};
  auto m = ParseDeviceMessage(FormatHello(h));
  ASSERT_TRUE(m.has_value()) << m.error();
  EXPECT_EQ(m->type, DeviceMessageType::kHello);
  EXPECT_EQ(m->hello.serial_number, "sage62x0219");
  EXPECT_EQ(m->hello.protocol, 1);
  EXPECT_EQ(m->hello.proof, std::string(64, 'a'));
  EXPECT_EQ(m->hello.model, "sag-1000");
  EXPECT_EQ(m->hello.firmware, "2.0.0");
  EXPECT_EQ(m->hello.dpi, "1.0.0");
  EXPECT_EQ(m->hello.boot_time_ms, 1795429990000);
  EXPECT_EQ(m->hello.applied, h.applied);
}

TEST(DeviceMessageTest, HelloFromTheDocumentParses) {
  auto m = ParseDeviceMessage(R"({"type":"hello","serial_number":"SN","proof":")" +
                              std::string(64, 'f') +
                              R"(","model":"sag-1000",
          "firmware":"2.0.0","dpi":"1.0.0","boot_time":5,"extra":true,
          "applied":{"admin_password":3,"reboot":0,"firmware":0,"dpi":0,"future":9}})");
  ASSERT_TRUE(m.has_value()) << m.error();
  EXPECT_EQ(m->hello.applied.size(), 4u);  // unknown facets are ignored
  EXPECT_EQ(m->hello.applied.at("admin_password"), 3);
}

TEST(DeviceMessageTest, HelloProtocolIsParsedAndDefaultsToOne) {
  const std::string proof = std::string(64, 'a');
  auto absent =
      ParseDeviceMessage(R"({"type":"hello","serial_number":"SN","proof":")" + proof + R"("})");
  ASSERT_TRUE(absent.has_value()) << absent.error();
  EXPECT_EQ(absent->hello.protocol, 1);
  // Another version parses (the server answers it with ProtocolVersion).
  auto two = ParseDeviceMessage(R"({"type":"hello","protocol":2,"serial_number":"SN","proof":")" +
                                proof + R"("})");
  ASSERT_TRUE(two.has_value()) << two.error();
  EXPECT_EQ(two->hello.protocol, 2);
}

// The enrolment of earlier versions is gone: a hello without a proof is malformed.
TEST(DeviceMessageTest, EnrollSecretInsteadOfProofIsMalformed) {
  EXPECT_FALSE(ParseDeviceMessage(
                   R"({"type":"hello","serial_number":"SN","enroll_secret":"0123456789abcdef"})")
                   .has_value());
}

TEST(DeviceMessageTest, HeartbeatAndAppliedParse) {
  auto hb = ParseDeviceMessage(FormatHeartbeat());
  ASSERT_TRUE(hb.has_value());
  EXPECT_EQ(hb->type, DeviceMessageType::kHeartbeat);
  auto a = ParseDeviceMessage(FormatApplied(
      {.facet = "admin_password", .generation = 7, .result = "failed", .detail = "flash"}));
  ASSERT_TRUE(a.has_value()) << a.error();
  EXPECT_EQ(a->type, DeviceMessageType::kApplied);
  EXPECT_EQ(a->applied.facet, "admin_password");
  EXPECT_EQ(a->applied.generation, 7);
  EXPECT_EQ(a->applied.result, "failed");
  EXPECT_EQ(a->applied.detail, "flash");
}

TEST(DeviceMessageTest, UnknownTypeIsNotAnError) {
  auto m = ParseDeviceMessage(R"({"type":"telemetry","x":1})");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->type, DeviceMessageType::kUnknown);
  EXPECT_EQ(m->type_name, "telemetry");
}

TEST(DeviceMessageTest, MalformedMessagesAreRejected) {
  const std::string p = std::string(64, 'a');
  const std::string bad[] = {
      "",
      "not json",
      "[1,2]",
      R"({"no_type":1})",
      R"({"type":5})",
      R"({"type":"hello"})",
      R"({"type":"hello","serial_number":"SN"})",
      R"({"type":"hello","serial_number":"SN","proof":"a"})",
      R"({"type":"hello","serial_number":"SN","proof":")" + std::string(64, 'A') + R"("})",
      R"({"type":"hello","serial_number":"SN","proof":")" + p + R"(0"})",
      R"({"type":"hello","serial_number":"","proof":")" + p + R"("})",
      R"({"type":"hello","serial_number":"S N","proof":")" + p + R"("})",
      R"({"type":"hello","serial_number":")" + std::string(65, 's') + R"(","proof":")" + p +
          R"("})",
      R"({"type":"hello","serial_number":"SN","proof":7})",
      R"({"type":"hello","serial_number":"SN","proof":")" + p + R"(","firmware":"2.0\u0001"})",
      R"({"type":"hello","serial_number":"SN","proof":")" + p + R"(","model":")" +
          std::string(65, 'm') + R"("})",
      R"({"type":"hello","serial_number":"SN","proof":")" + p + R"(","dpi":"1 0"})",
      R"({"type":"hello","serial_number":"SN","proof":")" + p + R"(","protocol":"1"})",
      R"({"type":"hello","serial_number":"SN","proof":")" + p + R"(","applied":[]})",
      R"({"type":"hello","serial_number":"SN","proof":")" + p + R"(","applied":{"reboot":-1}})",
      R"({"type":"hello","serial_number":"SN","proof":")" + p + R"(","applied":{"reboot":"1"}})",
      R"({"type":"hello","serial_number":"SN","proof":")" + p + R"(","boot_time":"x"})",
      R"({"type":"applied","facet":"admin_password","generation":1})",
      R"({"type":"applied","facet":"admin_password","generation":0,"result":"ok"})",
      R"({"type":"applied","facet":"color","generation":1,"result":"ok"})",
      R"({"type":"applied","facet":"reboot","generation":1,"result":"maybe"})",
      R"({"type":"applied","facet":"reboot","generation":"1","result":"ok"})",
  };
  for (const std::string& text : bad) EXPECT_FALSE(ParseDeviceMessage(text).has_value()) << text;
}

// The hello the agent sends: the protocol version, every facet reported and the proof.
TEST(DeviceMessageTest, HelloWithProofReportsEveryFacet) {
  Hello h;
  h.serial_number = "sage62x0219";
  h.model = "sag-1000";
  h.firmware = "2.0.0";
  h.dpi = "1.0.0";
  h.boot_time_ms = 1795429990000;
  h.applied = AppliedWithEveryFacet({{"admin_password", 3}});
  h.proof = "4ada825ea407f94823470404471aaad5f35d1ee370e51b7abb71081b5a3186bf";
  json::object o = json::parse(FormatHello(h)).as_object();
  EXPECT_EQ(o.at("type"), "hello");
  EXPECT_EQ(o.at("protocol").as_int64(), 1);
  EXPECT_EQ(o.at("serial_number"), "sage62x0219");
  EXPECT_EQ(o.at("proof"), "4ada825ea407f94823470404471aaad5f35d1ee370e51b7abb71081b5a3186bf");
  EXPECT_EQ(o.at("model"), "sag-1000");
  EXPECT_EQ(o.at("firmware"), "2.0.0");
  EXPECT_EQ(o.at("dpi"), "1.0.0");
  EXPECT_EQ(o.at("boot_time").as_int64(), 1795429990000);
  const json::object& applied = o.at("applied").as_object();
  EXPECT_EQ(applied.size(), 6u);
  EXPECT_EQ(applied.at("admin_password").as_int64(), 3);
  EXPECT_EQ(applied.at("acl").as_int64(), 0);
  EXPECT_EQ(applied.at("reboot").as_int64(), 0);
  EXPECT_EQ(applied.at("firmware").as_int64(), 0);
  EXPECT_EQ(applied.at("dpi").as_int64(), 0);
  EXPECT_EQ(applied.at("flow_log").as_int64(), 0);
}

TEST(DeviceMessageTest, HeartbeatAndAppliedShapes) {
  EXPECT_EQ(json::parse(FormatHeartbeat()), json::parse(R"({"type":"heartbeat"})"));
  EXPECT_EQ(json::parse(FormatApplied(
                {.facet = "admin_password", .generation = 7, .result = "ok", .detail = ""})),
            json::parse(R"({"type":"applied","facet":"admin_password","generation":7,
                            "result":"ok"})"));
  EXPECT_EQ(json::parse(FormatApplied(
                {.facet = "firmware", .generation = 2, .result = "failed", .detail = "refused"})),
            json::parse(R"({"type":"applied","facet":"firmware","generation":2,
                            "result":"failed","detail":"refused"})"));
}

TEST(DeviceMessageTest, ProgressRoundTripsAndIsValidated) {
  Progress p{.facet = "firmware",
             .generation = 3,
             .state = "downloading",
             .bytes = 1048576,
             .total = 16777216,
             .detail = "chunk 2"};
  auto parsed = ParseDeviceMessage(FormatProgress(p));
  ASSERT_TRUE(parsed.has_value()) << parsed.error();
  EXPECT_EQ(parsed->type, DeviceMessageType::kProgress);
  EXPECT_EQ(parsed->progress.facet, "firmware");
  EXPECT_EQ(parsed->progress.generation, 3);
  EXPECT_EQ(parsed->progress.state, "downloading");
  EXPECT_EQ(parsed->progress.bytes, 1048576);
  EXPECT_EQ(parsed->progress.total, 16777216);
  EXPECT_EQ(parsed->progress.detail, "chunk 2");
  for (const char* bad : {
           R"({"type":"progress","facet":"reboot","generation":1,"state":"downloading"})",
           R"({"type":"progress","facet":"dpi","generation":0,"state":"downloading"})",
           R"({"type":"progress","facet":"dpi","generation":1,"state":"done"})",
           R"({"type":"progress","facet":"dpi","generation":1,"state":"installing","bytes":-1})",
       }) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(ParseDeviceMessage(bad).has_value());
  }
}

TEST(ServerMessageTest, ChallengeWelcomeDesiredErrorRoundTrip) {
  auto c = ParseServerMessage(FormatChallenge("9f1c0a7e5b3d4c2a1f0e9d8c7b6a5948", 1795430000000));
  ASSERT_TRUE(c.has_value()) << c.error();
  ASSERT_TRUE(std::holds_alternative<Challenge>(*c));
  EXPECT_EQ(std::get<Challenge>(*c).protocol, 1);
  EXPECT_EQ(std::get<Challenge>(*c).nonce, "9f1c0a7e5b3d4c2a1f0e9d8c7b6a5948");
  EXPECT_EQ(std::get<Challenge>(*c).server_time_ms, 1795430000000);
  auto fresh = ParseServerMessage(FormatChallenge(NewNonce(), 1));
  ASSERT_TRUE(fresh.has_value()) << fresh.error();

  auto w = ParseServerMessage(FormatWelcome("ds-1", 30000, 10000));
  ASSERT_TRUE(w.has_value()) << w.error();
  ASSERT_TRUE(std::holds_alternative<Welcome>(*w));
  EXPECT_EQ(std::get<Welcome>(*w).session_id, "ds-1");
  EXPECT_EQ(std::get<Welcome>(*w).lease_ms, 30000);
  EXPECT_EQ(std::get<Welcome>(*w).heartbeat_ms, 10000);

  auto d = ParseServerMessage(FormatDesired("admin_password", 7, R"({"hash":"$argon2id$x"})"));
  ASSERT_TRUE(d.has_value()) << d.error();
  ASSERT_TRUE(std::holds_alternative<Desired>(*d));
  EXPECT_EQ(std::get<Desired>(*d).facet, "admin_password");
  EXPECT_EQ(std::get<Desired>(*d).generation, 7);
  EXPECT_EQ(json::serialize(std::get<Desired>(*d).value), R"({"hash":"$argon2id$x"})");

  auto bad_value = ParseServerMessage(FormatDesired("reboot", 1, "not json"));
  ASSERT_TRUE(bad_value.has_value()) << bad_value.error();
  EXPECT_EQ(json::serialize(std::get<Desired>(*bad_value).value), "{}");

  auto e = ParseServerMessage(FormatError(kErrAuthFailed));
  ASSERT_TRUE(e.has_value()) << e.error();
  ASSERT_TRUE(std::holds_alternative<ServerError>(*e));
  EXPECT_EQ(std::get<ServerError>(*e).code, "AuthFailed");
  EXPECT_EQ(std::get<ServerError>(*e).message, "");
  EXPECT_EQ(FormatError(kErrAuthFailed), R"({"type":"error","code":"AuthFailed"})");
  auto e2 = ParseServerMessage(FormatError(kErrBadMessage, "x"));
  ASSERT_TRUE(e2.has_value()) << e2.error();
  EXPECT_EQ(std::get<ServerError>(*e2).code, "BadMessage");
  EXPECT_EQ(std::get<ServerError>(*e2).message, "x");
}

TEST(ServerMessageTest, Challenge) {
  auto m = ParseServerMessage(
      R"({"type":"challenge","protocol":1,"nonce":"0123456789abcdef0123456789abcdef",)"
      R"("server_time":1795430000000,"extra":true})");
  ASSERT_TRUE(m) << m.error();
  const auto& c = std::get<Challenge>(*m);
  EXPECT_EQ(c.protocol, 1);
  EXPECT_EQ(c.nonce, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(c.server_time_ms, 1795430000000);
}

TEST(ServerMessageTest, WelcomeDesiredErrorUnknown) {
  auto w = ParseServerMessage(
      R"({"type":"welcome","session_id":"ds-1","lease_ms":30000,"heartbeat_ms":10000})");
  ASSERT_TRUE(w) << w.error();
  EXPECT_EQ(std::get<Welcome>(*w).session_id, "ds-1");
  EXPECT_EQ(std::get<Welcome>(*w).lease_ms, 30000);
  EXPECT_EQ(std::get<Welcome>(*w).heartbeat_ms, 10000);

  auto d = ParseServerMessage(
      R"({"type":"desired","facet":"admin_password","generation":7,"value":{"hash":"$argon2id$x"}})");
  ASSERT_TRUE(d) << d.error();
  EXPECT_EQ(std::get<Desired>(*d).facet, "admin_password");
  EXPECT_EQ(std::get<Desired>(*d).generation, 7);
  EXPECT_EQ(std::get<Desired>(*d).value.at("hash"), "$argon2id$x");

  auto e = ParseServerMessage(R"({"type":"error","code":"AuthFailed"})");
  ASSERT_TRUE(e) << e.error();
  EXPECT_EQ(std::get<ServerError>(*e).code, "AuthFailed");
  EXPECT_EQ(std::get<ServerError>(*e).message, "");
  auto e2 = ParseServerMessage(R"({"type":"error","code":"BadMessage","message":"x"})");
  ASSERT_TRUE(e2);
  EXPECT_EQ(std::get<ServerError>(*e2).message, "x");

  auto u = ParseServerMessage(R"({"type":"news"})");
  ASSERT_TRUE(u);
  EXPECT_EQ(std::get<UnknownServerMessage>(*u).type, "news");
}

TEST(ServerMessageTest, MalformedMessagesAreRejected) {
  const char* bad[] = {
      "",
      "not json",
      "[1,2]",
      R"({"kind":"welcome"})",
      R"({"type":7})",
      R"({"type":"challenge","protocol":2,"nonce":"0123456789abcdef0123456789abcdef","server_time":1})",
      R"({"type":"challenge","protocol":1,"nonce":"0123456789ABCDEF0123456789ABCDEF","server_time":1})",
      R"({"type":"challenge","protocol":1,"nonce":"0123","server_time":1})",
      R"({"type":"challenge","protocol":1,"server_time":1})",
      R"({"type":"challenge","protocol":1,"nonce":"0123456789abcdef0123456789abcdef"})",
      R"({"type":"challenge","protocol":"1","nonce":"0123456789abcdef0123456789abcdef","server_time":1})",
      R"({"type":"welcome","lease_ms":30000,"heartbeat_ms":10000})",
      R"({"type":"welcome","session_id":"s","lease_ms":0,"heartbeat_ms":10000})",
      R"({"type":"welcome","session_id":"s","lease_ms":30000,"heartbeat_ms":-1})",
      R"({"type":"welcome","session_id":"s","lease_ms":1.5,"heartbeat_ms":10})",
      R"({"type":"desired","facet":"admin_password","generation":0,"value":{}})",
      R"({"type":"desired","facet":"admin_password","generation":-3,"value":{}})",
      R"({"type":"desired","facet":"admin_password","generation":1})",
      R"({"type":"desired","facet":"admin_password","generation":1,"value":"x"})",
      R"({"type":"desired","generation":1,"value":{}})",
      R"({"type":"desired","facet":"","generation":1,"value":{}})",
      R"({"type":"error"})",
      R"({"type":"error","code":3})",
  };
  for (const char* text : bad) EXPECT_FALSE(ParseServerMessage(text).has_value()) << text;
}

TEST(FacetTest, KnownFacets) {
  EXPECT_TRUE(IsKnownFacet("admin_password"));
  EXPECT_TRUE(IsKnownFacet("reboot"));
  EXPECT_TRUE(IsKnownFacet("firmware"));
  EXPECT_TRUE(IsKnownFacet("dpi"));
  EXPECT_TRUE(IsKnownFacet("acl"));
  EXPECT_FALSE(IsKnownFacet("Reboot"));
  EXPECT_FALSE(IsKnownFacet(""));
}

}  // namespace
}  // namespace sag::device
