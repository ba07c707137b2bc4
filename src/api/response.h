// The only place that turns results and ApiErrors into bytes: JSON or XML bodies in the POP
// gateway's shapes, with Content-Type and x-acs-request-id headers.
#pragma once

#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "api/http_types.h"
#include "common/api_error.h"

namespace sag::api {

// The response body format a client asked for (Format=JSON|XML).
enum class Format { kJson, kXml };

// 200 with {"RequestId": ..., <body fields>} or <ActionResponse><RequestId/>...</ActionResponse>.
// Always well-formed UTF-8 JSON or XML, whatever the strings hold (ill-formed UTF-8 and characters
// XML cannot carry become U+FFFD).
HttpResponse RenderSuccess(std::string_view action, std::string_view request_id,
                           const boost::json::object& body, Format format);

// The error envelope: RequestId, HostId, Code, Message, Recommend; status from the error table.
// host_id is the request's Host header: used when it looks like a host name (letters, digits,
// "-._:[]", at most 255), else smartag.aliyuncs.com. A retry_after_ms adds x-acs-retry-after.
HttpResponse RenderError(const ApiError& error, std::string_view request_id,
                         std::string_view host_id, Format format);

// XML for a JSON value under element name: objects become child elements, an array becomes one
// element per item (the POP list convention), scalars become text (XML-escaped; see RenderSuccess).
void AppendXml(std::string& out, std::string_view name, const boost::json::value& value);

}  // namespace sag::api
