// Uploads through the listener: authorized from the header before any body byte is read, streamed
// into a file while hashed, capped in number.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "api/http_server.h"
#include "api/raw_http.h"
#include "api/upload_file.h"
#include "common/crypto.h"

namespace sag::api {
namespace {

namespace fs = std::filesystem;
using testing::RawClient;

HttpResponse Status(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "text/plain");
  r.body = std::move(body);
  return r;
}

// A listener whose uploads are requests to "/upload"; "/refuse" uploads are refused from their
// header. A completed upload is answered with what the handler saw of its file.
class UploadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sag-upload-test-" + HexEncode(RandomBytes(6)));
    options_.port = 0;
    options_.upload.dir = dir_.string();
    options_.upload.limit = 64 << 20;
    options_.upload.is_upload = [](const WireRequest& header) {
      return header.target().starts_with("/upload") || header.target() == "/refuse";
    };
    options_.upload.authorize = [this](const HttpRequest& header) {
      ++authorized_;
      if (!header.body.empty()) return UploadDecision{Status(500, "body read before"), nullptr};
      if (header.target == "/refuse") return UploadDecision{Status(403, "refused"), nullptr};
      return UploadDecision{
          std::nullopt, [this](HttpRequest req, Responder respond) {
            const BodyFile& f = *req.body_file;
            std::lock_guard lock(mu_);
            seen_path_ = f.path();
            seen_on_disk_ = fs::exists(f.path()) && fs::file_size(f.path()) == f.size();
            respond(Status(200, std::to_string(f.size()) + " " + f.sha256_hex() + " " + req.body));
          }};
    };
  }
  void TearDown() override {
    if (server_) server_->Stop();
    fs::remove_all(dir_);
  }

  void Start() {
    server_ = std::make_unique<HttpServer>(
        options_, [](const HttpRequest&) { return Status(200, "not an upload"); },
        [](const HttpRequest&) { return Status(413, "too large"); });
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
  }

  static std::string Post(const std::string& target, size_t length, const std::string& extra = "") {
    return "POST " + target + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(length) +
           "\r\n" + extra + "\r\n";
  }

  // Files left in the upload directory.
  size_t FilesLeft() const {
    if (!fs::exists(dir_)) return 0;
    return static_cast<size_t>(std::distance(fs::directory_iterator(dir_), {}));
  }

  fs::path dir_;
  HttpServerOptions options_;
  std::unique_ptr<HttpServer> server_;
  std::atomic<int> authorized_{0};
  std::mutex mu_;
  std::string seen_path_;
  bool seen_on_disk_ = false;
};

TEST_F(UploadTest, ABodyIsStreamedToAFileWithItsSizeAndHash) {
  Start();
  std::string body;
  for (int i = 0; i < 300000; ++i) body += static_cast<char>('a' + i % 26);
  RawClient c(server_->port());
  ASSERT_TRUE(c.Send(Post("/upload", body.size()) + body));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->body,
            std::to_string(body.size()) + " " + Sha256Hex(body) + " ");  // no body in memory
  std::lock_guard lock(mu_);
  EXPECT_TRUE(seen_on_disk_);
  EXPECT_EQ(fs::path(seen_path_).parent_path(), dir_);
  // The file goes with the request, once the handler returned.
  testing::WaitUntil([&] { return !fs::exists(seen_path_); });
  EXPECT_FALSE(fs::exists(seen_path_));
}

TEST_F(UploadTest, AChunkedUploadWorksToo) {
  Start();
  RawClient c(server_->port());
  ASSERT_TRUE(
      c.Send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
             "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "5 " + Sha256Hex("abcde") + " ");
}

// The refusal comes while the client has sent nothing of its (announced 60 MiB) body.
TEST_F(UploadTest, AnUploadIsRefusedFromItsHeaderBeforeAnyBodyByte) {
  Start();
  RawClient c(server_->port());
  ASSERT_TRUE(c.Send(Post("/refuse", 60 << 20)));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 403u);
  EXPECT_EQ(r->body, "refused");
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(c.ClosedByPeer());
  EXPECT_EQ(FilesLeft(), 0u);
}

TEST_F(UploadTest, ABodyOverTheUploadLimitIs413WithoutAuthorization) {
  Start();
  RawClient c(server_->port());
  ASSERT_TRUE(c.Send(Post("/upload", (64 << 20) + 1)));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413u);
  EXPECT_EQ(authorized_.load(), 0);
}

TEST_F(UploadTest, UploadsBeyondTheCapAreThrottledUntilOneFinishes) {
  options_.upload.max_concurrent = 1;
  Start();
  RawClient first(server_->port());
  ASSERT_TRUE(first.Send(Post("/upload-1", 10) + "01234"));  // half its body: holds the slot
  ASSERT_TRUE(testing::WaitUntil([&] { return server_->uploads() == 1; }));
  RawClient second(server_->port());
  ASSERT_TRUE(second.Send(Post("/upload-2", 3) + "abc"));
  auto throttled = second.ReadResponse();
  ASSERT_TRUE(throttled.has_value());
  EXPECT_EQ(throttled->status, 400u);
  EXPECT_EQ(throttled->Header("x-acs-retry-after"), "1000");
  auto body = boost::json::parse(throttled->body).as_object();
  EXPECT_EQ(body.at("Code").as_string(), "Throttling");
  EXPECT_EQ(body.at("Message").as_string(), "Request was denied due to request throttling.");

  ASSERT_TRUE(first.Send("56789"));
  auto done = first.ReadResponse();
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->body, "10 " + Sha256Hex("0123456789") + " ");
  ASSERT_TRUE(testing::WaitUntil([&] { return server_->uploads() == 0; }));
  RawClient third(server_->port());
  ASSERT_TRUE(third.Send(Post("/upload-3", 3) + "xyz"));
  auto again = third.ReadResponse();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->status, 200u);
}

TEST_F(UploadTest, ExpectContinueIsAnsweredOnceTheUploadIsAuthorized) {
  Start();
  RawClient c(server_->port());
  ASSERT_TRUE(c.Send(Post("/upload", 3, "Expect: 100-continue\r\n")));
  auto interim = c.ReadResponse();
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status, 100u);
  ASSERT_TRUE(c.Send("abc"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "3 " + Sha256Hex("abc") + " ");
}

TEST_F(UploadTest, AnUploadCutOffMidwayLeavesNoFile) {
  Start();
  {
    RawClient c(server_->port());
    ASSERT_TRUE(c.Send(Post("/upload", 1000) + "only a part"));
    ASSERT_TRUE(testing::WaitUntil([&] { return server_->uploads() == 1; }));
  }  // the client goes away
  testing::WaitUntil([&] { return server_->uploads() == 0 && FilesLeft() == 0; });
  EXPECT_EQ(server_->uploads(), 0);
  EXPECT_EQ(FilesLeft(), 0u);
}

}  // namespace
}  // namespace sag::api
