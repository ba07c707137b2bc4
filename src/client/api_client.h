// Signed calls to the smartag RPC API (2018-03-13) and the operator API, signed with the same code
// the server verifies with (api/signing).
#pragma once

#include <string>
#include <string_view>

#include "api/signing/percent_encoding.h"
#include "client/http_client.h"
#include "common/result.h"

namespace sag::client {

// The smartag API version.
inline constexpr std::string_view kSmartagVersion = "2018-03-13";
// The OpenSAG operator API version.
inline constexpr std::string_view kOperatorVersion = "2026-11-01";

// Which signature scheme a call uses.
enum class SignatureKind {
  kV1,  // HMAC-SHA1 over the parameters, all of them in a POST form body (@alicloud/pop-core)
  kV3,  // ACS3-HMAC-SHA256 Authorization header, business parameters in the query
        // (@alicloud/openapi-client RPC style)
};

// An AccessKey pair. The secret only ever feeds the HMAC; nothing here prints it.
struct Credentials {
  std::string access_key_id;
  std::string access_key_secret;
};

// One API call to make.
struct ApiRequest {
  std::string version = std::string(kSmartagVersion);
  std::string action;
  signing::ParamList params;  // business parameters, sent verbatim
  SignatureKind signature = SignatureKind::kV1;
  std::string format = "JSON";  // "JSON" or "XML"
  std::string timestamp;        // V1 Timestamp / V3 x-acs-date; empty = now
  std::string nonce;            // SignatureNonce / x-acs-signature-nonce; empty = random
  // V3 only: a raw request body (application/octet-stream), covered by the signature's payload
  // hash; e.g. the artifact of the operator's PublishVersion.
  std::string body;
};

// A signed HTTP request, ready for HttpConnection::Send.
struct PreparedRequest {
  std::string method;
  std::string target;
  HeaderList headers;
  std::string body;
};

// Signs request for endpoint. V1: POST "/" with every parameter (common ones, business ones and
// Signature) in an application/x-www-form-urlencoded body. V3: POST "/?<business params>" with an
// empty body and the x-acs-* headers, Host and Authorization that signing::SignV3 produces (Format
// joins the query when it is not JSON). Both ask for the format through Accept too.
PreparedRequest PrepareApiRequest(const Endpoint& endpoint, const Credentials& credentials,
                                  const ApiRequest& request);

// What the server answered.
struct ApiResponse {
  unsigned status = 0;
  std::string request_id;    // the x-acs-request-id header ("" when absent)
  std::string content_type;  // the Content-Type header
  std::string body;
};

// Signs and sends request over connection (keep-alive; reconnects as HttpConnection does).
// Returns the response whatever its status; an error only for transport failures.
Result<ApiResponse, std::string> CallApi(HttpConnection& connection, const Credentials& credentials,
                                         const ApiRequest& request);

// One call on a fresh connection to endpoint, closed afterwards.
Result<ApiResponse, std::string> CallApi(const Endpoint& endpoint, const Credentials& credentials,
                                         std::string_view version, std::string_view action,
                                         const signing::ParamList& params, SignatureKind signature,
                                         std::string_view format);

}  // namespace sag::client
