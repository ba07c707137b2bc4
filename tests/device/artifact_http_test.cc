// Range parsing and artifact serving (device/artifact_http.h) against a real SQLite store.
#include "device/artifact_http.h"

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "common/crypto.h"
#include "ops/artifacts.h"
#include "store/sqlite/sqlite_store.h"

namespace sag::device {
namespace {

using Kind = RangeRequest::Kind;

TEST(ParseRangeTest, SingleRanges) {
  RangeRequest r = ParseRange("bytes=0-99", 1000);
  EXPECT_EQ(r.kind, Kind::kPartial);
  EXPECT_EQ(r.first, 0);
  EXPECT_EQ(r.last, 99);
  r = ParseRange("bytes=500-", 1000);
  EXPECT_EQ(r.kind, Kind::kPartial);
  EXPECT_EQ(r.first, 500);
  EXPECT_EQ(r.last, 999);
  r = ParseRange("bytes=-10", 1000);
  EXPECT_EQ(r.kind, Kind::kPartial);
  EXPECT_EQ(r.first, 990);
  EXPECT_EQ(r.last, 999);
  r = ParseRange("bytes=-5000", 1000);  // a suffix longer than the file is the whole file
  EXPECT_EQ(r.kind, Kind::kPartial);
  EXPECT_EQ(r.first, 0);
  EXPECT_EQ(r.last, 999);
  r = ParseRange("bytes=900-5000", 1000);  // the end is clamped
  EXPECT_EQ(r.kind, Kind::kPartial);
  EXPECT_EQ(r.last, 999);
  r = ParseRange(" bytes=1-1 ", 1000);
  EXPECT_EQ(r.kind, Kind::kPartial);
  EXPECT_EQ(r.first, 1);
  EXPECT_EQ(r.last, 1);
}

TEST(ParseRangeTest, Unsatisfiable) {
  EXPECT_EQ(ParseRange("bytes=1000-", 1000).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=1000-2000", 1000).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=-0", 1000).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=0-", 0).kind, Kind::kUnsatisfiable);
}

TEST(ParseRangeTest, IgnoredHeadersServeTheWholeFile) {
  for (const char* h : {"", "bytes = 1-1", "items=0-1", "bytes=5-1", "bytes=a-b", "bytes=0-1,5-6",
                        "bytes=-", "bytes=--1", "bytes=99999999999999999999-"}) {
    SCOPED_TRACE(h);
    EXPECT_EQ(ParseRange(h, 1000).kind, Kind::kWhole);
  }
}

class ServeArtifactTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sag-artifacts-" + HexEncode(RandomBytes(6)));
    auto s = store::SqliteStore::Open(":memory:");
    ASSERT_TRUE(s.has_value());
    store_ = std::move(*s);
    bytes_ = RandomBytes(5000);
    auto sha = ops::StoreArtifact(dir_.string(), bytes_);
    ASSERT_TRUE(sha.has_value()) << sha.error();
    sha_ = *sha;
    EXPECT_EQ(sha_, Sha256Hex(bytes_));
    store::DeviceRecord d;
    d.serial_number = "sn-1";
    d.hardware_model = "sag-1000";
    d.sealed_secret = "x";
    ASSERT_TRUE(store_->RegisterDevice(d).has_value());
    config_ = {dir_.string(), "token-key"};
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Assign(std::string_view state) {
    store::UpgradeRecord u;
    u.id = "up-1";
    u.serial_number = "sn-1";
    u.version_type = "Device";
    u.version_code = "2.1.0";
    u.sha256 = sha_;
    u.state = store::ParseUpgradeState(state).value();
    ASSERT_TRUE(store_->CreateUpgrades({u}).has_value());
  }

  api::HttpResponse Get(const std::string& range, const std::string& token = "") {
    api::HttpRequest req;
    req.method = "GET";
    req.target = ops::ArtifactUrl("token-key", "sn-1", sha_);
    if (!token.empty()) req.target = req.target.substr(0, req.target.find("token=") + 6) + token;
    if (!range.empty()) req.headers.emplace("range", range);
    return ServeArtifact(req, *store_, config_);
  }

  static store::UpgradeChange Change(const std::string& state) {
    store::UpgradeChange c;
    c.state = store::ParseUpgradeState(state).value();
    c.now_ms = 1;
    return c;
  }

  static std::string Header(const api::HttpResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteStore> store_;
  std::string bytes_;
  std::string sha_;
  ArtifactHttpConfig config_;
};

TEST_F(ServeArtifactTest, OnlyADeviceWithTheUpgradeInFlightGetsIt) {
  EXPECT_EQ(Get("").status, 403);  // no upgrade at all
  Assign("Queued");
  EXPECT_EQ(Get("").status, 403);  // not dispatched yet
  ASSERT_TRUE(store_->AdvanceUpgrade("up-1", Change("Downloading")).has_value());
  EXPECT_EQ(Get("").status, 200);
  EXPECT_EQ(Get("", std::string(64, '0')).status, 403);  // forged token
  ASSERT_TRUE(store_->AdvanceUpgrade("up-1", Change("Failed")).has_value());
  EXPECT_EQ(Get("").status, 403);  // finished
}

TEST_F(ServeArtifactTest, RangesAre206Or416) {
  Assign("Dispatched");
  api::HttpResponse whole = Get("");
  EXPECT_EQ(whole.status, 200);
  EXPECT_EQ(whole.body, bytes_);
  EXPECT_EQ(Header(whole, "Accept-Ranges"), "bytes");
  api::HttpResponse part = Get("bytes=1000-1999");
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, bytes_.substr(1000, 1000));
  EXPECT_EQ(Header(part, "Content-Range"), "bytes 1000-1999/5000");
  api::HttpResponse rest = Get("bytes=4990-");
  EXPECT_EQ(rest.status, 206);
  EXPECT_EQ(rest.body, bytes_.substr(4990));
  api::HttpResponse beyond = Get("bytes=5000-");
  EXPECT_EQ(beyond.status, 416);
  EXPECT_EQ(Header(beyond, "Content-Range"), "bytes */5000");
  EXPECT_TRUE(beyond.body.empty());
}

}  // namespace
}  // namespace sag::device
