#include "api/response.h"

#include "common/utf8.h"

namespace sag::api {
namespace {

constexpr std::string_view kJsonType = "application/json;charset=utf-8";
constexpr std::string_view kXmlType = "text/xml;charset=utf-8";

// True for the characters XML 1.0 allows in a document (its Char production).
bool IsXmlChar(char32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

// Appends text as XML character data: markup characters escaped, CR as a character reference (a
// parser would turn a raw one into LF), and every ill-formed UTF-8 byte or character XML cannot
// carry replaced by U+FFFD, so the document is well-formed whatever the value holds.
void AppendEscaped(std::string& out, std::string_view text) {
  char32_t c = 0;
  for (size_t pos = 0; pos < text.size();) {
    const size_t length = DecodeUtf8(text, pos, &c);
    if (length == 0 || !IsXmlChar(c)) {
      out += kUtf8Replacement;
      pos += length == 0 ? 1 : length;
      continue;
    }
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
      case '\r':
        out += "&#13;";
        break;
      default:
        out.append(text.substr(pos, length));
    }
    pos += length;
  }
}

// value with every string (object keys included) made well-formed UTF-8, so that the JSON text is
// UTF-8 whatever was stored; boost::json escapes control characters itself.
boost::json::value WellFormed(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::string: {
      const boost::json::string& s = value.get_string();
      if (IsValidUtf8(s)) return value;
      return boost::json::string(RepairUtf8(s));
    }
    case boost::json::kind::array: {
      boost::json::array out;
      out.reserve(value.get_array().size());
      for (const auto& item : value.get_array()) out.push_back(WellFormed(item));
      return out;
    }
    case boost::json::kind::object: {
      boost::json::object out;
      out.reserve(value.get_object().size());
      for (const auto& [k, v] : value.get_object()) {
        out[IsValidUtf8(k) ? std::string(k) : RepairUtf8(k)] = WellFormed(v);
      }
      return out;
    }
    default:
      return value;
  }
}

// The Host header as HostId when it is a plausible host[:port] (1-255 of letters, digits and
// "-._:[]"), else the default: a header is the client's bytes and must not shape the body.
std::string_view HostIdFor(std::string_view host) {
  constexpr std::string_view kDefault = "smartag.aliyuncs.com";
  if (host.empty() || host.size() > 255) return kDefault;
  for (char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == ':' || c == '[' || c == ']';
    if (!ok) return kDefault;
  }
  return host;
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
  for (const auto& [k, v] : body)
    o[IsValidUtf8(k) ? std::string(k) : RepairUtf8(k)] = WellFormed(v);
  return Make(200, request_id, format, boost::json::serialize(o));
}

HttpResponse RenderError(const ApiError& error, std::string_view request_id,
                         std::string_view host_id, Format format) {
  std::string message = error.message();
  std::string recommend = Recommend(error.code(), request_id);
  const std::string_view host = HostIdFor(host_id);
  HttpResponse r;
  if (format == Format::kXml) {
    std::string out = "<?xml version='1.0' encoding='UTF-8'?><Error>";
    AppendXml(out, "RequestId", boost::json::string(request_id));
    AppendXml(out, "HostId", boost::json::string(host));
    AppendXml(out, "Code", boost::json::string(error.code()));
    AppendXml(out, "Message", boost::json::string(message));
    out += "<Recommend><![CDATA[" + recommend + "]]></Recommend></Error>";
    r = Make(error.http_status(), request_id, format, std::move(out));
  } else {
    boost::json::object o{{"RequestId", request_id},
                          {"HostId", host},
                          {"Code", error.code()},
                          {"Message", IsValidUtf8(message) ? message : RepairUtf8(message)},
                          {"Recommend", recommend}};
    r = Make(error.http_status(), request_id, format, boost::json::serialize(o));
  }
  if (error.retry_after_ms() > 0) {
    r.headers.emplace_back("x-acs-retry-after", std::to_string(error.retry_after_ms()));
  }
  return r;
}

}  // namespace sag::api
