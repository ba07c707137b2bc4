#include "api/http_server.h"

#include <algorithm>
#include <atomic>
#include <optional>
#include <type_traits>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "common/log.h"

namespace sag::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

HttpRequest ToRequest(const http::request<http::string_body>& msg, const std::string& remote) {
  HttpRequest r;
  r.method = std::string(msg.method_string());
  r.target = std::string(msg.target());
  for (const auto& field : msg) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers.emplace(std::move(name), std::string(field.value()));
  }
  r.body = msg.body();
  r.remote_address = remote;
  return r;
}

// One connection: read a request, hand it to the workers, write the response, repeat. Stream is
// beast::tcp_stream (plain HTTP) or TlsStream (the TLS handshake runs first).
template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  Session(tcp::socket&& socket, HttpServer& server)
      : stream_(MakeStream(std::move(socket), server)), server_(server) {
    beast::error_code ec;
    auto ep = Tcp().socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  void Run() {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->Handshake();
      } else {
        self->Read();
      }
    });
  }

 private:
  static Stream MakeStream(tcp::socket&& socket, HttpServer& server) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *server.options().tls);
    } else {
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  void Handshake() {
    Tcp().expires_after(server_.options().tls_handshake_timeout);
    stream_.async_handshake(asio::ssl::stream_base::server, [self = this->shared_from_this()](
                                                                beast::error_code ec) {
      if (ec) {
        Log(LogLevel::kDebug, "TLS handshake with " + self->remote_ + " failed: " + ec.message());
        return self->CloseSocket();
      }
      self->Read();
    });
  }

  void Read() {
    if (server_.draining()) return Close();
    parser_.emplace();
    parser_->body_limit(
        std::max(server_.options().body_limit, server_.options().max_body_limit_for));
    Tcp().expires_after(server_.options().idle_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code header_ec) {
    if (header_ec) return OnRead(header_ec);
    uint64_t limit = server_.options().body_limit;
    if (server_.options().body_limit_for) {
      if (uint64_t own = server_.options().body_limit_for(parser_->get()); own > 0) limit = own;
    }
    // The parser checked Content-Length against the largest limit; this request's own limit is
    // checked here (and enforced by the parser for chunked bodies).
    if (auto length = parser_->content_length(); length && *length > limit) {
      return OnRead(http::error::body_limit);
    }
    parser_->body_limit(limit);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted) {
      return Close();
    }
    bool too_large = ec == http::error::body_limit;
    if (ec && !too_large) return Close();  // malformed HTTP or reset: nothing sensible to answer
    if (!too_large && IsUpgradeForHandler(parser_->get())) {
      Tcp().expires_never();
      if constexpr (kTls) {
        server_.tls_upgrade_handler()(std::move(stream_), parser_->release());
      } else {
        server_.upgrade_handler()(stream_.release_socket(), parser_->release());
      }
      return;
    }
    auto request = std::make_shared<http::request<http::string_body>>(parser_->release());
    keep_alive_ = !too_large && request->keep_alive();
    version_ = request->version();
    server_.in_flight_counter()++;
    // The handler may block on the store: run it on a worker; whoever completes the call writes
    // the response back on this strand.
    asio::post(server_.workers(), [self = this->shared_from_this(), request, too_large] {
      HttpRequest req = ToRequest(*request, self->remote_);
      if (too_large) {
        self->Complete(self->server_.too_large_handler()(req));
        return;
      }
      self->server_.handler()(std::move(req), MakeResponder(self));
    });
  }

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
          s->Close();
        });
      }
    };
    auto once = std::make_shared<Once>();
    once->session = std::move(self);
    return [once](HttpResponse resp) {
      if (once->done.exchange(true)) return;
      std::shared_ptr<Session> session = std::move(once->session);
      session->Complete(std::move(resp));
    };
  }

  // Writes resp on this connection's strand (from any thread).
  void Complete(HttpResponse resp) {
    asio::post(stream_.get_executor(),
               [self = this->shared_from_this(), resp = std::move(resp)]() mutable {
                 self->Write(std::move(resp));
               });
  }

  bool IsUpgradeForHandler(const http::request<http::string_body>& req) const {
    const bool has_handler = kTls ? static_cast<bool>(server_.tls_upgrade_handler())
                                  : static_cast<bool>(server_.upgrade_handler());
    if (!has_handler || !beast::websocket::is_upgrade(req)) return false;
    std::string_view target = req.target();
    return target.substr(0, target.find('?')) == server_.upgrade_path();
  }

  void Write(HttpResponse resp) {
    auto msg = std::make_shared<http::response<http::string_body>>();
    msg->version(version_);
    msg->result(static_cast<unsigned>(resp.status));
    msg->set(http::field::server, "sagd");
    for (auto& [k, v] : resp.headers) msg->set(k, v);
    msg->body() = std::move(resp.body);
    msg->keep_alive(keep_alive_ && !server_.draining());
    msg->prepare_payload();
    Tcp().expires_after(server_.options().idle_timeout);
    http::async_write(stream_, *msg,
                      [self = this->shared_from_this(), msg](beast::error_code ec, size_t) {
                        self->server_.in_flight_counter()--;
                        if (ec || !msg->keep_alive()) return self->Close();
                        self->Read();
                      });
  }

  void Close() {
    if constexpr (kTls) {
      // Send close_notify (bounded by the handshake timeout), then drop the connection.
      Tcp().expires_after(server_.options().tls_handshake_timeout);
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->CloseSocket(); });
    } else {
      CloseSocket();
    }
  }

  void CloseSocket() {
    beast::error_code ec;
    Tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
    Tcp().socket().close(ec);  // errors on close are irrelevant: the peer is gone either way
  }

  Stream stream_;
  HttpServer& server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string remote_;
  bool keep_alive_ = false;
  unsigned version_ = 11;
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
  Accept();
  for (int i = 0; i < options_.io_threads; ++i) {
    io_threads_.emplace_back([this] { io_.run(); });
  }
  return true;
}

void HttpServer::SetUpgradeHandler(std::string path, UpgradeHandler handler,
                                   TlsUpgradeHandler tls_handler) {
  upgrade_path_ = std::move(path);
  upgrade_handler_ = std::move(handler);
  tls_upgrade_handler_ = std::move(tls_handler);
}

void HttpServer::Accept() {
  acceptor_.async_accept(asio::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
      LogWarn("accept failed: " + ec.message());
    } else {
      if (options_.tls) {
        std::make_shared<Session<TlsStream>>(std::move(socket), *this)->Run();
      } else {
        std::make_shared<Session<beast::tcp_stream>>(std::move(socket), *this)->Run();
      }
    }
    Accept();
  });
}

void HttpServer::Stop(std::chrono::milliseconds drain_timeout) {
  if (stopped_.exchange(true)) return;
  draining_ = true;
  asio::post(acceptor_.get_executor(), [this] {
    beast::error_code ec;
    acceptor_.close(ec);  // stop accepting; an error here only means it was already closed
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
