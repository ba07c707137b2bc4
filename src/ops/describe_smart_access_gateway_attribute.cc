// DescribeSmartAccessGatewayAttribute: one instance in detail. An unknown, foreign or other-region
// id is InvalidId.SMARTAG (docs/semantics.md).
#include "ops/handlers.h"
#include "ops/instance_common.h"

namespace sag::ops {

OpResult DescribeSmartAccessGatewayAttribute(OpContext& ctx) {
  ASSIGN_OR_RETURN(auto in,
                   LoadInstance(ctx, ctx.params.Get("SmartAGId"), ApiErrorId::kInvalidIdSmartag));
  return InstanceAttribute(in, ctx.now_ms(), CcnNameOf(ctx, in), DevicesOf(ctx, in));
}

}  // namespace sag::ops
