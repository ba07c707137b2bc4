// Operator API: accounts (operator only) and the test clock (operator only, --test-mode only).
#include "common/time_format.h"
#include "ops/account_setup.h"
#include "ops/instance_common.h"
#include "ops/op.h"
#include "ops/validation.h"

namespace sag::ops {

namespace {

OpResult CreateAccount(OpContext& ctx) {
  std::string name = ctx.params.Get("AccountName");
  if (!IsValidResourceName(name, 1, 64)) {
    return MakeUnexpected(ApiError::InvalidParameter("AccountName"));
  }
  ASSIGN_OR_RETURN(auto created, SetUpAccount(ctx.store(), ctx.services.secrets, ctx.now_ms(), name,
                                              /*is_operator=*/false));
  return boost::json::object{
      {"AccountId", created.account.id},
      {"AccountName", created.account.name},
      {"AccessKey", boost::json::object{{"AccessKeyId", created.root_key.id},
                                        {"AccessKeySecret", created.root_key.secret},
                                        {"UserName", kRootUserName},
                                        {"Status", "Active"}}},
  };
}

}  // namespace

namespace {

OpResult ListAccounts(OpContext& ctx) {
  auto r = ctx.store().ListAccounts();
  if (!r) return MakeUnexpected(StoreFailure(r.error()));
  boost::json::array items;
  for (const auto& a : *r) {
    items.push_back(boost::json::object{{"AccountId", a.id},
                                        {"AccountName", a.name},
                                        {"IsOperator", a.is_operator},
                                        {"CreateDate", FormatIso8601Utc(a.create_ms)}});
  }
  return boost::json::object{{"Accounts", boost::json::object{{"Account", std::move(items)}}}};
}

}  // namespace

namespace {

inline constexpr std::string_view kClockOffsetSetting = "test_clock_offset_ms";

boost::json::object ClockBody(const OpContext& ctx) {
  int64_t now = ctx.now_ms();
  return boost::json::object{{"Now", now},
                             {"NowText", FormatIso8601Utc(now)},
                             {"OffsetMs", ctx.services.test_clock->offset_ms()}};
}

}  // namespace

namespace {

OpResult GetClock(OpContext& ctx) { return ClockBody(ctx); }

}  // namespace

// SetClock: either Now (epoch ms or ISO 8601) or AdvanceMs (may be negative); the offset is stored
// so a restarted sagd keeps the moved clock.
namespace {

OpResult SetClock(OpContext& ctx) {
  OffsetClock& clock = *ctx.services.test_clock;
  const Params& p = ctx.params;
  if (p.Has("Now")) {
    auto ms = ParseInt64(p.Get("Now"));
    if (!ms) ms = ParseIso8601Utc(p.Get("Now"));
    if (!ms) return MakeUnexpected(ApiError::InvalidParameter("Now"));
    clock.Set(*ms);
  } else if (p.Has("AdvanceMs")) {
    auto delta = ParseInt64(p.Get("AdvanceMs"));
    if (!delta) return MakeUnexpected(ApiError::InvalidParameter("AdvanceMs"));
    clock.Advance(*delta);
  } else {
    return MakeUnexpected(ApiError::MissingParameter("Now"));
  }
  if (auto r = ctx.store().PutSetting(kClockOffsetSetting, std::to_string(clock.offset_ms())); !r) {
    return MakeUnexpected(StoreFailure(r.error()));
  }
  return ClockBody(ctx);
}

}  // namespace

extern const OpSpec kCreateAccountSpec{.action = "CreateAccount",
                                       .handler = &CreateAccount,
                                       .required = {{"AccountName"}},
                                       .operator_only = true};

extern const OpSpec kListAccountsSpec{
    .action = "ListAccounts", .handler = &ListAccounts, .operator_only = true};

extern const OpSpec kGetClockSpec{
    .action = "GetClock", .handler = &GetClock, .operator_only = true, .test_mode_only = true};

extern const OpSpec kSetClockSpec{
    .action = "SetClock", .handler = &SetClock, .operator_only = true, .test_mode_only = true};

}  // namespace sag::ops
