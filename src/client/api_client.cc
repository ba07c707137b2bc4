#include "client/api_client.h"

#include <utility>

#include "api/signing/signature_v1.h"
#include "api/signing/signature_v3.h"

namespace sag::client {
namespace {

constexpr std::string_view kUserAgent = "opensag-sag/0.1";

bool IsXml(std::string_view format) {
  return format.size() == 3 && (format[0] == 'X' || format[0] == 'x') &&
         (format[1] == 'M' || format[1] == 'm') && (format[2] == 'L' || format[2] == 'l');
}

}  // namespace

PreparedRequest PrepareApiRequest(const Endpoint& endpoint, const Credentials& credentials,
                                  const ApiRequest& request) {
  const bool xml = IsXml(request.format);
  PreparedRequest out;
  out.method = "POST";
  if (request.signature == SignatureKind::kV1) {
    signing::V1SignInput input;
    input.http_method = out.method;
    input.access_key_id = credentials.access_key_id;
    input.access_key_secret = credentials.access_key_secret;
    input.action = request.action;
    input.version = request.version;
    input.format = xml ? "XML" : "JSON";
    input.timestamp = request.timestamp;
    input.nonce = request.nonce;
    input.params = request.params;
    out.target = "/";
    out.body = signing::BuildUrlEncoded(signing::SignV1(input));
    out.headers.emplace_back("Host", endpoint.authority);
    out.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  } else {
    signing::V3SignInput input;
    input.http_method = out.method;
    input.host = endpoint.authority;
    input.access_key_id = credentials.access_key_id;
    input.access_key_secret = credentials.access_key_secret;
    input.action = request.action;
    input.version = request.version;
    input.date = request.timestamp;
    input.nonce = request.nonce;
    input.query = request.params;
    input.body = request.body;
    input.content_type = "application/octet-stream";
    if (xml) input.query.emplace_back("Format", "XML");
    const std::string query = signing::BuildUrlEncoded(input.query);
    out.target = query.empty() ? "/" : "/?" + query;
    for (auto& [name, value] : signing::SignV3(input)) out.headers.emplace_back(name, value);
    out.body = request.body;
  }
  out.headers.emplace_back("Accept", xml ? "application/xml" : "application/json");
  out.headers.emplace_back("User-Agent", std::string(kUserAgent));
  return out;
}

Result<ApiResponse, std::string> CallApi(HttpConnection& connection, const Credentials& credentials,
                                         const ApiRequest& request) {
  const PreparedRequest prepared = PrepareApiRequest(connection.endpoint(), credentials, request);
  ASSIGN_OR_RETURN(HttpResult http, connection.Send(prepared.method, prepared.target,
                                                    prepared.headers, prepared.body));
  ApiResponse response;
  response.status = http.status;
  response.request_id = http.Header("x-acs-request-id");
  response.content_type = http.Header("content-type");
  response.body = std::move(http.body);
  return response;
}

Result<ApiResponse, std::string> CallApi(const Endpoint& endpoint, const Credentials& credentials,
                                         std::string_view version, std::string_view action,
                                         const signing::ParamList& params, SignatureKind signature,
                                         std::string_view format) {
  HttpConnection connection(endpoint);
  ApiRequest request;
  request.version = std::string(version);
  request.action = std::string(action);
  request.params = params;
  request.signature = signature;
  request.format = std::string(format);
  return CallApi(connection, credentials, request);
}

}  // namespace sag::client
