// The HTTP listener (Boost.Beast): a small fixed number of network threads accept connections and
// read/write messages; each request is handed to a worker pool where the handler runs, and the
// response is written back on the connection's own strand when the handler (or whatever it handed
// the call to, e.g. a device's answer or a timer) completes it. Keep-alive, a body size limit,
// idle timeouts and graceful drain on Stop().
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "api/http_types.h"

namespace sag::api {

// Listener settings.
struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8086;  // 0 picks a free port
  int io_threads = 2;
  int worker_threads = 4;
  uint64_t body_limit = 1 << 20;  // bytes; a larger body gets 413 RequestEntityTooLarge
  // When set, called once a request's header is read (network thread; must not block): the body
  // limit for that request, or 0 for body_limit (e.g. a larger one for artifact uploads).
  std::function<uint64_t(const boost::beast::http::request<boost::beast::http::string_body>&)>
      body_limit_for;
  // The largest limit body_limit_for may return (the parser is prepared for it before the header
  // is known; a request then gets its own limit).
  uint64_t max_body_limit_for = 0;
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds tls_handshake_timeout{10};
  // When set, the listener speaks only TLS (api/tls_context.h); null serves plain HTTP.
  std::shared_ptr<boost::asio::ssl::context> tls;
};

// A TLS connection (with its handshake done).
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// Completes one request with its response. Call it exactly once, from any thread; it never blocks
// (the response is written on the connection's network strand). Destroying it uncalled closes the
// connection without an answer. An uncalled responder must not outlive the server: whoever holds a
// suspended call completes or drops it before the server is destroyed.
using Responder = std::function<void(HttpResponse)>;
// Handles one request on a worker thread and completes it through the responder, either before it
// returns or later from another thread (a suspended call). Must not throw.
using AsyncRequestHandler = std::function<void(HttpRequest, Responder)>;
// Handles one request on a worker thread and returns its response. Must not throw.
using RequestHandler = std::function<HttpResponse(const HttpRequest&)>;
// Takes over a connection whose request asked for a WebSocket upgrade on the registered path: the
// socket and the already-read request (runs on the connection's network strand; must not block).
using UpgradeHandler = std::function<void(
    boost::asio::ip::tcp::socket, boost::beast::http::request<boost::beast::http::string_body>)>;
// The same for a TLS listener: the TLS stream instead of the socket.
using TlsUpgradeHandler =
    std::function<void(TlsStream, boost::beast::http::request<boost::beast::http::string_body>)>;
// Renders the response for a request whose body exceeded the limit (runs on a worker thread).
using TooLargeHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, AsyncRequestHandler handler, TooLargeHandler too_large);
  // A server whose handler always answers before it returns.
  HttpServer(HttpServerOptions options, RequestHandler handler, TooLargeHandler too_large);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts the network threads. Returns false (with a message in *error) when the
  // address cannot be bound.
  bool Start(std::string* error);
  // Hands WebSocket upgrade requests for path (query ignored) to handler instead of the request
  // handler. Call before Start. Other requests, and non-upgrade requests for path, are unchanged.
  // tls_handler serves the upgrades of a TLS listener (without it they are refused).
  void SetUpgradeHandler(std::string path, UpgradeHandler handler,
                         TlsUpgradeHandler tls_handler = nullptr);
  // The bound port (after Start).
  uint16_t port() const { return port_; }
  // Stops accepting, lets in-flight requests finish (up to drain_timeout), closes idle
  // connections, and joins all threads. Idempotent.
  void Stop(std::chrono::milliseconds drain_timeout = std::chrono::seconds(10));

  // Requests currently being handled (read complete, response not yet written), suspended ones
  // included.
  int64_t in_flight() const { return in_flight_.load(); }
  // True once Stop() began; sessions stop reading further requests.
  bool draining() const { return draining_.load(); }

  // Internal: used by sessions.
  boost::asio::thread_pool& workers() { return workers_; }
  const HttpServerOptions& options() const { return options_; }
  const AsyncRequestHandler& handler() const { return handler_; }
  const TooLargeHandler& too_large_handler() const { return too_large_; }
  std::atomic<int64_t>& in_flight_counter() { return in_flight_; }
  const std::string& upgrade_path() const { return upgrade_path_; }
  const UpgradeHandler& upgrade_handler() const { return upgrade_handler_; }
  const TlsUpgradeHandler& tls_upgrade_handler() const { return tls_upgrade_handler_; }

 private:
  void Accept();

  HttpServerOptions options_;
  AsyncRequestHandler handler_;
  TooLargeHandler too_large_;
  std::string upgrade_path_;
  UpgradeHandler upgrade_handler_;
  TlsUpgradeHandler tls_upgrade_handler_;
  boost::asio::io_context io_;
  // Keeps the network threads running while requests sit on workers after the acceptor closed
  // (otherwise io_ would run out of work during a drain and never write their responses).
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> io_work_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::thread_pool workers_;
  std::vector<std::thread> io_threads_;
  uint16_t port_ = 0;
  std::atomic<int64_t> in_flight_{0};
  std::atomic<bool> draining_{false};
  std::atomic<bool> stopped_{false};
};

}  // namespace sag::api
