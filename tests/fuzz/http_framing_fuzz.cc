// Fuzzes the listener's HTTP framing (api/http_framing.h), which reads bytes from unauthenticated
// clients: requests as raw bytes, delivered in reads of the sizes the listener uses, through the
// parser configured as HttpServer configures it, and the answers back through the response path.
// Properties: nothing throws or crashes; the unparsed bytes never exceed the buffer bound, a
// header never exceeds the header limit and a body never its limit; every failure that gets an
// answer gets 400, 413 or 431 in a well-formed JSON envelope naming its row; every parsed request,
// answered through ToWireResponse and parsed back as a client would, keeps its status and body.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>

#include "api/http_framing.h"
#include "api/http_server.h"
#include "fuzz_support.h"

namespace {

namespace api = sag::api;
namespace beast = boost::beast;
namespace http = beast::http;
using sag::fuzz::Require;

// The listener's limits, as HttpServer uses them by default.
const api::HttpServerOptions kOptions;

void CheckRefusal(const beast::error_code& ec) {
  auto refusal = api::FramingRefusal(ec);
  if (!refusal) return;
  Require(refusal->http_status() == 400 || refusal->http_status() == 413 ||
              refusal->http_status() == 431,
          "a framing refusal is 400, 413 or 431");
  api::HttpResponse r = api::RenderRefusal(*refusal);
  boost::system::error_code parse_ec;
  boost::json::value body = boost::json::parse(r.body, parse_ec);
  Require(!parse_ec && body.is_object(), "a refusal's body is a JSON object");
  Require(body.at("Code").as_string() == refusal->code(), "a refusal names its code");
  Require(body.at("Message").as_string() == refusal->message(), "a refusal carries its message");
}

// Answers a parsed request through the response path and reads the answer back as a client would.
void CheckAnswer(const api::WireRequest& message) {
  api::HttpRequest request = api::ToRequest(message, "127.0.0.1:1");
  Require(request.body == message.body(), "the request keeps its body");
  api::HttpResponse resp;
  resp.status = 200;
  resp.headers.emplace_back("Content-Type", "text/plain");
  resp.body = request.method + " " + std::to_string(request.body.size());
  const std::string expected = resp.body;
  api::WireResponse wire = api::ToWireResponse(
      std::move(resp), api::ResponseVersion(message.version()), message.keep_alive());
  std::string bytes;
  {
    http::response_serializer<http::string_body> serializer(wire);
    beast::error_code ec;
    while (!serializer.is_done()) {
      serializer.next(ec, [&](beast::error_code&, const auto& buffers) {
        bytes += beast::buffers_to_string(buffers);
        serializer.consume(beast::buffer_bytes(buffers));
      });
      Require(!ec, "a response serializes");
    }
  }
  http::response_parser<http::string_body> parser;
  parser.eager(true);
  beast::error_code ec;
  parser.put(boost::asio::buffer(bytes), ec);
  Require(!ec && parser.is_done(), "the answer parses as an HTTP response");
  Require(parser.get().result_int() == 200 && parser.get().body() == expected,
          "the answer keeps its status and body");
}

// With expansion on, "\xff k c" stands for the byte c repeated 512 * k times, so that short inputs
// reach the header and buffer bounds (tens of KiB) too.
std::string Expand(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\xff' && i + 2 < in.size()) {
      out.append(512 * static_cast<size_t>(static_cast<unsigned char>(in[i + 1])), in[i + 2]);
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte sets the size of each read (as the network splits the bytes) and whether the
  // rest is expanded.
  const size_t read_size = 1 + (data[0] & 0x7f);
  std::string_view raw = sag::fuzz::AsText(data + 1, size - 1);
  const std::string expanded = (data[0] & 0x80) != 0 ? Expand(raw) : std::string(raw);
  std::string_view input = expanded;
  const api::FramingLimits& limits = kOptions.framing;
  beast::flat_buffer buffer = api::MakeReadBuffer(limits);
  std::optional<api::RequestParser> parser;
  bool header_seen = false;
  size_t committed = 0;      // bytes read so far
  size_t request_start = 0;  // bytes consumed before the current request
  auto next_request = [&] {
    parser.emplace();
    api::ConfigureParser(*parser, limits, kOptions.body_limit);
    header_seen = false;
    request_start = committed - buffer.size();
  };
  next_request();
  for (int requests = 0; requests < 16;) {
    beast::error_code ec;
    api::FeedOutcome outcome = api::FeedParser(*parser, buffer, limits, header_seen, &ec);
    Require(buffer.size() <= limits.buffer_limit, "buffered bytes stay within the bound");
    Require(parser->get().body().size() <= kOptions.body_limit, "a body stays within its limit");
    if (outcome == api::FeedOutcome::kFailed) {
      CheckRefusal(ec);
      return 0;
    }
    if (outcome == api::FeedOutcome::kBufferFull) {
      Require(buffer.size() == limits.buffer_limit, "a full buffer is full");
      return 0;
    }
    if (outcome == api::FeedOutcome::kHeaderDone) {
      Require(committed - buffer.size() - request_start <= limits.header_limit,
              "a header stays within the header limit");
      header_seen = true;
      if (auto length = parser->content_length(); length && *length > kOptions.body_limit) {
        return 0;  // the listener answers 413 here
      }
      continue;
    }
    if (outcome == api::FeedOutcome::kMessageDone) {
      CheckAnswer(parser->get());
      if (!parser->get().keep_alive()) return 0;
      next_request();
      ++requests;
      continue;
    }
    // Needs more: the next read, no larger than the listener would ask for.
    if (input.empty()) return 0;
    size_t n = std::min({read_size, limits.buffer_limit - buffer.size(), input.size()});
    auto space = buffer.prepare(n);
    std::copy_n(input.data(), n, static_cast<char*>(space.data()));
    buffer.commit(n);
    committed += n;
    input.remove_prefix(n);
  }
  return 0;
}
