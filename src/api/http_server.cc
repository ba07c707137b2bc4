#include "api/http_server.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <fcntl.h>
#include <optional>
#include <sys/resource.h>
#include <type_traits>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "api/upload_file.h"
#include "common/log.h"

namespace sag::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

// The most one read asks for.
constexpr size_t kReadChunk = 16 * 1024;
// After a refusal the listener reads and drops what the client still sends, for at most this long
// and this many bytes, so that closing does not reset the connection before the client has read
// the answer.
constexpr std::chrono::seconds kLingerTime{2};
constexpr uint64_t kLingerBytes = 1 << 20;
// Told to a client refused for too many concurrent uploads (milliseconds).
constexpr std::string_view kUploadRetryAfterMs = "1000";

bool Expects100Continue(const WireRequest& header) {
  auto it = header.find(http::field::expect);
  return it != header.end() && beast::iequals(it->value(), "100-continue");
}

// Counts a connection toward the cap for as long as it lives.
class ConnectionSlot {
 public:
  explicit ConnectionSlot(HttpServer& server) : server_(server) { server_.OnConnectionOpened(); }
  ~ConnectionSlot() { server_.OnConnectionClosed(); }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

 private:
  HttpServer& server_;
};

// One connection: read a request, hand it to the workers (an upload is authorized first, then its
// body goes to a file), write the response, repeat. Stream is beast::tcp_stream (plain HTTP) or
// TlsStream (the TLS handshake runs first). Every step runs on the connection's strand, inside
// Guarded: an exception ends this connection only.
template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  Session(tcp::socket&& socket, HttpServer& server)
      : slot_(server),
        stream_(MakeStream(std::move(socket), server)),
        server_(server),
        limits_(server.options().framing),
        buffer_(MakeReadBuffer(limits_)) {
    beast::error_code ec;
    auto ep = Tcp().socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
  }
  void Run() {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      self->Guarded([&] {
        if constexpr (kTls) {
          self->Handshake();
        } else {
          self->StartRequest(/*first=*/true);
        }
      });
    });
  }

 private:
  // Where the connection is in its current request.
  enum class Phase {
    kWaiting,      // keep-alive: no byte of the next request yet
    kHeader,       // reading the header
    kBody,         // reading a body into memory
    kAuthorizing,  // an upload's header is on a worker; nothing is read meanwhile
    kUpload,       // reading an authorized upload's body into its file
    kHandling,     // the request is with the handler
    kClosing,
  };

  static Stream MakeStream(tcp::socket&& socket, HttpServer& server) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *server.options().tls);
    } else {
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }
  const HttpServerOptions& Options() const { return server_.options(); }

  // Runs one step of this connection; an exception is logged once and closes the connection.
  template <typename F>
  void Guarded(F&& step) {
    try {
      step();
    } catch (const std::exception& e) {
      Abandon(e.what());
    } catch (...) {
      Abandon("unknown exception");
    }
  }

  void Abandon(std::string_view what) {
    if (phase_ == Phase::kClosing) return;
    LogWarn("connection " + remote_ + " closed after an exception: " + std::string(what));
    phase_ = Phase::kClosing;
    CloseSocket();
  }

  // A completion handler taking Args for an operation of this connection: fn(session, args...)
  // runs Guarded.
  template <typename... Args, typename F>
  auto Step(F fn) {
    return [self = this->shared_from_this(), fn = std::move(fn)](Args... args) mutable {
      self->Guarded([&] { fn(*self, args...); });
    };
  }

  void Handshake() {
    Tcp().expires_after(Options().tls_handshake_timeout);
    stream_.async_handshake(asio::ssl::stream_base::server,
                            Step<beast::error_code>([](Session& self, beast::error_code ec) {
                              if (ec) {
                                Log(LogLevel::kDebug, "TLS handshake with " + self.remote_ +
                                                          " failed: " + ec.message());
                                return self.CloseSocket();
                              }
                              self.StartRequest(/*first=*/true);
                            }));
  }

  // ---- Reading a request ----

  void StartRequest(bool first) {
    if (server_.draining()) return Close();
    parser_.emplace();
    const UploadOptions& upload = Options().upload;
    ConfigureParser(
        *parser_, limits_,
        upload.is_upload ? std::max(Options().body_limit, upload.limit) : Options().body_limit);
    header_seen_ = false;
    if (first || buffer_.size() > 0) {
      BeginHeader();
    } else {
      phase_ = Phase::kWaiting;
      deadline_ = SteadyClock::now() + Options().idle_timeout;
    }
    Parse();
  }

  void BeginHeader() {
    phase_ = Phase::kHeader;
    deadline_ = SteadyClock::now() + Options().header_timeout;
  }

  void BeginBody(Phase phase) {
    phase_ = phase;
    body_start_ = SteadyClock::now();
    body_bytes_ = 0;
    deadline_ = body_start_ + Options().body_grace;
  }

  void ReadSome() {
    size_t room = limits_.buffer_limit - buffer_.size();  // > 0: FeedParser reports a full buffer
    Tcp().expires_at(deadline_);
    stream_.async_read_some(buffer_.prepare(std::min(room, kReadChunk)),
                            Step<beast::error_code, size_t>([](Session& self, beast::error_code ec,
                                                               size_t n) { self.OnBytes(ec, n); }));
  }

  void OnBytes(beast::error_code ec, size_t n) {
    buffer_.commit(n);
    if (ec) return Close();  // end of stream, reset, or a deadline passed: nobody to answer
    if (phase_ == Phase::kWaiting) BeginHeader();
    if (phase_ == Phase::kBody || phase_ == Phase::kUpload) {
      body_bytes_ += n;
      const auto rate = static_cast<double>(std::max<uint64_t>(Options().min_body_rate, 1));
      deadline_ = body_start_ + Options().body_grace +
                  std::chrono::milliseconds(
                      static_cast<int64_t>(static_cast<double>(body_bytes_) * 1000.0 / rate));
    }
    Parse();
  }

  void Parse() {
    beast::error_code ec;
    FeedOutcome outcome = FeedParser(*parser_, buffer_, limits_, header_seen_, &ec);
    if (phase_ == Phase::kUpload && !DrainUpload()) return;
    switch (outcome) {
      case FeedOutcome::kNeedMore:
        return ReadSome();
      case FeedOutcome::kBufferFull:
        return Refuse(BufferFullRefusal());
      case FeedOutcome::kFailed:
        if (auto refusal = FramingRefusal(ec)) return Refuse(*refusal);
        return Close();
      case FeedOutcome::kHeaderDone:
        header_seen_ = true;
        return OnHeader();
      case FeedOutcome::kMessageDone:
        return OnMessage();
    }
  }

  void OnHeader() {
    const WireRequest& header = parser_->get();
    version_ = ResponseVersion(header.version());
    keep_alive_ = header.keep_alive();
    const UploadOptions& upload = Options().upload;
    const bool is_upload = upload.is_upload && upload.is_upload(header);
    const uint64_t limit = is_upload ? upload.limit : Options().body_limit;
    // The parser checked Content-Length against the largest limit; this request's own limit is
    // checked here (and enforced by the parser for chunked bodies).
    if (auto length = parser_->content_length(); length && *length > limit) {
      return Refuse(ApiError(ApiErrorId::kRequestBodyTooLarge));
    }
    parser_->body_limit(limit);
    if (is_upload) return Authorize();
    ReadBody(Phase::kBody);
  }

  void OnMessage() {
    if (phase_ == Phase::kUpload) return OnUploadComplete();
    if (IsUpgradeForHandler(parser_->get())) {
      Tcp().expires_never();
      phase_ = Phase::kClosing;  // the connection is no longer this session's
      if constexpr (kTls) {
        server_.tls_upgrade_handler()(std::move(stream_), parser_->release());
      } else {
        server_.upgrade_handler()(stream_.release_socket(), parser_->release());
      }
      return;
    }
    auto request = std::make_shared<WireRequest>(parser_->release());
    keep_alive_ = request->keep_alive();
    HandOver([self = this->shared_from_this(), request] {
      self->server_.handler()(ToRequest(*request, self->remote_), MakeResponder(self));
    });
  }

  bool IsUpgradeForHandler(const WireRequest& req) const {
    const bool has_handler = kTls ? static_cast<bool>(server_.tls_upgrade_handler())
                                  : static_cast<bool>(server_.upgrade_handler());
    if (!has_handler || !beast::websocket::is_upgrade(req)) return false;
    std::string_view target = req.target();
    return target.substr(0, target.find('?')) == server_.upgrade_path();
  }

  // Runs a complete request's handler on a worker; the response comes back through a responder.
  template <typename F>
  void HandOver(F run_handler) {
    phase_ = Phase::kHandling;
    Tcp().expires_never();
    server_.in_flight_counter()++;
    asio::post(
        server_.workers(), [run_handler = std::move(run_handler), remote = remote_]() mutable {
          try {
            run_handler();
          } catch (const std::exception& e) {  // handlers must not throw; the connection closes
            LogError("request from " + remote + ": the handler threw: " + e.what());
          } catch (...) {
            LogError("request from " + remote + ": the handler threw a non-exception");
          }
        });
  }

  // ---- Uploads ----

  // The header of an upload goes to a worker, which authorizes it (it may read the store) and, if
  // allowed, takes an upload slot and creates the file; nothing is read meanwhile.
  void Authorize() {
    phase_ = Phase::kAuthorizing;
    Tcp().expires_never();
    struct Outcome {
      std::optional<HttpResponse> refusal;
      AsyncRequestHandler complete;
      HttpServer::UploadPermit permit;
      std::unique_ptr<UploadSink> sink;
    };
    auto outcome = std::make_shared<Outcome>();
    asio::post(server_.workers(), [self = this->shared_from_this(), outcome,
                                   header = ToRequest(parser_->get(), remote_)] {
      try {
        UploadDecision decision = self->Options().upload.authorize(header);
        outcome->refusal = std::move(decision.refusal);
        outcome->complete = std::move(decision.complete);
        if (!outcome->refusal) outcome->permit = self->server_.TryAcquireUpload();
        if (!outcome->refusal && !outcome->permit) {
          outcome->refusal = RenderRefusal(ApiError(ApiErrorId::kThrottling));
          outcome->refusal->headers.emplace_back("x-acs-retry-after", kUploadRetryAfterMs);
        }
        if (!outcome->refusal) {
          auto sink = UploadSink::Create(self->Options().upload.dir);
          if (!sink) {
            LogError("upload from " + self->remote_ + ": " + sink.error());
            outcome->refusal = RenderRefusal(ApiError(ApiErrorId::kInternalError));
          } else {
            outcome->sink = std::move(*sink);
          }
        }
      } catch (const std::exception& e) {
        LogError("upload from " + self->remote_ + ": authorization threw: " + e.what());
        outcome->refusal = RenderRefusal(ApiError(ApiErrorId::kInternalError));
      }
      asio::post(self->stream_.get_executor(),
                 self->Step([outcome](Session& s) { s.OnAuthorized(std::move(*outcome)); }));
    });
  }

  template <typename Outcome>
  void OnAuthorized(Outcome outcome) {
    if (outcome.refusal) return WriteRefusal(std::move(*outcome.refusal));
    upload_permit_ = std::move(outcome.permit);
    upload_sink_ = std::move(outcome.sink);
    upload_complete_ = std::move(outcome.complete);
    ReadBody(Phase::kUpload);
  }

  // Reads the body of the request whose header was accepted; a client waiting for "100 Continue"
  // gets it first.
  void ReadBody(Phase phase) {
    BeginBody(phase);
    if (parser_->is_done() || !Expects100Continue(parser_->get())) return Parse();
    auto interim =
        std::make_shared<http::response<http::empty_body>>(http::status::continue_, version_);
    Tcp().expires_after(Options().idle_timeout);
    http::async_write(
        stream_, *interim,
        Step<beast::error_code, size_t>([interim](Session& self, beast::error_code ec, size_t) {
          if (ec) return self.Close();
          self.BeginBody(self.phase_);  // the body's time starts once the client may send it
          self.Parse();
        }));
  }

  // Moves the body bytes parsed so far into the upload's file; false (and the connection answered)
  // when the file cannot be written.
  bool DrainUpload() {
    std::string& body = parser_->get().body();
    if (body.empty()) return true;
    auto written = upload_sink_->Write(body);
    body.clear();
    if (written) return true;
    LogError("upload from " + remote_ + ": " + written.error());
    Refuse(ApiError(ApiErrorId::kInternalError));
    return false;
  }

  void OnUploadComplete() {
    auto file = upload_sink_->Finish();
    upload_sink_.reset();
    if (!file) {
      LogError("upload from " + remote_ + ": " + file.error());
      return Refuse(ApiError(ApiErrorId::kInternalError));
    }
    HttpRequest request = ToRequest(parser_->get(), remote_);
    request.body_file = std::move(*file);
    keep_alive_ = parser_->get().keep_alive();
    AsyncRequestHandler complete = std::move(upload_complete_);
    HandOver([self = this->shared_from_this(), complete = std::move(complete),
              request = std::move(request)]() mutable {
      complete(std::move(request), MakeResponder(self));
    });
  }

  // ---- Answering ----

  // The responder of the request being handled: the first call writes the response; destroyed
  // uncalled, it closes the connection (the request stops counting as in flight either way).
  static Responder MakeResponder(std::shared_ptr<Session> self) {
    struct Once {
      std::shared_ptr<Session> session;
      std::atomic<bool> done{false};
      ~Once() {
        if (done.load()) return;
        auto s = std::move(session);
        asio::post(s->stream_.get_executor(), [s] {
          s->server_.in_flight_counter()--;
          s->upload_permit_.reset();
          s->Close();
        });
      }
    };
    auto once = std::make_shared<Once>();
    once->session = std::move(self);
    return [once](HttpResponse resp) {
      if (once->done.exchange(true)) return;
      std::shared_ptr<Session> session = std::move(once->session);
      asio::post(session->stream_.get_executor(),
                 session->Step(
                     [resp = std::move(resp)](Session& s) mutable { s.Write(std::move(resp)); }));
    };
  }

  // Writes the response of a handled request; keep-alive continues with the next request.
  void Write(HttpResponse resp) {
    auto msg = std::make_shared<WireResponse>(
        ToWireResponse(std::move(resp), version_, keep_alive_ && !server_.draining()));
    Tcp().expires_after(Options().idle_timeout);
    http::async_write(
        stream_, *msg,
        Step<beast::error_code, size_t>([msg](Session& self, beast::error_code ec, size_t) {
          self.server_.in_flight_counter()--;
          self.upload_permit_.reset();
          if (ec || !msg->keep_alive()) return self.Close();
          self.StartRequest(/*first=*/false);
        }));
  }

  // Answers a request the listener itself refuses, then closes. A body over its limit is rendered
  // by the server's too-large handler (on a worker, like any handler).
  void Refuse(const ApiError& error) {
    upload_sink_.reset();
    upload_permit_.reset();
    parser_->get().body().clear();  // what was read of a refused body is not needed
    if (error.id() != ApiErrorId::kRequestBodyTooLarge || !server_.too_large_handler()) {
      return WriteRefusal(RenderRefusal(error));
    }
    phase_ = Phase::kHandling;
    Tcp().expires_never();
    asio::post(server_.workers(), [self = this->shared_from_this(),
                                   header = ToRequest(parser_->get(), remote_)] {
      HttpResponse resp;
      try {
        resp = self->server_.too_large_handler()(header);
      } catch (const std::exception& e) {
        LogError("request from " + self->remote_ + ": the too-large handler threw: " + e.what());
        resp = RenderRefusal(ApiError(ApiErrorId::kRequestBodyTooLarge));
      }
      asio::post(self->stream_.get_executor(),
                 self->Step([resp = std::move(resp)](Session& s) mutable {
                   s.WriteRefusal(std::move(resp));
                 }));
    });
  }

  void WriteRefusal(HttpResponse resp) {
    phase_ = Phase::kClosing;
    auto msg = std::make_shared<WireResponse>(ToWireResponse(std::move(resp), version_, false));
    Tcp().expires_after(Options().idle_timeout);
    http::async_write(
        stream_, *msg,
        Step<beast::error_code, size_t>([msg](Session& self, beast::error_code ec, size_t) {
          if (ec) return self.CloseSocket();
          self.LingeringClose();
        }));
  }

  // ---- Closing ----

  // Stops sending, then reads and drops what the client still sends (bounded), then closes.
  void LingeringClose() {
    if constexpr (kTls) {
      Close();
    } else {
      beast::error_code ec;
      Tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
      buffer_.consume(buffer_.size());
      deadline_ = SteadyClock::now() + kLingerTime;
      linger_left_ = kLingerBytes;
      Discard();
    }
  }

  void Discard() {
    Tcp().expires_at(deadline_);
    stream_.async_read_some(
        buffer_.prepare(std::min(limits_.buffer_limit, kReadChunk)),
        Step<beast::error_code, size_t>([](Session& self, beast::error_code ec, size_t n) {
          self.buffer_.consume(self.buffer_.size() + n);
          if (ec || n >= self.linger_left_) return self.CloseSocket();
          self.linger_left_ -= n;
          self.Discard();
        }));
  }

  void Close() {
    phase_ = Phase::kClosing;
    if constexpr (kTls) {
      // Send close_notify (bounded by the handshake timeout), then drop the connection.
      Tcp().expires_after(Options().tls_handshake_timeout);
      stream_.async_shutdown(
          Step<beast::error_code>([](Session& self, beast::error_code) { self.CloseSocket(); }));
    } else {
      CloseSocket();
    }
  }

  void CloseSocket() {
    phase_ = Phase::kClosing;
    beast::error_code ec;
    Tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
    Tcp().socket().close(ec);  // errors on close are irrelevant: the peer is gone either way
  }

  ConnectionSlot slot_;
  Stream stream_;
  HttpServer& server_;
  const FramingLimits limits_;
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  std::string remote_;
  Phase phase_ = Phase::kWaiting;
  bool header_seen_ = false;
  bool keep_alive_ = false;
  unsigned version_ = 11;
  // The read deadline of the current phase; for a body it moves with the bytes received.
  SteadyClock::time_point deadline_{};
  SteadyClock::time_point body_start_{};
  uint64_t body_bytes_ = 0;
  uint64_t linger_left_ = 0;
  // The authorized upload being read.
  HttpServer::UploadPermit upload_permit_;
  std::unique_ptr<UploadSink> upload_sink_;
  AsyncRequestHandler upload_complete_;
};

}  // namespace

HttpServer::HttpServer(HttpServerOptions options, RequestHandler handler, TooLargeHandler too_large)
    : HttpServer(
          std::move(options),
          [handler = std::move(handler)](HttpRequest req, Responder respond) {
            respond(handler(req));
          },
          std::move(too_large)) {}

HttpServer::HttpServer(HttpServerOptions options, AsyncRequestHandler handler,
                       TooLargeHandler too_large)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      too_large_(std::move(too_large)),
      io_(options_.io_threads),
      io_work_(io_.get_executor()),
      acceptor_(asio::make_strand(io_)),
      accept_timer_(acceptor_.get_executor()),
      workers_(static_cast<size_t>(options_.worker_threads)) {}

HttpServer::~HttpServer() { Stop(std::chrono::milliseconds(0)); }

bool HttpServer::Start(std::string* error) {
  beast::error_code ec;
  auto address = asio::ip::make_address(options_.host, ec);
  if (ec) {
    *error = "bad listen address " + options_.host + ": " + ec.message();
    return false;
  }
  tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = "cannot listen on " + options_.host + ":" + std::to_string(options_.port) + ": " +
             ec.message();
    return false;
  }
  port_ = acceptor_.local_endpoint().port();
  asio::post(acceptor_.get_executor(), [this] { Accept(); });
  for (int i = 0; i < options_.io_threads; ++i) {
    io_threads_.emplace_back([this] { RunNetworkThread(); });
  }
  return true;
}

void HttpServer::RunNetworkThread() {
  while (true) {
    try {
      io_.run();
      return;
    } catch (const std::exception& e) {
      LogError(std::string("network thread: a handler threw; its connection is lost: ") + e.what());
    } catch (...) {
      LogError("network thread: a handler threw a non-exception; its connection is lost");
    }
  }
}

void HttpServer::SetUpgradeHandler(std::string path, UpgradeHandler handler,
                                   TlsUpgradeHandler tls_handler) {
  upgrade_path_ = std::move(path);
  upgrade_handler_ = std::move(handler);
  tls_upgrade_handler_ = std::move(tls_handler);
}

HttpServer::UploadPermit HttpServer::TryAcquireUpload() {
  if (uploads_.fetch_add(1) >= options_.upload.max_concurrent) {
    uploads_.fetch_sub(1);
    return nullptr;
  }
  return UploadPermit(&uploads_);
}

void HttpServer::OnConnectionOpened() { connections_.fetch_add(1); }

void HttpServer::OnConnectionClosed() {
  connections_.fetch_sub(1);
  if (accept_paused_.exchange(false) && !stopped_.load()) {
    asio::post(acceptor_.get_executor(), [this] { Accept(); });
  }
}

bool HttpServer::BelowConnectionCap() {
  if (connections_.load() < options_.max_connections) return true;
  accept_paused_ = true;
  // A connection may have closed between the check and the flag: whoever clears the flag goes on
  // accepting (OnConnectionClosed posts Accept when it clears it).
  return connections_.load() < options_.max_connections && accept_paused_.exchange(false);
}

bool HttpServer::DescriptorsToSpare() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return true;
  // The kernel hands out the lowest free descriptor: every one below the probe is in use.
  int probe = ::fcntl(acceptor_.native_handle(), F_DUPFD_CLOEXEC, 0);
  if (probe < 0) return false;
  ::close(probe);
  return static_cast<rlim_t>(probe) + static_cast<rlim_t>(options_.descriptor_reserve) <
         limit.rlim_cur;
}

void HttpServer::Accept() {
  if (!acceptor_.is_open() || !BelowConnectionCap()) return;
  if (!DescriptorsToSpare()) {
    return RetryAcceptLater("fewer than " + std::to_string(options_.descriptor_reserve) +
                            " file descriptors free");
  }
  acceptor_.async_accept(asio::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec && ec != asio::error::connection_aborted) {
      return RetryAcceptLater("accept failed: " + ec.message());
    }
    if (!ec) {
      try {
        if (options_.tls) {
          std::make_shared<Session<TlsStream>>(std::move(socket), *this)->Run();
        } else {
          std::make_shared<Session<beast::tcp_stream>>(std::move(socket), *this)->Run();
        }
      } catch (const std::exception& e) {
        LogError(std::string("cannot start a connection: ") + e.what());
      }
    }
    Accept();
  });
}

void HttpServer::RetryAcceptLater(const std::string& why) {
  ++unlogged_accept_failures_;
  const auto now = SteadyClock::now();
  if (now >= next_accept_log_) {
    LogWarn("not accepting connections: " + why + " (" + std::to_string(unlogged_accept_failures_) +
            " time(s) since the last such line); retrying every " +
            std::to_string(options_.accept_retry_delay.count()) + " ms");
    unlogged_accept_failures_ = 0;
    next_accept_log_ = now + options_.accept_log_interval;
  }
  accept_timer_.expires_after(options_.accept_retry_delay);
  accept_timer_.async_wait([this](beast::error_code wait_ec) {
    if (!wait_ec) Accept();
  });
}

void HttpServer::Stop(std::chrono::milliseconds drain_timeout) {
  if (stopped_.exchange(true)) return;
  draining_ = true;
  asio::post(acceptor_.get_executor(), [this] {
    beast::error_code ec;
    acceptor_.close(ec);  // stop accepting; an error here only means it was already closed
    accept_timer_.cancel();
  });
  auto deadline = std::chrono::steady_clock::now() + drain_timeout;
  while (in_flight_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  io_work_.reset();
  io_.stop();
  for (auto& t : io_threads_) {
    if (t.joinable()) t.join();
  }
  workers_.join();
}

}  // namespace sag::api
