// A raw TCP client for the listener's tests: sends bytes no HTTP client would, and reads what comes
// back (one response, or everything until the server closes). Blocking, with a generous timeout
// that only turns a hang into a failure.
#pragma once

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <sys/time.h>
#include <thread>
#include <unistd.h>

namespace sag::api::testing {

// One response as received.
struct RawResponse {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class RawClient {
 public:
  // Connects to 127.0.0.1:port; connected() tells whether it worked.
  explicit RawClient(uint16_t port,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(20000));
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Sends every byte; false once the peer closed or reset the connection.
  bool Send(std::string_view bytes);
  // Reads one response (status line, fields, Content-Length body); nullopt when the connection
  // closed (or the timeout passed) first.
  std::optional<RawResponse> ReadResponse();
  // True when the server closed the connection (end of stream or reset) within the timeout; what
  // arrived before is dropped.
  bool ClosedByPeer();
  // True when nothing arrives for `window` (the connection stays open and silent).
  bool SilentFor(std::chrono::milliseconds window);
  // Stops sending (half-close).
  void ShutdownSend();

 private:
  // Reads more bytes into pending_; false on end of stream, error or timeout.
  bool Fill();

  int fd_ = -1;
  std::string pending_;
};

// Waits until condition holds, checking every millisecond for at most limit; returns whether it
// held.
inline bool WaitUntil(const std::function<bool()>& condition,
                      std::chrono::milliseconds limit = std::chrono::milliseconds(20000)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// Parses the status line and fields of a response header (up to, not including, the blank line).
std::optional<RawResponse> ParseResponseHeader(std::string_view header);

inline RawClient::RawClient(uint16_t port, std::chrono::milliseconds timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return;
  }
  fd_ = fd;
}

inline RawClient::~RawClient() {
  if (fd_ >= 0) ::close(fd_);
}

inline bool RawClient::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

inline bool RawClient::Fill() {
  char buf[16384];
  while (true) {
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    pending_.append(buf, static_cast<size_t>(n));
    return true;
  }
}

inline std::optional<RawResponse> ParseResponseHeader(std::string_view header) {
  size_t eol = header.find("\r\n");
  std::string_view status_line = header.substr(0, eol);
  if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12) return std::nullopt;
  RawResponse r;
  r.status = static_cast<unsigned>(std::stoi(std::string(status_line.substr(9, 3))));
  while (eol != std::string_view::npos) {
    header.remove_prefix(eol + 2);
    eol = header.find("\r\n");
    std::string_view line = header.substr(0, eol);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    r.headers[name] = std::string(value);
  }
  return r;
}

inline std::optional<RawResponse> RawClient::ReadResponse() {
  size_t end;
  while ((end = pending_.find("\r\n\r\n")) == std::string::npos) {
    if (!Fill()) return std::nullopt;
  }
  auto r = ParseResponseHeader(std::string_view(pending_).substr(0, end));
  if (!r) return std::nullopt;
  pending_.erase(0, end + 4);
  size_t length = 0;
  if (auto it = r->headers.find("content-length"); it != r->headers.end()) {
    length = std::stoul(it->second);
  }
  while (pending_.size() < length) {
    if (!Fill()) return std::nullopt;
  }
  r->body = pending_.substr(0, length);
  pending_.erase(0, length);
  return r;
}

inline bool RawClient::ClosedByPeer() {
  char buf[16384];
  while (true) {
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == ECONNRESET;  // EAGAIN: the timeout passed with the connection still open
    }
  }
}

inline bool RawClient::SilentFor(std::chrono::milliseconds window) {
  if (!pending_.empty()) return false;
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(window.count())) == 0;
}

inline void RawClient::ShutdownSend() { ::shutdown(fd_, SHUT_WR); }

}  // namespace sag::api::testing
