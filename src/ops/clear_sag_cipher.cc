// ClearSagCipher: gives a device of the caller's vCPE instance (SagId, SnNumber) a new key. The
// old key stops authenticating at once and a session that used it is ended; the owner reads the new
// one in Devices.Device[].SecretKey.
#include "common/ids.h"
#include "ops/instance_common.h"
#include "ops/op.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

OpResult ClearSagCipher(OpContext& ctx) {
  const Params& p = ctx.params;
  ASSIGN_OR_RETURN(auto in, LoadInstance(ctx, p.Get("SagId"), ApiErrorId::kInvalidIdSmartag));
  if (in.hardware_spec != "sag-vcpe") return MakeUnexpected(ApiError::InvalidParameter("SagId"));
  const std::string sn = p.Get("SnNumber");
  auto r = ctx.store().RotateDeviceSecret(in.id, sn, ctx.services.secrets.Seal(NewDeviceSecret()),
                                          ctx.now_ms());
  if (!r) {
    if (r.error().code == store::StoreErrorCode::kNotFound) {
      return MakeUnexpected(ApiError::InvalidParameter("SnNumber"));
    }
    return MakeUnexpected(StoreFailure(r.error()));
  }
  if (ctx.services.devices != nullptr) ctx.services.devices->Disconnect(sn);
  return boost::json::object{};
}

}  // namespace

extern const OpSpec kClearSagCipherSpec{
    .action = "ClearSagCipher",
    .handler = &ClearSagCipher,
    .required = {{"SagId", ApiErrorId::kSmartagMissingParameter},
                 {"SnNumber", ApiErrorId::kSmartagMissingParameter},
                 {"RegionId", ApiErrorId::kSmartagMissingParameter}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SagId"};

}  // namespace sag::ops
