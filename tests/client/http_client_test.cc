#include "client/http_client.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

namespace sag::client {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

TEST(ParseEndpointTest, HostAndPort) {
  auto e = ParseEndpoint("http://127.0.0.1:8086");
  ASSERT_TRUE(e.has_value()) << e.error();
  EXPECT_EQ(e->host, "127.0.0.1");
  EXPECT_EQ(e->port, 8086);
  EXPECT_EQ(e->authority, "127.0.0.1:8086");
  EXPECT_EQ(e->Url(), "http://127.0.0.1:8086");
}

TEST(ParseEndpointTest, TrailingSlashSchemeCaseAndNoScheme) {
  auto a = ParseEndpoint("http://localhost:9000/");
  ASSERT_TRUE(a.has_value()) << a.error();
  EXPECT_EQ(a->host, "localhost");
  EXPECT_EQ(a->port, 9000);
  auto b = ParseEndpoint("HTTP://example.com");
  ASSERT_TRUE(b.has_value()) << b.error();
  EXPECT_EQ(b->host, "example.com");
  EXPECT_EQ(b->port, 80);
  EXPECT_EQ(b->authority, "example.com");
  auto c = ParseEndpoint("10.0.0.1:1234");
  ASSERT_TRUE(c.has_value()) << c.error();
  EXPECT_EQ(c->host, "10.0.0.1");
  EXPECT_EQ(c->port, 1234);
}

TEST(ParseEndpointTest, Ipv6InBrackets) {
  auto e = ParseEndpoint("http://[::1]:8086");
  ASSERT_TRUE(e.has_value()) << e.error();
  EXPECT_EQ(e->host, "::1");
  EXPECT_EQ(e->port, 8086);
  EXPECT_EQ(e->authority, "[::1]:8086");
  auto f = ParseEndpoint("http://[fe80::2]");
  ASSERT_TRUE(f.has_value()) << f.error();
  EXPECT_EQ(f->host, "fe80::2");
  EXPECT_EQ(f->port, 80);
}

TEST(ParseEndpointTest, Rejects) {
  for (const char* bad :
       {"", "http://", "https://", "ftp://h:1", "http://h:0", "http://h:65536",
        "http://h:", "http://h:12x", "http://:80", "http://h:80/path", "http://h:80/?a=b",
        "http://user@h:80", "http://::1:80", "http://[::1", "http://[::1]x", "http://[]:80"}) {
    auto e = ParseEndpoint(bad);
    EXPECT_FALSE(e.has_value()) << bad;
    if (!e.has_value()) {
      EXPECT_NE(e.error().find("invalid endpoint"), std::string::npos);
    }
  }
}

TEST(HttpResultTest, HeaderIsCaseInsensitive) {
  HttpResult r;
  r.headers = {{"Content-Type", "application/json"}, {"x-acs-request-id", "ABC"}};
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(r.Header("X-Acs-Request-Id"), "ABC");
  EXPECT_EQ(r.Header("missing"), "");
}

// A one-thread server that answers `per_connection[i]` requests on its i-th connection, then
// closes that connection (as a server closing an idle keep-alive connection does).
class TinyServer {
 public:
  explicit TinyServer(std::vector<int> per_connection)
      : acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this, per_connection] {
      for (int count : per_connection) {
        tcp::socket socket(ioc_);
        acceptor_.accept(socket);
        ++connections_;
        boost::beast::flat_buffer buffer;
        for (int n = 0; n < count; ++n) {
          http::request<http::string_body> req;
          boost::system::error_code ec;
          http::read(socket, buffer, req, ec);
          if (ec) break;
          http::response<http::string_body> res(http::status::ok, 11);
          res.set(http::field::content_type, "text/plain");
          res.body() = std::string(req.method_string()) + " " + std::string(req.target()) + " " +
                       req.body() + " host=" + std::string(req[http::field::host]);
          res.keep_alive(true);
          res.prepare_payload();
          http::write(socket, res, ec);
          if (ec) break;
        }
        boost::system::error_code ignored;
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        socket.close(ignored);
      }
    });
  }
  ~TinyServer() { thread_.join(); }
  uint16_t port() const { return port_; }
  int connections() const { return connections_; }

 private:
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<int> connections_{0};
  std::thread thread_;
};

TEST(HttpConnectionTest, KeepAliveThenReconnectAfterServerClose) {
  auto server = std::make_unique<TinyServer>(std::vector<int>{2, 1});
  auto endpoint = ParseEndpoint("http://127.0.0.1:" + std::to_string(server->port()));
  ASSERT_TRUE(endpoint.has_value());
  HttpConnection conn(*endpoint, std::chrono::seconds(5));

  auto r1 = conn.Send("POST", "/", {{"Content-Type", "text/plain"}}, "one");
  ASSERT_TRUE(r1.has_value()) << r1.error();
  EXPECT_EQ(r1->status, 200u);
  EXPECT_EQ(r1->body, "POST / one host=" + endpoint->authority);
  EXPECT_EQ(r1->Header("content-type"), "text/plain");

  auto r2 = conn.Send("GET", "/?a=1", {}, "");
  ASSERT_TRUE(r2.has_value()) << r2.error();
  EXPECT_EQ(r2->body, "GET /?a=1  host=" + endpoint->authority);

  // The server closed connection 1 after two requests; the third goes through a reconnect.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto r3 = conn.Send("POST", "/", {{"Host", "custom:1"}}, "three");
  ASSERT_TRUE(r3.has_value()) << r3.error();
  EXPECT_EQ(r3->body, "POST / three host=custom:1");
  EXPECT_EQ(server->connections(), 2);
  server.reset();  // joins: the server saw exactly two connections
}

TEST(HttpConnectionTest, UploadProgressGrowsToTheWholeRequestAndTheBodyArrivesWhole) {
  TinyServer server({1});
  auto endpoint = ParseEndpoint("http://127.0.0.1:" + std::to_string(server.port()));
  ASSERT_TRUE(endpoint.has_value());
  HttpConnection conn(*endpoint, std::chrono::seconds(10));
  std::vector<std::pair<uint64_t, uint64_t>> calls;
  conn.set_upload_progress(
      [&calls](uint64_t sent, uint64_t total) { calls.emplace_back(sent, total); });
  const std::string body(900 * 1024, 'b');  // under the test server's 1 MB body limit
  auto r = conn.Send("POST", "/", {}, body);
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->body, "POST / " + body + " host=" + endpoint->authority);
  ASSERT_GE(calls.size(), 2u);
  EXPECT_EQ(calls.front().first, 0u);
  const uint64_t total = calls.front().second;
  EXPECT_GT(total, body.size());  // the header counts too
  for (size_t i = 1; i < calls.size(); ++i) {
    EXPECT_GE(calls[i].first, calls[i - 1].first);
    EXPECT_EQ(calls[i].second, total);
  }
  EXPECT_EQ(calls.back().first, total);
}

TEST(HttpConnectionTest, ConnectRefusedIsAnError) {
  uint16_t port = 0;
  {
    asio::io_context ioc;
    tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = acceptor.local_endpoint().port();
  }
  auto endpoint = ParseEndpoint("http://127.0.0.1:" + std::to_string(port));
  ASSERT_TRUE(endpoint.has_value());
  HttpConnection conn(*endpoint, std::chrono::seconds(2));
  auto r = conn.Send("GET", "/", {}, "");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("cannot connect to http://127.0.0.1:"), std::string::npos) << r.error();
  EXPECT_FALSE(conn.is_open());
}

TEST(HttpConnectionTest, TimesOutWhenServerDoesNotAnswer) {
  asio::io_context ioc;
  tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  auto endpoint =
      ParseEndpoint("http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()));
  ASSERT_TRUE(endpoint.has_value());
  HttpConnection conn(*endpoint, std::chrono::milliseconds(200));
  // The kernel completes the handshake (backlog); nobody ever answers.
  auto r = conn.Send("GET", "/", {}, "");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("timed out"), std::string::npos) << r.error();
}

}  // namespace
}  // namespace sag::client
