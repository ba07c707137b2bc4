#include "ops/flow_log_facet.h"

#include <boost/json.hpp>

#include "ops/store_errors.h"

namespace sag::ops {

std::string FlowLogFacetValue(const store::FlowLogRecord* f) {
  if (f == nullptr || f->status != "Active") return "{}";
  return boost::json::serialize(boost::json::object{{"flow_log_id", f->id},
                                                    {"output_type", f->output_type},
                                                    {"active_aging", f->active_aging},
                                                    {"inactive_aging", f->inactive_aging},
                                                    {"sls_region_id", f->sls_region_id},
                                                    {"project_name", f->project_name},
                                                    {"logstore_name", f->logstore_name},
                                                    {"netflow_server_ip", f->netflow_server_ip},
                                                    {"netflow_server_port", f->netflow_server_port},
                                                    {"netflow_version", f->netflow_version}});
}

namespace {

// Sets value as the facet of each of the instance's devices and pushes it to those online.
Result<bool, ApiError> SetOnDevices(const OpContext& ctx, const store::InstanceRecord& in,
                                    const std::string& value) {
  for (const std::string& sn : in.serial_numbers) {
    auto desired = ctx.store().SetDesiredFacet(sn, kFacetFlowLog, value, ctx.now_ms(), false);
    if (!desired) return MakeUnexpected(StoreFailure(desired.error()));
    if (ctx.services.devices != nullptr) {
      ctx.services.devices->Push(sn, kFacetFlowLog, desired->generation, value);
    }
  }
  return true;
}

}  // namespace

Result<bool, ApiError> DistributeFlowLog(const OpContext& ctx, const store::InstanceRecord& in) {
  auto id = ctx.store().FlowLogOfInstance(in.id);
  if (!id) return MakeUnexpected(StoreFailure(id.error()));
  if (!*id) return SetOnDevices(ctx, in, FlowLogFacetValue(nullptr));
  auto f = ctx.store().GetFlowLog(in.account_id, in.region_id, **id);
  if (!f) return MakeUnexpected(StoreFailure(f.error()));
  return SetOnDevices(ctx, in, FlowLogFacetValue(&*f));
}

Result<bool, ApiError> DistributeFlowLogToInstances(const OpContext& ctx,
                                                    const store::FlowLogRecord& f) {
  const std::string value = FlowLogFacetValue(&f);
  constexpr int64_t kPage = 200;
  for (int64_t offset = 0;; offset += kPage) {
    auto members = ctx.store().ListFlowLogInstances(f.account_id, f.region_id, f.id, offset, kPage);
    if (!members) return MakeUnexpected(StoreFailure(members.error()));
    for (const auto& m : members->first) {
      auto in = ctx.store().GetInstance(f.account_id, f.region_id, m.instance_id);
      if (!in) {
        if (in.error().code == store::StoreErrorCode::kNotFound) continue;
        return MakeUnexpected(StoreFailure(in.error()));
      }
      RETURN_IF_ERROR(SetOnDevices(ctx, *in, value));
    }
    if (static_cast<int64_t>(members->first.size()) < kPage) return true;
  }
}

}  // namespace sag::ops
