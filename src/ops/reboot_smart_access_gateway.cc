// RebootSmartAccessGateway: until the device channel exists no device is online, so nothing can be
// rebooted.
#include <algorithm>

#include "ops/handlers.h"
#include "ops/instance_common.h"

namespace sag::ops {

OpResult RebootSmartAccessGateway(OpContext& ctx) {
  ASSIGN_OR_RETURN(auto in,
                   LoadInstance(ctx, ctx.params.Get("SmartAGId"), ApiErrorId::kInvalidIdSmartag));
  if (InArrears(in, ctx.now_ms())) {
    return MakeUnexpected(ApiError(ApiErrorId::kSmartAccessGatewayInArrears));
  }
  std::string sn = ctx.params.Get("SerialNumber");
  if (!sn.empty() && std::find(in.serial_numbers.begin(), in.serial_numbers.end(), sn) ==
                         in.serial_numbers.end()) {
    return MakeUnexpected(ApiError(ApiErrorId::kInstanceNotExit));
  }
  return MakeUnexpected(ApiError(ApiErrorId::kSmartAccessGatewayNotOnline));
}

}  // namespace sag::ops
