#include "client/http_client.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <sstream>
#include <system_error>

#include <boost/asio/connect.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "common/tls_client.h"

namespace sag::client {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr uint64_t kMaxResponseBody = 64ull * 1024 * 1024;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// True for the errors a server's close of an idle keep-alive connection produces.
bool IsPeerClosed(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::connection_aborted || ec == ssl::error::stream_truncated;
}

std::string Describe(const error_code& ec) {
  if (ec == beast::error::timeout) return "timed out";
  return ec.message();
}

}  // namespace

Result<Endpoint, std::string> ParseEndpoint(std::string_view url) {
  const std::string original(url);
  auto fail = [&original](const std::string& why) {
    return MakeUnexpected("invalid endpoint \"" + original + "\": " + why);
  };
  std::string_view rest = url;
  bool tls = false;
  const size_t scheme_end = rest.find("://");
  if (scheme_end != std::string_view::npos) {
    const std::string_view scheme = rest.substr(0, scheme_end);
    if (EqualsIgnoreCase(scheme, "https")) {
      tls = true;
    } else if (!EqualsIgnoreCase(scheme, "http")) {
      return fail("scheme \"" + std::string(scheme) + "\" is not supported (http:// or https://)");
    }
    rest.remove_prefix(scheme_end + 3);
  }
  const size_t slash = rest.find_first_of("/?#");
  if (slash != std::string_view::npos) {
    if (rest.substr(slash) != "/") return fail("a path, query or fragment is not allowed");
    rest = rest.substr(0, slash);
  }
  if (rest.find('@') != std::string_view::npos) return fail("user info is not allowed");
  if (rest.empty()) return fail("no host");

  Endpoint endpoint;
  endpoint.tls = tls;
  endpoint.port = tls ? 443 : 80;
  endpoint.authority = std::string(rest);
  std::string_view host;
  std::string_view port_text;
  if (rest.front() == '[') {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) return fail("unterminated '[' in the host");
    host = rest.substr(1, close - 1);
    const std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("unexpected text after ']'");
      port_text = after.substr(1);
      if (port_text.empty()) return fail("empty port");
    }
  } else {
    const size_t colon = rest.rfind(':');
    if (colon != std::string_view::npos) {
      if (rest.find(':') != colon) return fail("an IPv6 address must be in brackets");
      host = rest.substr(0, colon);
      port_text = rest.substr(colon + 1);
      if (port_text.empty()) return fail("empty port");
    } else {
      host = rest;
    }
  }
  if (host.empty()) return fail("no host");
  endpoint.host = std::string(host);
  if (!port_text.empty()) {
    unsigned port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return fail("bad port \"" + std::string(port_text) + "\"");
    }
    endpoint.port = static_cast<uint16_t>(port);
  }
  return endpoint;
}

std::string HttpResult::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

struct HttpConnection::Impl {
  explicit Impl(std::chrono::milliseconds t) : ioc(1), timeout(t) {}

  // Starts an asynchronous operation through start(handler) and runs the io_context until it
  // completes; returns its error code.
  template <typename Start>
  error_code Run(Start&& start) {
    error_code result = asio::error::would_block;
    start([&result](error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }

  asio::io_context ioc;
  std::chrono::milliseconds timeout;
  std::optional<tcp::resolver::results_type> resolved;
  // Exactly one is set while a connection is open: plain (http) or tls (https).
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  std::shared_ptr<ssl::context> tls_context;  // made on the first https connection
  beast::flat_buffer buffer;
  uint64_t responses_on_connection = 0;

  bool open() const { return plain.has_value() || tls.has_value(); }
  beast::tcp_stream& Tcp() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
  // Calls f with the open stream (tcp_stream or ssl_stream).
  template <typename F>
  auto Visit(F&& f) {
    return tls ? f(*tls) : f(*plain);
  }
};

HttpConnection::HttpConnection(Endpoint endpoint, std::chrono::milliseconds timeout)
    : endpoint_(std::move(endpoint)), impl_(std::make_unique<Impl>(timeout)) {}

HttpConnection::~HttpConnection() { Close(); }

bool HttpConnection::is_open() const { return impl_->open(); }

void HttpConnection::Close() {
  if (!impl_->open()) return;
  error_code ignored;
  impl_->Tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
  impl_->Tcp().socket().close(ignored);
  impl_->plain.reset();
  impl_->tls.reset();
  impl_->buffer.clear();
  impl_->responses_on_connection = 0;
}

Result<void, std::string> HttpConnection::Connect() {
  if (impl_->open()) return {};
  const std::string where = endpoint_.Url();
  if (!impl_->resolved) {
    tcp::resolver resolver(impl_->ioc);
    error_code ec;
    auto results = resolver.resolve(endpoint_.host, std::to_string(endpoint_.port), ec);
    if (ec) return MakeUnexpected("cannot resolve " + endpoint_.host + ": " + ec.message());
    impl_->resolved = std::move(results);
  }
  if (endpoint_.tls) {
    if (!impl_->tls_context) {
      ASSIGN_OR_RETURN(impl_->tls_context,
                       MakeTlsClientContext(endpoint_.ca_file, endpoint_.insecure));
    }
    impl_->tls.emplace(impl_->ioc, *impl_->tls_context);
    SetTlsPeerName(impl_->tls->native_handle(), endpoint_.host, endpoint_.insecure);
  } else {
    impl_->plain.emplace(impl_->ioc);
  }
  impl_->Tcp().expires_after(impl_->timeout);
  error_code ec = impl_->Run(
      [this](auto handler) { impl_->Tcp().async_connect(*impl_->resolved, std::move(handler)); });
  if (ec) {
    Close();
    return MakeUnexpected("cannot connect to " + where + ": " + Describe(ec));
  }
  error_code ignored;
  impl_->Tcp().socket().set_option(tcp::no_delay(true), ignored);
  if (impl_->tls) {
    impl_->Tcp().expires_after(impl_->timeout);
    ec = impl_->Run([this](auto handler) {
      impl_->tls->async_handshake(ssl::stream_base::client, std::move(handler));
    });
    if (ec) {
      Close();
      return MakeUnexpected("TLS handshake with " + where + " failed: " + Describe(ec));
    }
  }
  impl_->buffer.clear();
  impl_->responses_on_connection = 0;
  return {};
}

namespace {

// Writes request piece by piece, telling progress after each piece (each piece under the
// connection's timeout).
template <typename ImplT>
error_code WriteWithProgress(ImplT& impl, http::request<http::string_body>& request,
                             const HttpConnection::UploadProgress& progress) {
  http::request_serializer<http::string_body> serializer(request);
  // The header's size is known once serialized; the body's is its Content-Length.
  std::ostringstream header;
  header << request.base();
  const uint64_t total = header.str().size() + request.body().size();
  uint64_t sent = 0;
  progress(0, total);
  while (!serializer.is_done()) {
    impl.Tcp().expires_after(impl.timeout);
    size_t written = 0;
    error_code result = asio::error::would_block;
    impl.Visit([&](auto& stream) {
      http::async_write_some(stream, serializer, [&](error_code ec, size_t n) {
        result = ec;
        written = n;
      });
    });
    impl.ioc.restart();
    impl.ioc.run();
    if (result) return result;
    sent = std::min(total, sent + written);
    progress(serializer.is_done() ? total : sent, total);
  }
  return {};
}

}  // namespace

Result<HttpResult, std::string> HttpConnection::Send(std::string_view method,
                                                     std::string_view target,
                                                     const HeaderList& headers,
                                                     std::string_view body) {
  http::request<http::string_body> request;
  request.method_string(method);
  request.target(target);
  request.version(11);
  for (const auto& [name, value] : headers) request.insert(name, value);
  if (request.find(http::field::host) == request.end()) {
    request.set(http::field::host, endpoint_.authority);
  }
  request.body().assign(body.data(), body.size());
  request.prepare_payload();

  for (int attempt = 0;; ++attempt) {
    RETURN_IF_ERROR(Connect());
    const bool reused = impl_->responses_on_connection > 0;
    impl_->Tcp().expires_after(impl_->timeout);
    error_code ec;
    if (upload_progress_ && !body.empty()) {
      ec = WriteWithProgress(*impl_, request, upload_progress_);
    } else {
      ec = impl_->Run([this, &request](auto handler) {
        impl_->Visit([&](auto& stream) { http::async_write(stream, request, std::move(handler)); });
      });
    }
    bool got_some = false;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxResponseBody);
    if (!ec) {
      impl_->Tcp().expires_after(impl_->timeout);
      ec = impl_->Run([this, &parser](auto handler) {
        impl_->Visit([&](auto& stream) {
          http::async_read(stream, impl_->buffer, parser, std::move(handler));
        });
      });
      got_some = parser.got_some();
    }
    if (ec) {
      Close();
      if (attempt == 0 && reused && !got_some && IsPeerClosed(ec)) continue;
      return MakeUnexpected(std::string(method) + " " + endpoint_.Url() + ": " + Describe(ec));
    }

    auto response = parser.release();
    HttpResult result;
    result.status = response.result_int();
    for (const auto& field : response.base()) {
      result.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    result.body = std::move(response.body());
    ++impl_->responses_on_connection;
    if (!response.keep_alive()) Close();
    return result;
  }
}

}  // namespace sag::client
