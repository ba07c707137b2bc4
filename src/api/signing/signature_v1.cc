#include "api/signing/signature_v1.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/time_format.h"

namespace sag::signing {

std::string V1StringToSign(std::string_view http_method, const ParamList& params) {
  std::vector<const std::pair<std::string, std::string>*> sorted;
  sorted.reserve(params.size());
  for (const auto& param : params) {
    if (param.first != "Signature") sorted.push_back(&param);
  }
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return *a < *b; });

  std::string canonical;
  for (const auto* param : sorted) {
    if (!canonical.empty()) canonical.push_back('&');
    canonical += PercentEncode(param->first);
    canonical.push_back('=');
    canonical += PercentEncode(param->second);
  }

  std::string out(http_method);
  out += "&";
  out += PercentEncode("/");
  out += "&";
  out += PercentEncode(canonical);
  return out;
}

std::string V1Signature(std::string_view access_key_secret, std::string_view string_to_sign) {
  std::string key(access_key_secret);
  key.push_back('&');
  return Base64Encode(HmacSha1(key, string_to_sign));
}

ParamList SignV1(const V1SignInput& input) {
  ParamList params = input.params;
  params.emplace_back("Action", input.action);
  params.emplace_back("Version", input.version);
  params.emplace_back("Format", input.format);
  params.emplace_back("AccessKeyId", input.access_key_id);
  params.emplace_back("SignatureMethod", "HMAC-SHA1");
  params.emplace_back("SignatureVersion", "1.0");
  params.emplace_back("SignatureNonce",
                      input.nonce.empty() ? HexEncode(RandomBytes(16)) : input.nonce);
  params.emplace_back("Timestamp", input.timestamp.empty() ? FormatIso8601Utc(SystemClock().NowMs())
                                                           : input.timestamp);
  const std::string string_to_sign = V1StringToSign(input.http_method, params);
  params.emplace_back("Signature", V1Signature(input.access_key_secret, string_to_sign));
  return params;
}

}  // namespace sag::signing
