// Signature V3 (ACS3-HMAC-SHA256, Authorization header). Used by the server to
// verify and by sag to sign.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/signing/percent_encoding.h"

namespace sag::signing {

inline constexpr std::string_view kV3Algorithm = "ACS3-HMAC-SHA256";

// The parsed Authorization header:
// "ACS3-HMAC-SHA256 Credential=<AK>,SignedHeaders=<h1;h2>,Signature=<hex>".
struct V3Authorization {
  std::string algorithm;
  std::string access_key_id;
  std::vector<std::string> signed_headers;  // lower-case, as listed
  std::string signature;
};

// Parses an Authorization header value; nullopt when it is not of the form above (any algorithm
// name is accepted here; the caller checks it). Spaces after commas are tolerated.
std::optional<V3Authorization> ParseV3Authorization(std::string_view header_value);

// The request as the server received it. Header names are lower-case; a repeated header has
// several values.
struct V3RequestView {
  std::string method;                               // upper case
  std::string canonical_uri = "/";                  // the path, percent-encoded as sent
  ParamList query;                                  // decoded query parameters
  std::multimap<std::string, std::string> headers;  // lower-case name -> raw value
  std::string payload_sha256_hex;                   // hex SHA-256 of the raw body
};

// CanonicalRequest = METHOD \n URI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n Hash.
// CanonicalHeaders uses exactly signed_headers (sorted), each "name:trim(value)\n"; repeated values
// are sorted and joined with ','. A signed header that is absent contributes "name:\n".
std::string V3CanonicalRequest(const V3RequestView& request,
                               const std::vector<std::string>& signed_headers);

// "ACS3-HMAC-SHA256\n" + hex(SHA256(canonical_request)).
std::string V3StringToSign(std::string_view canonical_request);

// hex(HMAC-SHA256(secret, string_to_sign)) — no '&' suffix on the key.
std::string V3Signature(std::string_view access_key_secret, std::string_view string_to_sign);

// What a client needs to sign a V3 call (RPC style: business params in the query, empty body).
struct V3SignInput {
  std::string http_method = "POST";
  std::string host;  // value of the host header, e.g. "127.0.0.1:8086"
  std::string access_key_id;
  std::string access_key_secret;
  std::string action;
  std::string version = "2018-03-13";
  std::string date;   // x-acs-date; empty = now
  std::string nonce;  // empty = random 32 hex chars
  ParamList query;
  std::string body;                                                // raw body (usually empty)
  std::string content_type = "application/x-www-form-urlencoded";  // sent (and signed) with a body
};

// The headers to send (lower-case names, including "authorization") for input.
std::map<std::string, std::string> SignV3(const V3SignInput& input);

}  // namespace sag::signing
