// How the listener turns a connection's bytes into requests and responses into bytes, without any
// I/O: the Beast parser with the listener's limits, driven by hand so that nothing a client sends
// can throw out of it, the answer each framing failure gets, and the conversions between Beast's
// messages and HttpRequest/HttpResponse. The listener (api/http_server.cc) and the fuzz target of
// the framing use exactly these functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "api/http_types.h"
#include "common/api_error.h"

namespace sag::api {

using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;
using WireRequest = boost::beast::http::request<boost::beast::http::string_body>;
using WireResponse = boost::beast::http::response<boost::beast::http::string_body>;

// Bounds on what one request may make the listener hold before it is authenticated.
struct FramingLimits {
  // Request line plus header fields (a larger header is 431).
  uint32_t header_limit = 16 * 1024;
  // Bytes buffered that the parser has not consumed yet: a header, a chunk-size line or a chunked
  // body's trailer still incomplete. Reaching it is 431. It keeps every field far below the
  // 64 KiB a Beast field can hold (beyond that Beast throws instead of failing).
  size_t buffer_limit = 32 * 1024;
};

// A fresh parser for the next request: header_limit from limits, body_limit as given (the largest
// body any request may have; a request's own, smaller limit is set once its header is known).
void ConfigureParser(RequestParser& parser, const FramingLimits& limits, uint64_t body_limit);

// A read buffer bounded by limits.buffer_limit.
boost::beast::flat_buffer MakeReadBuffer(const FramingLimits& limits);

// What feeding the buffered bytes to the parser achieved.
enum class FeedOutcome {
  kNeedMore,     // every buffered byte was consumed (or the rest needs more to parse)
  kHeaderDone,   // the header just completed; the body (if any) has not been parsed yet
  kMessageDone,  // the whole request is parsed
  kFailed,       // the bytes are not a request this listener accepts; *ec says why
  kBufferFull,   // the parser needs more bytes but limits.buffer_limit are already buffered
};

// Feeds buffer to parser (one Parser::put), consuming what it used, and reports the first of the
// outcomes above; kFailed sets *ec. Never throws: an exception from the parser (e.g. a field too
// large for Beast) is kFailed with http::error::bad_field. header_seen: whether kHeaderDone was
// already reported for this request (it is reported once).
FeedOutcome FeedParser(RequestParser& parser, boost::beast::flat_buffer& buffer,
                       const FramingLimits& limits, bool header_seen, boost::beast::error_code* ec);

// The answer to a framing failure: 431 RequestHeaderFieldsTooLarge for a header (or trailer) over
// the limits, 413 RequestEntityTooLarge for a body over its limit, 400 BadRequest (with the reason)
// for anything else malformed; nullopt when the peer is gone and nothing can be answered (end of
// stream, reset, timeout, cancellation).
std::optional<ApiError> FramingRefusal(const boost::beast::error_code& ec);
// The refusal of a request whose unparsed bytes reached limits.buffer_limit.
ApiError BufferFullRefusal();
// The HTTP version to answer a request of version (Beast's 10 * major + minor) in: 1.0 for 1.0,
// otherwise 1.1.
unsigned ResponseVersion(unsigned version);

// The error envelope of a refusal written by the listener itself (JSON; HostId is the service's
// default, never a value from the refused request, which may be malformed).
HttpResponse RenderRefusal(const ApiError& error);

// The transport-neutral request of a parsed message (header names lower-cased); remote is the
// peer's "address:port".
HttpRequest ToRequest(const WireRequest& message, const std::string& remote);

// The message to write for resp: status, Server header, resp's headers and body, Content-Length,
// and Connection: close unless keep_alive.
WireResponse ToWireResponse(HttpResponse resp, unsigned version, bool keep_alive);

}  // namespace sag::api
