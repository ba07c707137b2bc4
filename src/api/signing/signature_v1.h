// Signature V1 ("RPC signature", HMAC-SHA1, SignatureVersion 1.0). Used by the
// server to verify and by sag / sag-bench to sign, so both sides run the same code.
#pragma once

#include <string>
#include <string_view>

#include "api/signing/percent_encoding.h"

namespace sag::signing {

// StringToSign = METHOD & %2F & enc(sorted "enc(k)=enc(v)" joined by &), over every parameter
// except "Signature". Sorting is by name bytes (then value, so duplicates are stable).
std::string V1StringToSign(std::string_view http_method, const ParamList& params);

// Base64(HMAC-SHA1(secret + "&", string_to_sign)).
std::string V1Signature(std::string_view access_key_secret, std::string_view string_to_sign);

// What a client needs to sign a V1 call.
struct V1SignInput {
  std::string http_method = "POST";
  std::string access_key_id;
  std::string access_key_secret;
  std::string action;
  std::string version = "2018-03-13";
  std::string format = "JSON";
  std::string timestamp;  // "YYYY-MM-DDThh:mm:ssZ"; empty = now
  std::string nonce;      // empty = random 32 hex chars
  ParamList params;       // business parameters
};

// Returns params + the common parameters (Action, Version, Format, AccessKeyId, SignatureMethod,
// SignatureVersion, SignatureNonce, Timestamp) + Signature: ready to send as a query or form body.
ParamList SignV1(const V1SignInput& input);

}  // namespace sag::signing
