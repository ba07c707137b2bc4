#include "device/protocol.h"

#include <gtest/gtest.h>

#include "common/crypto.h"

namespace sag::device {
namespace {

// The worked example of docs/device-protocol.md §6.
TEST(ProofTest, MatchesTheDocumentedVector) {
  EXPECT_EQ(
      ComputeProof("sag-device-secret-0001", "sage62x0219", "9f1c0a7e5b3d4c2a1f0e9d8c7b6a5948"),
      "4ada825ea407f94823470404471aaad5f35d1ee370e51b7abb71081b5a3186bf");
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
  h.proof = "abcd";
  h.model = "sag-1000";
  h.firmware = "2.0.0";
  h.dpi = "1.0.0";
  h.boot_time_ms = 1795429990000;
  h.applied = {{"admin_password", 3}, {"reboot", 0}};
  auto m = ParseDeviceMessage(FormatHello(h));
  ASSERT_TRUE(m.has_value()) << m.error();
  EXPECT_EQ(m->type, DeviceMessageType::kHello);
  EXPECT_EQ(m->hello.serial_number, "sage62x0219");
  EXPECT_EQ(m->hello.proof, "abcd");
  EXPECT_EQ(m->hello.model, "sag-1000");
  EXPECT_EQ(m->hello.firmware, "2.0.0");
  EXPECT_EQ(m->hello.dpi, "1.0.0");
  EXPECT_EQ(m->hello.boot_time_ms, 1795429990000);
  EXPECT_EQ(m->hello.applied, h.applied);
}

TEST(DeviceMessageTest, HelloFromTheDocumentParses) {
  auto m = ParseDeviceMessage(
      R"({"type":"hello","serial_number":"SN","proof":"ff","model":"sag-1000",
          "firmware":"2.0.0","dpi":"1.0.0","boot_time":5,"extra":true,
          "applied":{"admin_password":3,"reboot":0,"firmware":0,"dpi":0,"future":9}})");
  ASSERT_TRUE(m.has_value()) << m.error();
  EXPECT_EQ(m->hello.applied.size(), 4u);  // unknown facets are ignored
  EXPECT_EQ(m->hello.applied.at("admin_password"), 3);
}

TEST(DeviceMessageTest, EnrolmentHelloHasTheSecretAndNoProof) {
  auto m = ParseDeviceMessage(
      R"({"type":"hello","serial_number":"SN","enroll_secret":"0123456789abcdef"})");
  ASSERT_TRUE(m.has_value()) << m.error();
  EXPECT_EQ(m->hello.enroll_secret, "0123456789abcdef");
  EXPECT_TRUE(m->hello.proof.empty());
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
  const char* bad[] = {
      "",
      "not json",
      "[1,2]",
      R"({"no_type":1})",
      R"({"type":5})",
      R"({"type":"hello"})",
      R"({"type":"hello","serial_number":"SN"})",
      R"({"type":"hello","serial_number":"SN","proof":"a","enroll_secret":"0123456789abcdef"})",
      R"({"type":"hello","serial_number":"","proof":"a"})",
      R"({"type":"hello","serial_number":"SN","proof":7})",
      R"({"type":"hello","serial_number":"SN","proof":"a","applied":[]})",
      R"({"type":"hello","serial_number":"SN","proof":"a","applied":{"reboot":-1}})",
      R"({"type":"hello","serial_number":"SN","proof":"a","applied":{"reboot":"1"}})",
      R"({"type":"hello","serial_number":"SN","proof":"a","boot_time":"x"})",
      R"({"type":"applied","facet":"admin_password","generation":1})",
      R"({"type":"applied","facet":"admin_password","generation":0,"result":"ok"})",
      R"({"type":"applied","facet":"color","generation":1,"result":"ok"})",
      R"({"type":"applied","facet":"reboot","generation":1,"result":"maybe"})",
      R"({"type":"applied","facet":"reboot","generation":"1","result":"ok"})",
  };
  for (const char* text : bad) EXPECT_FALSE(ParseDeviceMessage(text).has_value()) << text;
}

TEST(ServerMessageTest, ChallengeWelcomeDesiredErrorRoundTrip) {
  auto c = ParseServerMessage(FormatChallenge("9f1c", 1795430000000));
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->type, "challenge");
  EXPECT_EQ(c->protocol, 1);
  EXPECT_EQ(c->nonce, "9f1c");
  EXPECT_EQ(c->server_time_ms, 1795430000000);

  auto w = ParseServerMessage(FormatWelcome("ds-1", 30000, 10000));
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->type, "welcome");
  EXPECT_EQ(w->session_id, "ds-1");
  EXPECT_EQ(w->lease_ms, 30000);
  EXPECT_EQ(w->heartbeat_ms, 10000);

  auto d = ParseServerMessage(FormatDesired("admin_password", 7, R"({"hash":"$argon2id$x"})"));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->type, "desired");
  EXPECT_EQ(d->facet, "admin_password");
  EXPECT_EQ(d->generation, 7);
  EXPECT_EQ(d->value_json, R"({"hash":"$argon2id$x"})");

  auto bad_value = ParseServerMessage(FormatDesired("reboot", 1, "not json"));
  ASSERT_TRUE(bad_value.has_value());
  EXPECT_EQ(bad_value->value_json, "{}");

  auto e = ParseServerMessage(FormatError(kErrAuthFailed));
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->type, "error");
  EXPECT_EQ(e->code, "AuthFailed");
  EXPECT_EQ(FormatError(kErrAuthFailed), R"({"type":"error","code":"AuthFailed"})");
}

TEST(FacetTest, KnownFacets) {
  EXPECT_TRUE(IsKnownFacet("admin_password"));
  EXPECT_TRUE(IsKnownFacet("reboot"));
  EXPECT_TRUE(IsKnownFacet("firmware"));
  EXPECT_TRUE(IsKnownFacet("dpi"));
  EXPECT_FALSE(IsKnownFacet("Reboot"));
  EXPECT_FALSE(IsKnownFacet(""));
}

}  // namespace
}  // namespace sag::device
