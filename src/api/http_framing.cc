#include "api/http_framing.h"

#include <algorithm>
#include <exception>
#include <stdexcept>

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

#include "api/response.h"
#include "common/ids.h"

namespace sag::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

constexpr std::string_view kDefaultHostId = "smartag.aliyuncs.com";

// The reason shown in a BadRequest for a parser error; "" when the error is not a malformed
// request (the peer went away, or a limit that has its own answer).
std::string_view BadRequestReason(http::error e) {
  switch (e) {
    case http::error::bad_line_ending:
      return "bad line ending";
    case http::error::bad_method:
      return "bad method";
    case http::error::bad_target:
      return "bad request target";
    case http::error::bad_version:
      return "bad or unsupported HTTP version";  // only 1.0 and 1.1 are served
    case http::error::bad_field:
    case http::error::bad_value:
    case http::error::bad_obs_fold:
      return "bad header field";
    case http::error::bad_content_length:
    case http::error::multiple_content_length:
      return "bad Content-Length";
    case http::error::bad_transfer_encoding:
      return "bad Transfer-Encoding";
    case http::error::bad_chunk:
    case http::error::bad_chunk_extension:
      return "bad chunk";
    case http::error::unexpected_body:
      return "unexpected body";
    default:
      return "";
  }
}

}  // namespace

void ConfigureParser(RequestParser& parser, const FramingLimits& limits, uint64_t body_limit) {
  parser.header_limit(limits.header_limit);
  parser.body_limit(body_limit);
  parser.eager(false);  // stop after the header, so the listener decides before the body is read
}

beast::flat_buffer MakeReadBuffer(const FramingLimits& limits) {
  return beast::flat_buffer(limits.buffer_limit);
}

FeedOutcome FeedParser(RequestParser& parser, beast::flat_buffer& buffer,
                       const FramingLimits& limits, bool header_seen, beast::error_code* ec) {
  *ec = {};
  try {
    while (true) {
      if (!header_seen && parser.is_header_done()) return FeedOutcome::kHeaderDone;
      if (parser.is_done()) return FeedOutcome::kMessageDone;
      if (buffer.size() == 0) return FeedOutcome::kNeedMore;
      size_t used = parser.put(buffer.data(), *ec);
      buffer.consume(used);
      if (*ec == http::error::need_more) {
        *ec = {};
        return buffer.size() >= limits.buffer_limit ? FeedOutcome::kBufferFull
                                                    : FeedOutcome::kNeedMore;
      }
      if (*ec) return FeedOutcome::kFailed;
    }
  } catch (const std::length_error&) {
    *ec = http::error::header_limit;  // a field too large for Beast's fields container
  } catch (const std::exception&) {
    *ec = http::error::bad_field;
  }
  return FeedOutcome::kFailed;
}

std::optional<ApiError> FramingRefusal(const beast::error_code& ec) {
  if (ec.category() != http::make_error_code(http::error::need_more).category()) {
    return std::nullopt;  // a transport error (reset, timeout, TLS): nobody to answer
  }
  auto e = static_cast<http::error>(ec.value());
  switch (e) {
    case http::error::header_limit:
    case http::error::buffer_overflow:
      return ApiError(ApiErrorId::kRequestHeaderFieldsTooLarge);
    case http::error::body_limit:
      return ApiError(ApiErrorId::kRequestBodyTooLarge);
    case http::error::end_of_stream:
    case http::error::partial_message:
    case http::error::short_read:
      return std::nullopt;
    default:
      break;
  }
  std::string_view reason = BadRequestReason(e);
  return ApiError(ApiErrorId::kBadRequest,
                  {std::string(reason.empty() ? std::string_view("malformed request") : reason)});
}

ApiError BufferFullRefusal() { return ApiError(ApiErrorId::kRequestHeaderFieldsTooLarge); }

unsigned ResponseVersion(unsigned version) { return version == 10 ? 10 : 11; }

HttpResponse RenderRefusal(const ApiError& error) {
  return RenderError(error, NewRequestId(), kDefaultHostId, Format::kJson);
}

HttpRequest ToRequest(const WireRequest& message, const std::string& remote) {
  HttpRequest r;
  r.method = std::string(message.method_string());
  r.target = std::string(message.target());
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers.emplace(std::move(name), std::string(field.value()));
  }
  r.body = message.body();
  r.remote_address = remote;
  return r;
}

WireResponse ToWireResponse(HttpResponse resp, unsigned version, bool keep_alive) {
  WireResponse msg;
  msg.version(version);
  msg.result(static_cast<unsigned>(resp.status));
  msg.set(http::field::server, "sagd");
  for (auto& [k, v] : resp.headers) msg.set(k, v);
  msg.body() = std::move(resp.body);
  msg.keep_alive(keep_alive);
  msg.prepare_payload();
  return msg;
}

}  // namespace sag::api
