// A small synchronous HTTP/1.1 client (Boost.Beast) with keep-alive, used by sag and sag-bench.
// http:// and https:// (TLS 1.2+, the peer's certificate and host name verified) endpoints.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace sag::client {

// An ordered list of header name/value pairs (a name may repeat).
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Where to send requests: a parsed "http[s]://host:port[/]" URL, plus the TLS trust settings.
struct Endpoint {
  std::string host;       // host name or IP address, without IPv6 brackets
  uint16_t port = 80;     // 80 (443 for https) when the URL names none
  std::string authority;  // "host:port" as the URL spelt it (with brackets for IPv6): Host header
  bool tls = false;       // https://
  // For https: a PEM file of the CA certificates to trust ("" = the system's default store), and
  // whether to skip verifying the server's certificate and host name (for testing only). Set by
  // the caller after parsing.
  std::string ca_file;
  bool insecure = false;

  // "http://" or "https://" + authority.
  std::string Url() const { return (tls ? "https://" : "http://") + authority; }
};

// Parses "http://127.0.0.1:8086", "https://[::1]:8086/", "localhost:8086" (scheme optional: http)
// or "http://example.com" (port 80; 443 for https). Rejects other schemes, a path other than "/",
// a query, user info, an empty host and a port outside 1-65535, with a message naming the problem.
Result<Endpoint, std::string> ParseEndpoint(std::string_view url);

// A received response.
struct HttpResult {
  unsigned status = 0;
  HeaderList headers;  // names as the server sent them
  std::string body;

  // The first value of header name (case-insensitive), or "" when absent.
  std::string Header(std::string_view name) const;
};

// One keep-alive connection to an endpoint. Not thread-safe: use one per thread. Every network
// step (resolve excepted) is bounded by the timeout given at construction.
class HttpConnection {
 public:
  // Does not connect; the first Send (or Connect) does.
  explicit HttpConnection(Endpoint endpoint,
                          std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Opens the TCP connection (and the TLS session for https) now if it is not open (useful to keep
  // connect time out of a measurement). The error names the endpoint and the cause.
  Result<void, std::string> Connect();

  // Sends one request and reads the whole response. headers are sent as given; a Host header is
  // added (the endpoint's authority) unless present, and Content-Length is always set from body.
  // If a reused keep-alive connection turns out to have been closed by the server before any
  // response byte arrived, reconnects and sends once more. When the response does not allow
  // keep-alive, the connection is closed afterwards (the next Send reopens it). An error (connect,
  // I/O, timeout, malformed response) leaves the connection closed.
  Result<HttpResult, std::string> Send(std::string_view method, std::string_view target,
                                       const HeaderList& headers, std::string_view body);

  // Called while Send writes a request with a body: once with sent == 0 before the first byte, then
  // after each piece the connection took, with the bytes of the request written so far (header
  // included) and total, the whole request's size; the last call has sent == total. Null (the
  // default): not called.
  using UploadProgress = std::function<void(uint64_t sent, uint64_t total)>;
  void set_upload_progress(UploadProgress progress) { upload_progress_ = std::move(progress); }

  // Closes the connection if open; the next Send reopens it.
  void Close();

  // True while a connection is open.
  bool is_open() const;

  // The endpoint given at construction.
  const Endpoint& endpoint() const { return endpoint_; }

 private:
  struct Impl;
  Endpoint endpoint_;
  std::unique_ptr<Impl> impl_;
  UploadProgress upload_progress_;
};

}  // namespace sag::client
