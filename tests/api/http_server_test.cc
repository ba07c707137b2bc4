// The listener over real loopback sockets: keep-alive, the body limit, and graceful drain.
#include "api/http_server.h"

#include <condition_variable>
#include <future>
#include <mutex>

#include <gtest/gtest.h>

#include "client/http_client.h"

namespace sag::api {
namespace {

HttpResponse Text(std::string body) {
  HttpResponse r;
  r.headers.emplace_back("Content-Type", "text/plain");
  r.body = std::move(body);
  return r;
}

HttpServerOptions PortZero() {
  HttpServerOptions o;
  o.port = 0;
  return o;
}

client::Endpoint Local(uint16_t port) {
  return *client::ParseEndpoint("http://127.0.0.1:" + std::to_string(port));
}

TEST(HttpServerTest, ServesSeveralRequestsOnOneKeepAliveConnection) {
  HttpServer server(
      PortZero(), [](const HttpRequest& r) { return Text(r.method + r.target); },
      [](const HttpRequest&) {
        return HttpResponse{413, {}, ""};
      });
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  client::HttpConnection conn(Local(server.port()));
  for (int i = 0; i < 3; ++i) {
    auto r = conn.Send("POST", "/?i=" + std::to_string(i), {}, "");
    ASSERT_TRUE(r.has_value()) << r.error();
    EXPECT_EQ(r->status, 200u);
    EXPECT_EQ(r->body, "POST/?i=" + std::to_string(i));
  }
  server.Stop();
}

TEST(HttpServerTest, BodyOverTheLimitGetsTheTooLargeAnswer) {
  HttpServerOptions options;
  options.port = 0;
  options.body_limit = 1024;
  HttpServer server(
      options, [](const HttpRequest&) { return Text("ok"); },
      [](const HttpRequest&) {
        return HttpResponse{413, {}, "too large"};
      });
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  client::HttpConnection conn(Local(server.port()));
  auto r = conn.Send("POST", "/", {}, std::string(2048, 'x'));
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->status, 413u);
  EXPECT_EQ(r->body, "too large");
  server.Stop();
}

// Regression: once Stop() closed the acceptor, a request still on a worker left the network
// threads with no work; they exited and the response was never written.
TEST(HttpServerTest, StopStillWritesTheResponseOfARequestOnAWorker) {
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false;
  bool release = false;
  HttpServer server(
      PortZero(),
      [&](const HttpRequest&) {
        std::unique_lock lock(mu);
        entered = true;
        cv.notify_all();
        cv.wait(lock, [&] { return release; });
        return Text("finished");
      },
      [](const HttpRequest&) {
        return HttpResponse{413, {}, ""};
      });
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  auto response = std::async(std::launch::async, [&] {
    client::HttpConnection conn(Local(server.port()));
    return conn.Send("GET", "/", {}, "");
  });
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return entered; });
  }
  auto stopped = std::async(std::launch::async, [&] { server.Stop(std::chrono::seconds(30)); });
  // Wait until the acceptor is really closed: new connections are refused.
  for (int i = 0; i < 5000; ++i) {
    client::HttpConnection probe(Local(server.port()), std::chrono::milliseconds(200));
    if (!probe.Connect().has_value()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  auto r = response.get();
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->body, "finished");
  stopped.get();
  EXPECT_EQ(server.in_flight(), 0);
}

// A suspended call: the handler returns at once, keeping the responder; the response is written
// when another thread completes it, while the worker is free to serve other requests.
TEST(HttpServerTest, ASuspendedCallIsAnsweredWhenCompletedFromAnotherThread) {
  std::mutex mu;
  std::condition_variable cv;
  Responder parked;
  HttpServerOptions options = PortZero();
  options.worker_threads = 1;
  HttpServer server(options, AsyncRequestHandler([&](HttpRequest req, Responder respond) {
                      if (req.target == "/park") {
                        std::lock_guard lock(mu);
                        parked = std::move(respond);
                        cv.notify_all();
                        return;
                      }
                      respond(Text("served " + req.target));
                    }),
                    [](const HttpRequest&) {
                      return HttpResponse{413, {}, ""};
                    });
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  auto suspended = std::async(std::launch::async, [&] {
    client::HttpConnection conn(Local(server.port()));
    return conn.Send("GET", "/park", {}, "");
  });
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return parked != nullptr; });
  }
  // The only worker is not held by the parked call.
  client::HttpConnection other(Local(server.port()));
  auto r = other.Send("GET", "/other", {}, "");
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->body, "served /other");
  // The other request stops counting once its write completed, which may be just after the client
  // read the answer; the parked call counts until it is answered.
  for (int i = 0; i < 10000 && server.in_flight() != 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(server.in_flight(), 1);
  std::thread completer([&] {
    std::lock_guard lock(mu);
    parked(Text("completed later"));
    parked(Text("a second completion is ignored"));
  });
  completer.join();
  auto s = suspended.get();
  ASSERT_TRUE(s.has_value()) << s.error();
  EXPECT_EQ(s->body, "completed later");
  server.Stop();
  EXPECT_EQ(server.in_flight(), 0);
}

// A responder dropped without an answer closes the connection and stops counting as in flight.
TEST(HttpServerTest, ADroppedResponderClosesTheConnection) {
  HttpServer server(PortZero(), AsyncRequestHandler([](HttpRequest, Responder) {}),
                    [](const HttpRequest&) {
                      return HttpResponse{413, {}, ""};
                    });
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  client::HttpConnection conn(Local(server.port()));
  auto r = conn.Send("GET", "/", {}, "");
  EXPECT_FALSE(r.has_value());
  for (int i = 0; i < 10000 && server.in_flight() != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(server.in_flight(), 0);
  server.Stop();
}

}  // namespace
}  // namespace sag::api
