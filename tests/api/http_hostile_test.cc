// The listener against hostile bytes over raw loopback sockets: whatever a client sends, the
// process lives, other clients are served, and a malformed request gets the error envelope.
#include <atomic>
#include <memory>
#include <stdexcept>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "api/http_server.h"
#include "api/raw_http.h"

namespace sag::api {
namespace {

using testing::RawClient;
using testing::RawResponse;
using namespace std::string_literals;

HttpResponse Text(std::string body) {
  HttpResponse r;
  r.headers.emplace_back("Content-Type", "text/plain");
  r.body = std::move(body);
  return r;
}

// A started server answering "ok <target>" to every request.
class Listener {
 public:
  explicit Listener(HttpServerOptions options = {}) {
    options.port = 0;
    server_ = std::make_unique<HttpServer>(
        std::move(options), [](const HttpRequest& r) { return Text("ok " + r.target); },
        [](const HttpRequest&) {
          return HttpResponse{413, {}, "too large"};
        });
  }
  HttpServer& server() { return *server_; }
  uint16_t port() const { return server_->port(); }
  void Start() {
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
  }

  // A well-formed request on a new connection is answered.
  void ExpectServed() {
    RawClient c(port());
    ASSERT_TRUE(c.Send("GET /still-here HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200u);
    EXPECT_EQ(r->body, "ok /still-here");
  }

 private:
  std::unique_ptr<HttpServer> server_;
};

// The listener's own refusal: exactly this status, Code and Message in the JSON envelope, and the
// connection closes after it.
void ExpectRefusal(RawClient& c, unsigned status, const std::string& code,
                   const std::string& message) {
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value()) << "no answer";
  EXPECT_EQ(r->status, status);
  EXPECT_EQ(r->Header("content-type"), "application/json;charset=utf-8");
  EXPECT_EQ(r->Header("connection"), "close");
  auto body = boost::json::parse(r->body).as_object();
  EXPECT_EQ(body.at("Code").as_string(), code);
  EXPECT_EQ(body.at("Message").as_string(), message);
  EXPECT_EQ(body.at("RequestId").as_string(), r->Header("x-acs-request-id"));
  EXPECT_EQ(body.at("HostId").as_string(), "smartag.aliyuncs.com");
  EXPECT_TRUE(c.ClosedByPeer());
}

constexpr char kHeaderTooLarge[] = "The request header fields are larger than the service accepts.";

std::string TrailerBomb(std::string_view start_line_and_fields) {
  return std::string(start_line_and_fields) +
         "Transfer-Encoding: chunked\r\n\r\n0\r\nX-T: " + std::string(65534, 'a') + "\r\n\r\n";
}

// Regression: a chunked trailer field of 65,534 bytes or more made Beast throw
// std::length_error out of the network thread, which aborted sagd.
TEST(HttpHostileTest, ChunkedTrailerLargerThanAFieldIs431AndTheServerLives) {
  Listener l;
  l.Start();
  RawClient c(l.port());
  c.Send(TrailerBomb("POST / HTTP/1.1\r\nHost: x\r\n"));
  ExpectRefusal(c, 431, "RequestHeaderFieldsTooLarge", kHeaderTooLarge);
  l.ExpectServed();
}

TEST(HttpHostileTest, TrailerBombOnTheDeviceChannelPathIs431AndNeverReachesTheUpgrade) {
  Listener l;
  std::atomic<int> upgrades{0};
  l.server().SetUpgradeHandler("/device/v1/channel",
                               [&](boost::asio::ip::tcp::socket, WireRequest) { ++upgrades; });
  l.Start();
  RawClient c(l.port());
  c.Send(TrailerBomb(
      "GET /device/v1/channel HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"));
  ExpectRefusal(c, 431, "RequestHeaderFieldsTooLarge", kHeaderTooLarge);
  EXPECT_EQ(upgrades.load(), 0);
  l.ExpectServed();
}

TEST(HttpHostileTest, MalformedRequestsAreAnsweredInTheEnvelope) {
  struct Case {
    std::string name;
    std::string bytes;
    unsigned status;
    std::string code;
    std::string message;
  };
  const std::string bad = "The request is not valid HTTP/1.1: ";
  std::string many_fields = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 10000; ++i) many_fields += "A: b\r\n";
  const Case cases[] = {
      {"HTTP/9.9", "GET / HTTP/9.9\r\nHost: x\r\n\r\n", 400, "BadRequest",
       bad + "bad or unsupported HTTP version."},
      {"HTTP/0.9", "GET / HTTP/0.9\r\nHost: x\r\n\r\n", 400, "BadRequest",
       bad + "bad or unsupported HTTP version."},
      {"1 MB header", "GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(1 << 20, 'a') + "\r\n\r\n",
       431, "RequestHeaderFieldsTooLarge", kHeaderTooLarge},
      {"10,000 fields", many_fields + "\r\n", 431, "RequestHeaderFieldsTooLarge", kHeaderTooLarge},
      {"Content-Length abc", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400,
       "BadRequest", bad + "bad Content-Length."},
      {"two Content-Lengths",
       "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400,
       "BadRequest", bad + "bad Content-Length."},
      {"bad chunk size", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
       400, "BadRequest", bad + "bad chunk."},
      {"chunk extension bomb",
       "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;" +
           std::string(100000, 'e'),
       431, "RequestHeaderFieldsTooLarge", kHeaderTooLarge},
      {"bad method", "G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "BadRequest", bad + "bad method."},
      {"NUL in a field", "GET / HTTP/1.1\r\nHost: x\r\nA: \0\r\n\r\n"s, 400, "BadRequest",
       bad + "bad header field."},
      {"Content-Length over the limit",
       "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 268435456\r\n\r\n", 413, "", ""},
  };
  Listener l;
  l.Start();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    RawClient client(l.port());
    client.Send(c.bytes);
    if (c.status == 413) {  // rendered by the server's too-large handler
      auto r = client.ReadResponse();
      ASSERT_TRUE(r.has_value());
      EXPECT_EQ(r->status, 413u);
      EXPECT_EQ(r->body, "too large");
      continue;
    }
    ExpectRefusal(client, c.status, c.code, c.message);
  }
  l.ExpectServed();
}

TEST(HttpHostileTest, AnExceptionOnAConnectionClosesOnlyThatConnection) {
  Listener l;
  l.server().SetUpgradeHandler("/ws", [](boost::asio::ip::tcp::socket, WireRequest) {
    throw std::runtime_error("upgrade handler failed");
  });
  l.Start();
  RawClient c(l.port());
  c.Send(
      "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  EXPECT_TRUE(c.ClosedByPeer());
  l.ExpectServed();
}

TEST(HttpHostileTest, AConnectionThatSendsNothingIsClosedAtTheHeaderTimeout) {
  HttpServerOptions o;
  o.header_timeout = std::chrono::milliseconds(200);
  Listener l(o);
  l.Start();
  RawClient silent(l.port());
  EXPECT_TRUE(silent.ClosedByPeer());
}

TEST(HttpHostileTest, AHeaderTrickledByteByByteIsCutAtTheHeaderTimeout) {
  HttpServerOptions o;
  o.header_timeout = std::chrono::milliseconds(300);
  Listener l(o);
  l.Start();
  RawClient slow(l.port());
  // Bytes keep coming, but the header never completes: the deadline does not move.
  std::string header = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ";
  bool closed = false;
  for (size_t i = 0; i < 10000 && !closed; ++i) {
    closed = !slow.Send(std::string(1, header[std::min(i, header.size() - 1)])) ||
             !slow.SilentFor(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(closed);
  EXPECT_TRUE(slow.ClosedByPeer());
}

TEST(HttpHostileTest, ABodySlowerThanTheMinimumRateIsCut) {
  HttpServerOptions o;
  o.body_grace = std::chrono::milliseconds(200);
  o.min_body_rate = 1 << 20;  // 1 MiB/s: the 10 bytes sent buy no time beyond the grace
  Listener l(o);
  l.Start();
  RawClient slow(l.port());
  slow.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789");
  EXPECT_TRUE(slow.ClosedByPeer());
  l.ExpectServed();
}

TEST(HttpHostileTest, AtTheConnectionCapAcceptingWaitsUntilAConnectionCloses) {
  HttpServerOptions o;
  o.max_connections = 2;
  o.header_timeout = std::chrono::minutes(5);  // the two idle connections stay until closed
  Listener l(o);
  l.Start();
  auto a = std::make_unique<RawClient>(l.port());
  RawClient b(l.port());
  testing::WaitUntil([&] { return l.server().connections() >= 2; });
  ASSERT_EQ(l.server().connections(), 2);
  RawClient waiting(l.port());  // completes in the kernel's backlog
  ASSERT_TRUE(waiting.connected());
  ASSERT_TRUE(waiting.Send("GET /third HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_TRUE(waiting.SilentFor(std::chrono::milliseconds(300)));
  EXPECT_EQ(l.server().connections(), 2);
  a.reset();  // one closes: the third is accepted and served
  auto r = waiting.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "ok /third");
}

TEST(HttpHostileTest, AnOrdinaryBodyWithExpectContinueGets100ContinueFirst) {
  Listener l;
  l.Start();
  RawClient c(l.port());
  ASSERT_TRUE(c.Send(
      "POST /form HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = c.ReadResponse();
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status, 100u);
  ASSERT_TRUE(c.Send("a=b"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "ok /form");
}

}  // namespace
}  // namespace sag::api
