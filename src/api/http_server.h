// The HTTP listener (Boost.Beast): a small fixed number of network threads accept connections and
// read/write messages; each request is handed to a worker pool where the handler runs, and the
// response is written back on the connection's own strand when the handler (or whatever it handed
// the call to, e.g. a device's answer or a timer) completes it. Keep-alive and graceful drain on
// Stop(). Hostile input is bounded before anything is authenticated: header, buffer and body
// limits (api/http_framing.h), header and body-rate deadlines, a connection cap, uploads streamed
// to disk only once authorized, and accept failures (e.g. no descriptors left) retried on a timer.
// Malformed requests are answered in the error envelope (400/413/431) and the connection closed; an
// exception on a connection closes that connection only.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "api/http_framing.h"
#include "api/http_types.h"

namespace sag::api {

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

// A request the listener streams into a file instead of memory (an artifact upload) is decided
// from its header alone, before any byte of its body is read.
struct UploadDecision {
  // The answer to send instead of reading the body (the connection then closes); or, when empty,
  // the upload proceeds and `complete` handles the request once the whole body is in
  // request.body_file (on a worker thread, like an AsyncRequestHandler).
  std::optional<HttpResponse> refusal;
  AsyncRequestHandler complete;
};
// Decides on a worker thread (it may read the store) from the header-only request (no body).
// Must not throw.
using UploadAuthorizer = std::function<UploadDecision(const HttpRequest& header_only)>;

// Uploads: requests whose body goes to a file in dir, with their own size limit and a cap on how
// many run at once (beyond it the answer is Throttling, with x-acs-retry-after).
struct UploadOptions {
  // Whether a request is an upload, from its header (network thread; must not block). Null: no
  // request is.
  std::function<bool(const WireRequest& header)> is_upload;
  UploadAuthorizer authorize;
  std::string dir;                // where bodies are written ("<dir>/.upload-<random>")
  uint64_t limit = 256ull << 20;  // bytes; a larger body gets 413 RequestEntityTooLarge
  int max_concurrent = 2;         // uploads authorized and not yet answered
};

// Listener settings.
struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8086;  // 0 picks a free port
  int io_threads = 2;
  int worker_threads = 4;
  uint64_t body_limit = 1 << 20;  // bytes; a larger body gets 413 RequestEntityTooLarge
  FramingLimits framing;          // header and buffering bounds (larger: 431)
  // How long a keep-alive connection may wait for its next request's first byte, and the bound on
  // writing a response to a client that does not read.
  std::chrono::milliseconds idle_timeout{60000};
  // From a new connection (after its TLS handshake), or a request's first byte, to its complete
  // header.
  std::chrono::milliseconds header_timeout{10000};
  // A body must keep arriving at min_body_rate bytes/s on average; body_grace is allowed on top
  // (a body of n bytes must be complete body_grace + n / min_body_rate after its header).
  std::chrono::milliseconds body_grace{10000};
  uint64_t min_body_rate = 16 * 1024;
  std::chrono::seconds tls_handshake_timeout{10};
  // HTTP connections open at once (upgraded device channels no longer count). At the cap the
  // listener stops accepting until one closes; new connections wait in the kernel's backlog.
  int64_t max_connections = 10000;
  // A connection is accepted only while more than this many file descriptors would stay free
  // (for the store, artifact files and the process itself), so a flood of connections never
  // exhausts them; with fewer free, accepting waits.
  int descriptor_reserve = 32;
  // When accepting waits for descriptors, or an accept failed (e.g. none left), the listener
  // retries after this delay, and logs it at most once per accept_log_interval.
  std::chrono::milliseconds accept_retry_delay{50};
  std::chrono::milliseconds accept_log_interval{10000};
  UploadOptions upload;
  // When set, the listener speaks only TLS (api/tls_context.h); null serves plain HTTP.
  std::shared_ptr<boost::asio::ssl::context> tls;
};

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
  // HTTP connections open now (upgraded ones excluded), and uploads authorized and not answered.
  int64_t connections() const { return connections_.load(); }
  int uploads() const { return uploads_.load(); }

  // Releases one upload slot when destroyed.
  struct ReleaseUpload {
    void operator()(std::atomic<int>* uploads) const { uploads->fetch_sub(1); }
  };
  using UploadPermit = std::unique_ptr<std::atomic<int>, ReleaseUpload>;

  // Internal: used by sessions.
  // One of options().upload.max_concurrent slots, or null when all are taken (any thread).
  UploadPermit TryAcquireUpload();
  // A session began, or ended (any thread; the end may resume accepting at the connection cap).
  void OnConnectionOpened();
  void OnConnectionClosed();
  boost::asio::thread_pool& workers() { return workers_; }
  const HttpServerOptions& options() const { return options_; }
  const AsyncRequestHandler& handler() const { return handler_; }
  const TooLargeHandler& too_large_handler() const { return too_large_; }
  std::atomic<int64_t>& in_flight_counter() { return in_flight_; }
  const std::string& upgrade_path() const { return upgrade_path_; }
  const UpgradeHandler& upgrade_handler() const { return upgrade_handler_; }
  const TlsUpgradeHandler& tls_upgrade_handler() const { return tls_upgrade_handler_; }

 private:
  // On the acceptor's strand.
  void Accept();
  bool BelowConnectionCap();
  // Whether more than options_.descriptor_reserve descriptors are free.
  bool DescriptorsToSpare();
  // Logs why accepting waits (at most once per interval) and retries after the delay.
  void RetryAcceptLater(const std::string& why);
  // A network thread: runs io_ until it stops; a handler that throws is logged and only its own
  // connection is lost.
  void RunNetworkThread();

  // Declared before io_: sessions destroyed with io_ still count down.
  std::atomic<int64_t> connections_{0};
  std::atomic<bool> accept_paused_{false};
  std::atomic<int> uploads_{0};
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
  // On the acceptor's strand: the retry after a failed accept, and the failure log's rate limit.
  boost::asio::steady_timer accept_timer_;
  std::chrono::steady_clock::time_point next_accept_log_{};
  int64_t unlogged_accept_failures_ = 0;
  boost::asio::thread_pool workers_;
  std::vector<std::thread> io_threads_;
  uint16_t port_ = 0;
  std::atomic<int64_t> in_flight_{0};
  std::atomic<bool> draining_{false};
  std::atomic<bool> stopped_{false};
};

}  // namespace sag::api
