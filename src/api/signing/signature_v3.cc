#include "api/signing/signature_v3.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/time_format.h"

namespace sag::signing {
namespace {

constexpr std::string_view kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

std::string ToLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string JoinSemicolon(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) {
    if (!out.empty()) out.push_back(';');
    out += name;
  }
  return out;
}

// Splits "a;b;c" into names; nullopt when any name is empty.
std::optional<std::vector<std::string>> SplitSignedHeaders(std::string_view text) {
  std::vector<std::string> names;
  size_t pos = 0;
  while (true) {
    size_t end = text.find(';', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view name = Trim(text.substr(pos, end - pos));
    if (name.empty()) return std::nullopt;
    names.push_back(ToLower(name));
    if (end == text.size()) break;
    pos = end + 1;
  }
  return names;
}

}  // namespace

std::optional<V3Authorization> ParseV3Authorization(std::string_view header_value) {
  const std::string_view value = Trim(header_value);
  const size_t space = value.find(' ');
  if (space == std::string_view::npos || space == 0) return std::nullopt;

  V3Authorization auth;
  auth.algorithm = std::string(value.substr(0, space));
  std::string_view rest = Trim(value.substr(space + 1));
  if (rest.empty()) return std::nullopt;

  bool have_credential = false;
  bool have_signed_headers = false;
  bool have_signature = false;
  size_t pos = 0;
  while (true) {
    size_t end = rest.find(',', pos);
    if (end == std::string_view::npos) end = rest.size();
    const std::string_view part = Trim(rest.substr(pos, end - pos));
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    const std::string_view key = part.substr(0, eq);
    const std::string_view val = part.substr(eq + 1);
    if (val.empty()) return std::nullopt;
    if (key == "Credential" && !have_credential) {
      auth.access_key_id = std::string(val);
      have_credential = true;
    } else if (key == "SignedHeaders" && !have_signed_headers) {
      auto names = SplitSignedHeaders(val);
      if (!names) return std::nullopt;
      auth.signed_headers = std::move(*names);
      have_signed_headers = true;
    } else if (key == "Signature" && !have_signature) {
      auth.signature = std::string(val);
      have_signature = true;
    } else {
      return std::nullopt;  // unknown or repeated part
    }
    if (end == rest.size()) break;
    pos = end + 1;
  }
  if (!have_credential || !have_signed_headers || !have_signature) return std::nullopt;
  return auth;
}

std::string V3CanonicalRequest(const V3RequestView& request,
                               const std::vector<std::string>& signed_headers) {
  // Canonical query: sorted by name then value, both percent-encoded.
  std::vector<const std::pair<std::string, std::string>*> query;
  query.reserve(request.query.size());
  for (const auto& param : request.query) query.push_back(&param);
  std::sort(query.begin(), query.end(), [](const auto* a, const auto* b) { return *a < *b; });
  std::string canonical_query;
  for (const auto* param : query) {
    if (!canonical_query.empty()) canonical_query.push_back('&');
    canonical_query += PercentEncode(param->first);
    canonical_query.push_back('=');
    canonical_query += PercentEncode(param->second);
  }

  std::vector<std::string> names;
  names.reserve(signed_headers.size());
  for (const auto& name : signed_headers) names.push_back(ToLower(name));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());

  std::string canonical_headers;
  for (const auto& name : names) {
    std::vector<std::string_view> values;
    const auto [first, last] = request.headers.equal_range(name);
    for (auto it = first; it != last; ++it) values.push_back(Trim(it->second));
    std::sort(values.begin(), values.end());
    canonical_headers += name;
    canonical_headers.push_back(':');
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) canonical_headers.push_back(',');
      canonical_headers += values[i];
    }
    canonical_headers.push_back('\n');
  }

  std::string out = request.method;
  out.push_back('\n');
  out += request.canonical_uri;
  out.push_back('\n');
  out += canonical_query;
  out.push_back('\n');
  out += canonical_headers;
  out.push_back('\n');
  out += JoinSemicolon(names);
  out.push_back('\n');
  out += request.payload_sha256_hex;
  return out;
}

std::string V3StringToSign(std::string_view canonical_request) {
  std::string out(kV3Algorithm);
  out.push_back('\n');
  out += Sha256Hex(canonical_request);
  return out;
}

std::string V3Signature(std::string_view access_key_secret, std::string_view string_to_sign) {
  return HexEncode(HmacSha256(access_key_secret, string_to_sign));
}

std::map<std::string, std::string> SignV3(const V3SignInput& input) {
  std::map<std::string, std::string> headers;
  headers["host"] = input.host;
  headers["x-acs-action"] = input.action;
  headers["x-acs-version"] = input.version;
  headers["x-acs-date"] = input.date.empty() ? FormatIso8601Utc(SystemClock().NowMs()) : input.date;
  headers["x-acs-signature-nonce"] = input.nonce.empty() ? HexEncode(RandomBytes(16)) : input.nonce;
  const std::string payload_hash =
      input.body.empty() ? std::string(kEmptyPayloadSha256) : Sha256Hex(input.body);
  headers["x-acs-content-sha256"] = payload_hash;
  if (!input.body.empty()) headers["content-type"] = input.content_type;

  V3RequestView view;
  view.method = input.http_method;
  view.query = input.query;
  view.payload_sha256_hex = payload_hash;
  std::vector<std::string> signed_headers;
  for (const auto& [name, value] : headers) {
    view.headers.emplace(name, value);
    signed_headers.push_back(name);  // std::map iterates in sorted order
  }

  const std::string canonical = V3CanonicalRequest(view, signed_headers);
  const std::string signature = V3Signature(input.access_key_secret, V3StringToSign(canonical));

  std::string authorization(kV3Algorithm);
  authorization += " Credential=";
  authorization += input.access_key_id;
  authorization += ",SignedHeaders=";
  authorization += JoinSemicolon(signed_headers);
  authorization += ",Signature=";
  authorization += signature;
  headers["authorization"] = std::move(authorization);
  return headers;
}

}  // namespace sag::signing
