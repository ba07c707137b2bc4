// Fuzzes the signature canonicalizers (reference §1.4–1.5) on hostile parameter lists and
// Authorization headers.
// Properties: the V1 string-to-sign does not depend on parameter order and ignores "Signature";
// a parsed V3 Authorization header, written back in its canonical form, parses to the same value;
// the V3 canonical request does not depend on the order of SignedHeaders and always has its six
// lines; the V1 signature of a string is stable (the same bytes twice).
#include <algorithm>
#include <cstdint>
#include <string>

#include "api/signing/signature_v1.h"
#include "api/signing/signature_v3.h"
#include "fuzz_support.h"

namespace {

namespace signing = sag::signing;
using sag::fuzz::Require;

// Input "name=value&name=value..." (any bytes) -> a parameter list, one pair per '\n'-free field.
signing::ParamList ParamsFrom(std::string_view text) {
  signing::ParamList params;
  for (std::string_view field : sag::fuzz::Split(text, '\n')) {
    size_t eq = field.find('=');
    if (eq == std::string_view::npos) {
      params.emplace_back(std::string(field), "");
    } else {
      params.emplace_back(std::string(field.substr(0, eq)), std::string(field.substr(eq + 1)));
    }
  }
  return params;
}

void CheckV1(std::string_view text) {
  signing::ParamList params = ParamsFrom(text);
  std::string forward = signing::V1StringToSign("POST", params);
  signing::ParamList reversed(params.rbegin(), params.rend());
  Require(signing::V1StringToSign("POST", reversed) == forward,
          "V1 string-to-sign is independent of parameter order");
  signing::ParamList with_signature = params;
  with_signature.emplace_back("Signature", "anything");
  Require(signing::V1StringToSign("POST", with_signature) == forward,
          "V1 string-to-sign ignores the Signature parameter");
  Require(forward.rfind("POST&%2F&", 0) == 0, "V1 string-to-sign starts with METHOD&%2F&");
  Require(signing::V1Signature("secret", forward) == signing::V1Signature("secret", forward),
          "V1 signature is deterministic");
}

void CheckV3Header(std::string_view text) {
  auto parsed = signing::ParseV3Authorization(text);
  if (!parsed) {
    return;
  }
  std::string joined;
  for (const auto& h : parsed->signed_headers) {
    joined += (joined.empty() ? "" : ";") + h;
  }
  std::string canonical = parsed->algorithm + " Credential=" + parsed->access_key_id +
                          ",SignedHeaders=" + joined + ",Signature=" + parsed->signature;
  auto again = signing::ParseV3Authorization(canonical);
  Require(again.has_value(), "a parsed Authorization header re-parses from its canonical form");
  Require(again->algorithm == parsed->algorithm && again->access_key_id == parsed->access_key_id &&
              again->signed_headers == parsed->signed_headers &&
              again->signature == parsed->signature,
          "Authorization header round trip keeps every part");
}

void CheckV3Canonical(std::string_view text) {
  auto fields = sag::fuzz::Split(text, '\n');
  signing::V3RequestView request;
  request.method = "POST";
  request.payload_sha256_hex = std::string(64, '0');
  std::vector<std::string> signed_headers;
  for (std::string_view field : fields) {
    size_t colon = field.find(':');
    std::string name(field.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string value(colon == std::string_view::npos ? "" : field.substr(colon + 1));
    request.headers.emplace(name, value);
    request.query.emplace_back(name, value);
    signed_headers.push_back(name);
  }
  std::string canonical = signing::V3CanonicalRequest(request, signed_headers);
  std::vector<std::string> reversed(signed_headers.rbegin(), signed_headers.rend());
  Require(signing::V3CanonicalRequest(request, reversed) == canonical,
          "V3 canonical request is independent of SignedHeaders order");
  Require(signing::V3StringToSign(canonical).rfind("ACS3-HMAC-SHA256\n", 0) == 0,
          "V3 string-to-sign starts with the algorithm");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = sag::fuzz::AsText(data, size);
  CheckV1(text);
  CheckV3Header(text);
  CheckV3Canonical(text);
  return 0;
}
