// The online clients of a client user: KickOutClients and DescribeUserOnlineClients (smartag), and
// the operator API's OpenClientSession / CloseClientSession, which simulate a client connecting
// (test mode only; docs/operator-api.md).
#include "common/ids.h"
#include "common/time_format.h"
#include "ops/client_user_common.h"
#include "ops/op.h"
#include "ops/store_errors.h"
#include "ops/validation.h"

namespace sag::ops {

namespace {

OpResult KickOutClients(OpContext& ctx) {
  const std::string name = ctx.params.Get("Username");
  if (!IsValidClientUserName(name)) {
    return MakeUnexpected(ApiError(ApiErrorId::kClientUserNameInvalid));
  }
  ASSIGN_OR_RETURN(store::InstanceRecord in, LoadAppInstance(ctx, ctx.params.Get("SmartAGId"),
                                                             ApiErrorId::kSagInstanceNoFoundDb));
  RETURN_IF_ERROR(LoadClientUser(ctx, in, name));
  auto closed = ctx.store().CloseClientSessions(in.id, name);
  if (!closed) return MakeUnexpected(StoreFailure(closed.error()));
  return boost::json::object{};
}

}  // namespace

namespace {

OpResult DescribeUserOnlineClients(OpContext& ctx) {
  const std::string name = ctx.params.Get("UserName");
  if (!IsValidClientUserName(name)) {
    return MakeUnexpected(ApiError(ApiErrorId::kClientUserNameInvalid));
  }
  ASSIGN_OR_RETURN(store::InstanceRecord in, LoadAppInstance(ctx, ctx.params.Get("SmartAGId"),
                                                             ApiErrorId::kSagInstanceNoFound));
  RETURN_IF_ERROR(LoadClientUser(ctx, in, name));
  auto sessions = ctx.store().ListClientSessions(in.id, name);
  if (!sessions) return MakeUnexpected(StoreFailure(sessions.error()));
  boost::json::array items;
  for (const auto& s : *sessions) {
    items.push_back(boost::json::object{{"ClientIp", FormatIpv4(s.client_ip)},
                                        {"OnlineTime", FormatDeviceTime(s.online_ms)}});
  }
  return boost::json::object{{"Users", boost::json::object{{"User", std::move(items)}}}};
}

}  // namespace

namespace {

OpResult DescribeUserOnlineClientStatistics(OpContext& ctx) {
  const std::vector<std::string> names = ctx.params.GetList("UserNames");
  if (names.empty()) return MakeUnexpected(ApiError(ApiErrorId::kClientUserNameEmpty));
  if (names.size() > 50) return MakeUnexpected(ApiError::InvalidParameter("UserNames"));
  for (const auto& name : names) {
    if (!IsValidClientUserName(name)) {
      return MakeUnexpected(ApiError(ApiErrorId::kClientUserNameInvalid));
    }
  }
  ASSIGN_OR_RETURN(store::InstanceRecord in, LoadAppInstance(ctx, ctx.params.Get("SmartAGId"),
                                                             ApiErrorId::kSagInstanceNoFound));
  boost::json::array items;
  for (const auto& name : names) {
    // A name that is no user of the instance has no sessions: "0".
    auto sessions = ctx.store().ListClientSessions(in.id, name);
    if (!sessions) return MakeUnexpected(StoreFailure(sessions.error()));
    items.push_back(
        boost::json::object{{"UserName", name}, {"OnlineCount", std::to_string(sessions->size())}});
  }
  return boost::json::object{
      {"UserStatistics", boost::json::object{{"Statistics", std::move(items)}}}};
}

}  // namespace

namespace {

OpResult OpenClientSession(OpContext& ctx) {
  store::ClientSessionRecord session;
  session.id = NewResourceId("cs");
  session.instance_id = ctx.params.Get("SmartAGId");
  session.user_name = ctx.params.Get("UserName");
  session.online_ms = ctx.now_ms();
  auto opened = ctx.store().OpenClientSession(session);
  if (!opened) {
    if (opened.error().code == store::StoreErrorCode::kConflict) {
      return MakeUnexpected(ApiError(ApiErrorId::kClientUserDisabled));
    }
    return MakeUnexpected(EntityError(opened.error(), "client user"));
  }
  return boost::json::object{{"SessionId", opened->id},
                             {"SmartAGId", opened->instance_id},
                             {"UserName", opened->user_name},
                             {"ClientIp", FormatIpv4(opened->client_ip)},
                             {"OnlineTime", FormatDeviceTime(opened->online_ms)}};
}

}  // namespace

namespace {

OpResult CloseClientSession(OpContext& ctx) {
  auto r = ctx.store().CloseClientSession(ctx.params.Get("SessionId"));
  if (!r) return MakeUnexpected(EntityError(r.error(), "client session"));
  return boost::json::object{};
}

}  // namespace

extern const OpSpec kDescribeUserOnlineClientsSpec{
    .action = "DescribeUserOnlineClients",
    .handler = &DescribeUserOnlineClients,
    .required = {{"SmartAGId", ApiErrorId::kSagInstanceIdEmpty},
                 {"RegionId"},
                 {"UserName", ApiErrorId::kClientUserNameEmpty}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

extern const OpSpec kDescribeUserOnlineClientStatisticsSpec{
    .action = "DescribeUserOnlineClientStatistics",
    .handler = &DescribeUserOnlineClientStatistics,
    .required = {{"SmartAGId", ApiErrorId::kSagInstanceIdEmpty}, {"RegionId"}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

extern const OpSpec kKickOutClientsSpec{
    .action = "KickOutClients",
    .handler = &KickOutClients,
    .required = {{"SmartAGId", ApiErrorId::kSagInstanceIdEmpty},
                 {"RegionId"},
                 {"Username", ApiErrorId::kClientUserNameEmpty}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

extern const OpSpec kOpenClientSessionSpec{.action = "OpenClientSession",
                                           .handler = &OpenClientSession,
                                           .required = {{"SmartAGId"}, {"UserName"}},
                                           .operator_only = true,
                                           .test_mode_only = true};

extern const OpSpec kCloseClientSessionSpec{.action = "CloseClientSession",
                                            .handler = &CloseClientSession,
                                            .required = {{"SessionId"}},
                                            .operator_only = true,
                                            .test_mode_only = true};

}  // namespace sag::ops
