// Operator API, test mode: ResetState, the way back to a known state between tests without
// restarting sagd (store/reset_store.h removes the data; this ends what lives outside the store).
#include "ops/op.h"
#include "ops/store_errors.h"

namespace sag::ops {
namespace {

// The setting SetClock keeps the business clock's offset in (operator_accounts.cc, server.cc).
constexpr std::string_view kClockOffsetSetting = "test_clock_offset_ms";

OpResult ResetState(OpContext& ctx) {
  const std::string account_id = ctx.params.Get("AccountId");
  const bool all = account_id.empty();
  auto r = ctx.store().ResetAccounts(account_id);
  if (!r) {
    if (r.error().code == store::StoreErrorCode::kNotFound) {
      return MakeUnexpected(ApiError(ApiErrorId::kEntityNotExist, {"account"}));
    }
    if (r.error().code == store::StoreErrorCode::kConflict) {
      return MakeUnexpected(ApiError::Internal(r.error().detail));
    }
    return MakeUnexpected(StoreFailure(r.error()));
  }
  // Committed: what outlives the rows goes too. Removed keys must stop authenticating at once.
  if (ctx.services.credentials != nullptr) ctx.services.credentials->Clear();
  if (ctx.services.devices != nullptr) {
    for (const std::string& sn : r->unbound_serial_numbers) ctx.services.devices->Disconnect(sn);
  }
  if (all) {
    if (ctx.services.faults != nullptr) ctx.services.faults->Clear();
    if (ctx.services.test_clock != nullptr) {
      ctx.services.test_clock->set_offset_ms(0);
      if (auto put = ctx.store().PutSetting(kClockOffsetSetting, "0"); !put) {
        return MakeUnexpected(StoreFailure(put.error()));
      }
    }
  }
  return boost::json::object{
      {"AccountsRemoved", r->accounts_removed},
      {"DevicesDisconnected", static_cast<int64_t>(r->unbound_serial_numbers.size())}};
}

}  // namespace

extern const OpSpec kResetStateSpec{
    .action = "ResetState", .handler = &ResetState, .operator_only = true, .test_mode_only = true};

}  // namespace sag::ops
