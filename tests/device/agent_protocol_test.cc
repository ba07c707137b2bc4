// Unit tests of the device side of the device channel: proof, message shapes, parsing, backoff,
// and the persisted device state.
#include "device/agent/agent_protocol.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "device/agent/device_state.h"

namespace sag::device::agent {
namespace {

namespace json = boost::json;

// Vectors computed with:
//   printf 'sag-device-v1\nsage62x0219\n9f1c...1100' | openssl dgst -sha256 -hmac '<secret>'
TEST(AgentProofTest, MatchesOpenSslVectors) {
  EXPECT_EQ(
      ComputeProof("device-secret-0123456789", "sage62x0219", "9f1c0d2e3b4a59687766554433221100"),
      "02a900a1a11cdc2e40bb253c5054168bac1a3eea6986f34045eb0a5c263a6f5a");
  EXPECT_EQ(ComputeProof("abcdefghijklmnop", "SN1", "00000000000000000000000000000000"),
            "64e6265409a47b2283222ef4232c3cd5c5abec6c06be2c2291c6ae81fb9561aa");
}

TEST(AgentProofTest, DependsOnEveryInput) {
  const std::string base = ComputeProof("abcdefghijklmnop", "SN1", "00");
  EXPECT_NE(base, ComputeProof("abcdefghijklmnoq", "SN1", "00"));
  EXPECT_NE(base, ComputeProof("abcdefghijklmnop", "SN2", "00"));
  EXPECT_NE(base, ComputeProof("abcdefghijklmnop", "SN1", "01"));
  EXPECT_EQ(base.size(), 64u);
}

TEST(AgentMessagesTest, HelloWithProof) {
  HelloInfo info;
  info.serial_number = "sage62x0219";
  info.model = "sag-1000";
  info.firmware = "2.0.0";
  info.dpi = "1.0.0";
  info.boot_time_ms = 1795429990000;
  info.applied["admin_password"] = 3;
  info.proof = "5d7e";
  json::object o = json::parse(BuildHello(info)).as_object();
  EXPECT_EQ(o.at("type"), "hello");
  EXPECT_EQ(o.at("serial_number"), "sage62x0219");
  EXPECT_EQ(o.at("proof"), "5d7e");
  EXPECT_FALSE(o.contains("enroll_secret"));
  EXPECT_EQ(o.at("model"), "sag-1000");
  EXPECT_EQ(o.at("firmware"), "2.0.0");
  EXPECT_EQ(o.at("dpi"), "1.0.0");
  EXPECT_EQ(o.at("boot_time").as_int64(), 1795429990000);
  const json::object& applied = o.at("applied").as_object();
  EXPECT_EQ(applied.size(), 4u);
  EXPECT_EQ(applied.at("admin_password").as_int64(), 3);
  EXPECT_EQ(applied.at("reboot").as_int64(), 0);
  EXPECT_EQ(applied.at("firmware").as_int64(), 0);
  EXPECT_EQ(applied.at("dpi").as_int64(), 0);
}

TEST(AgentMessagesTest, HelloWithEnrollSecretHasNoProof) {
  HelloInfo info;
  info.serial_number = "SN1";
  info.enroll_secret = "0123456789abcdef";
  json::object o = json::parse(BuildHello(info)).as_object();
  EXPECT_EQ(o.at("enroll_secret"), "0123456789abcdef");
  EXPECT_FALSE(o.contains("proof"));
}

TEST(AgentMessagesTest, HeartbeatAndApplied) {
  EXPECT_EQ(json::parse(BuildHeartbeat()), json::parse(R"({"type":"heartbeat"})"));
  EXPECT_EQ(json::parse(BuildApplied("admin_password", 7, "ok")),
            json::parse(R"({"type":"applied","facet":"admin_password","generation":7,
                            "result":"ok"})"));
  EXPECT_EQ(json::parse(BuildApplied("firmware", 2, "failed", "refused")),
            json::parse(R"({"type":"applied","facet":"firmware","generation":2,
                            "result":"failed","detail":"refused"})"));
}

TEST(AgentParseTest, Challenge) {
  auto m = ParseServerMessage(
      R"({"type":"challenge","protocol":1,"nonce":"0123456789abcdef0123456789abcdef",)"
      R"("server_time":1795430000000,"extra":true})");
  ASSERT_TRUE(m) << m.error();
  const auto& c = std::get<Challenge>(*m);
  EXPECT_EQ(c.protocol, 1);
  EXPECT_EQ(c.nonce, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(c.server_time_ms, 1795430000000);
}

TEST(AgentParseTest, WelcomeDesiredErrorUnknown) {
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
  EXPECT_EQ(std::get<UnknownMessage>(*u).type, "news");
}

TEST(AgentParseTest, RejectsMalformed) {
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
  for (const char* text : bad) {
    EXPECT_FALSE(ParseServerMessage(text)) << text;
  }
}

TEST(AgentBackoffTest, BoundsFollowTheProtocol) {
  Backoff backoff;
  EXPECT_EQ(backoff.MaxWaitMs(0), 1000);
  EXPECT_EQ(backoff.MaxWaitMs(1), 2000);
  EXPECT_EQ(backoff.MaxWaitMs(5), 32000);
  EXPECT_EQ(backoff.MaxWaitMs(6), 60000);
  EXPECT_EQ(backoff.MaxWaitMs(100), 60000);
  std::mt19937_64 rng(42);
  for (int n = 1; n <= 40; ++n) {
    int64_t wait = backoff.NextWaitMs(rng);
    EXPECT_EQ(backoff.failures(), n);
    EXPECT_GE(wait, 0);
    EXPECT_LE(wait, std::min<int64_t>(60000, int64_t{1000} << std::min(n, 20)));
  }
}

TEST(AgentBackoffTest, JitterCoversTheRange) {
  Backoff backoff;
  std::mt19937_64 rng(7);
  int64_t lo = 60000;
  int64_t hi = 0;
  for (int i = 0; i < 2000; ++i) {
    backoff.Reset();
    for (int k = 0; k < 10; ++k) (void)backoff.NextWaitMs(rng);
    int64_t wait = backoff.NextWaitMs(rng);  // the 11th: cap 60 s
    lo = std::min(lo, wait);
    hi = std::max(hi, wait);
  }
  EXPECT_LT(lo, 3000);
  EXPECT_GT(hi, 57000);
}

TEST(AgentBackoffTest, ResetRule) {
  Backoff backoff;
  std::mt19937_64 rng(1);
  for (int i = 0; i < 5; ++i) (void)backoff.NextWaitMs(rng);
  backoff.OnSessionEnded(30000, 30000);  // not longer than one lease: keeps counting
  EXPECT_EQ(backoff.failures(), 5);
  backoff.OnSessionEnded(30001, 30000);
  EXPECT_EQ(backoff.failures(), 0);
  EXPECT_LE(backoff.NextWaitMs(rng), 2000);
}

class AgentStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sag-agent-state-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

DeviceState SampleState() {
  DeviceState s;
  s.serial_number = "SN000001";
  s.model = "sag-1000";
  s.firmware = "2.1.0";
  s.dpi = "1.0.3";
  s.boot_time_ms = 1795429990000;
  s.admin_password_hash = "$argon2id$v=19$m=65536,t=2,p=1$abc$def";
  s.applied = {{"admin_password", 3}, {"reboot", 1}, {"firmware", 2}, {"dpi", 0}};
  s.enrolled = true;
  return s;
}

TEST_F(AgentStateTest, RoundTrip) {
  const std::string path = StateFilePath(dir_, "SN000001");
  EXPECT_EQ(path, dir_ + "/SN000001.json");
  auto missing = LoadDeviceState(path);
  ASSERT_TRUE(missing) << missing.error();
  EXPECT_FALSE(missing->has_value());

  DeviceState s = SampleState();
  ASSERT_TRUE(SaveDeviceState(path, s));
  auto loaded = LoadDeviceState(path);
  ASSERT_TRUE(loaded) << loaded.error();
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ(**loaded, s);
  EXPECT_EQ((*loaded)->AppliedGeneration("firmware"), 2);
  EXPECT_EQ((*loaded)->AppliedGeneration("nothing"), 0);

  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(AgentStateTest, AtomicReplaceLeavesNoTemporaryFiles) {
  const std::string path = StateFilePath(dir_, "SN000001");
  DeviceState s = SampleState();
  for (int i = 1; i <= 20; ++i) {
    s.applied["admin_password"] = i;
    ASSERT_TRUE(SaveDeviceState(path, s));
    auto loaded = LoadDeviceState(path);
    ASSERT_TRUE(loaded && loaded->has_value());
    EXPECT_EQ((*loaded)->AppliedGeneration("admin_password"), i);
  }
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    ++files;
    EXPECT_EQ(entry.path().filename(), "SN000001.json");
  }
  EXPECT_EQ(files, 1);
}

TEST_F(AgentStateTest, FailedWriteKeepsThePreviousFile) {
  const std::string path = StateFilePath(dir_, "SN000001");
  ASSERT_TRUE(SaveDeviceState(path, SampleState()));
  // A directory in the way of the rename makes the write fail after the temp file was written.
  const std::string blocked = StateFilePath(dir_, "SN000002");
  std::filesystem::create_directory(blocked);
  std::ofstream(blocked + "/x") << "x";
  EXPECT_FALSE(SaveDeviceState(blocked, SampleState()));
  auto loaded = LoadDeviceState(path);
  ASSERT_TRUE(loaded && loaded->has_value());
  EXPECT_EQ(**loaded, SampleState());
  // The failed attempt left no temporary file behind.
  int files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir_)) ++files;
  EXPECT_EQ(files, 2);  // SN000001.json and the blocking directory
}

TEST_F(AgentStateTest, StateFileNeverHoldsTheSecretAndRejectsGarbage) {
  const std::string text = DeviceStateToJson(SampleState());
  EXPECT_EQ(text.find("secret"), std::string::npos);
  EXPECT_FALSE(DeviceStateFromJson("{}"));
  EXPECT_FALSE(DeviceStateFromJson("nope"));
  const std::string path = dir_ + "/bad.json";
  std::ofstream(path) << "{\"serial_number\":1}";
  EXPECT_FALSE(LoadDeviceState(path));
}

TEST(AgentStateNameTest, SafeSerialNumbers) {
  EXPECT_TRUE(IsSafeSerialNumber("sage62x0219"));
  EXPECT_TRUE(IsSafeSerialNumber("P000001"));
  EXPECT_FALSE(IsSafeSerialNumber(""));
  EXPECT_FALSE(IsSafeSerialNumber("../etc"));
  EXPECT_FALSE(IsSafeSerialNumber("a/b"));
  EXPECT_FALSE(IsSafeSerialNumber(".hidden"));
  EXPECT_FALSE(IsSafeSerialNumber(std::string(65, 'a')));
}

}  // namespace
}  // namespace sag::device::agent
