// Transport-neutral HTTP request and response, so the gateway can be tested without sockets.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sag::api {

class BodyFile;  // api/upload_file.h

// A received request. Header names are lower-case.
struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query as sent, e.g. "/?Action=..."
  std::multimap<std::string, std::string> headers;
  std::string body;
  std::string remote_address;
  // Set instead of body for an upload the listener streamed to a file (a large artifact).
  std::shared_ptr<const BodyFile> body_file;

  // The first value of header name (lower-case), or "" when absent.
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// A response to send.
struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

}  // namespace sag::api
