#include "api/response.h"

namespace sag::api {
namespace {

constexpr std::string_view kJsonType = "application/json;charset=utf-8";
constexpr std::string_view kXmlType = "text/xml;charset=utf-8";

void AppendEscaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
}

HttpResponse Make(int status, std::string_view request_id, Format format, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", format == Format::kXml ? kXmlType : kJsonType);
  r.headers.emplace_back("x-acs-request-id", std::string(request_id));
  r.body = std::move(body);
  return r;
}

std::string Recommend(std::string_view code, std::string_view request_id) {
  return "https://api.aliyun.com/troubleshoot?q=" + std::string(code) +
         "&product=Smartag&requestId=" + std::string(request_id);
}

}  // namespace

void AppendXml(std::string& out, std::string_view name, const boost::json::value& value) {
  if (value.is_array()) {
    for (const auto& item : value.get_array()) AppendXml(out, name, item);
    return;
  }
  out += '<';
  out += name;
  out += '>';
  switch (value.kind()) {
    case boost::json::kind::object:
      for (const auto& [k, v] : value.get_object()) AppendXml(out, k, v);
      break;
    case boost::json::kind::string:
      AppendEscaped(out, value.get_string());
      break;
    case boost::json::kind::null:
      break;
    default:
      out += boost::json::serialize(value);
  }
  out += "</";
  out += name;
  out += '>';
}

HttpResponse RenderSuccess(std::string_view action, std::string_view request_id,
                           const boost::json::object& body, Format format) {
  if (format == Format::kXml) {
    std::string root = std::string(action) + "Response";
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<" + root + ">";
    AppendXml(out, "RequestId", boost::json::string(request_id));
    for (const auto& [k, v] : body) AppendXml(out, k, v);
    out += "</" + root + ">";
    return Make(200, request_id, format, std::move(out));
  }
  boost::json::object o;
  o.reserve(body.size() + 1);
  o["RequestId"] = request_id;
  for (const auto& [k, v] : body) o[k] = v;
  return Make(200, request_id, format, boost::json::serialize(o));
}

HttpResponse RenderError(const ApiError& error, std::string_view request_id,
                         std::string_view host_id, Format format) {
  std::string message = error.message();
  std::string recommend = Recommend(error.code(), request_id);
  if (format == Format::kXml) {
    std::string out = "<?xml version='1.0' encoding='UTF-8'?><Error>";
    AppendXml(out, "RequestId", boost::json::string(request_id));
    AppendXml(out, "HostId", boost::json::string(host_id));
    AppendXml(out, "Code", boost::json::string(error.code()));
    AppendXml(out, "Message", boost::json::string(message));
    out += "<Recommend><![CDATA[" + recommend + "]]></Recommend></Error>";
    return Make(error.http_status(), request_id, format, std::move(out));
  }
  boost::json::object o{{"RequestId", request_id},
                        {"HostId", host_id},
                        {"Code", error.code()},
                        {"Message", message},
                        {"Recommend", recommend}};
  return Make(error.http_status(), request_id, format, boost::json::serialize(o));
}

}  // namespace sag::api
