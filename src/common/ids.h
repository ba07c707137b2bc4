// Identifiers in the formats the smartag wire uses.
#pragma once

#include <string>
#include <string_view>

namespace sag {

// Upper-case UUID v4, "XXXXXXXX-XXXX-4XXX-YXXX-XXXXXXXXXXXX": request ids.
std::string NewRequestId();
// prefix + "-" + 18 lower-case alphanumerics, e.g. "sag-6z21oj0vjjrx6s8a2c": resource ids.
std::string NewResourceId(std::string_view prefix);
// "LTAI" + 20 alphanumerics: AccessKey ids.
std::string NewAccessKeyId();
// 30 alphanumerics: AccessKey secrets.
std::string NewAccessKeySecret();
// 40 alphanumerics: device secrets sagd generates (open-registry devices, docs/device-protocol.md).
std::string NewDeviceSecret();
// 16 decimal digits, not starting with 0: account ids.
std::string NewAccountId();
// n decimal digits: order ids and the like.
std::string NewNumericId(size_t n);

}  // namespace sag
