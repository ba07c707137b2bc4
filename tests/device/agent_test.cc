// Unit tests of the agent's own parts: the reconnect backoff and the persisted device state. Its
// messages and proof are the shared module's (tests/device/protocol_test.cc).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "device/agent/backoff.h"
#include "device/agent/device_state.h"

namespace sag::device::agent {
namespace {

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
  s.unapplied = {{"firmware", {2, "reverted"}}};
  s.config = {{"acl", R"({"acl_id":"acl-1","rules":[{"id":"acr-1","policy":"drop"}]})"}};
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
