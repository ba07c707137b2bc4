// DescribeSmartAccessGatewayAttribute: one instance in detail. An unknown, foreign or other-region
// id is InvalidId.SMARTAG (docs/semantics.md). Devices.Device[].SecretKey shows the secret sagd
// generated for an open-registry device to the account it is bound to; FlowLogIds its flow log.
#include "ops/acl_common.h"
#include "ops/instance_common.h"
#include "ops/op.h"
#include "ops/store_errors.h"

namespace sag::ops {

namespace {

OpResult DescribeSmartAccessGatewayAttribute(OpContext& ctx) {
  ASSIGN_OR_RETURN(auto in,
                   LoadInstance(ctx, ctx.params.Get("SmartAGId"), ApiErrorId::kInvalidIdSmartag));
  std::vector<store::DeviceRecord> devices = DevicesOf(ctx, in);
  std::vector<std::string> secret_keys;
  for (const store::DeviceRecord& d : devices) secret_keys.push_back(ReadableSecretKey(ctx, d));
  ASSIGN_OR_RETURN(const auto acls, AclsOfInstances(ctx, {in.id}));
  boost::json::array acl_ids;
  if (auto acl = acls.find(in.id); acl != acls.end()) acl_ids.emplace_back(acl->second);
  boost::json::object body =
      InstanceAttribute(in, ctx.now_ms(), CcnNameOf(ctx, in), devices, secret_keys);
  body["AclIds"] = boost::json::object{{"AclId", std::move(acl_ids)}};
  auto flow_log = ctx.store().FlowLogOfInstance(in.id);
  if (!flow_log) return MakeUnexpected(StoreFailure(flow_log.error()));
  if (*flow_log) {
    body["FlowLogIds"] =
        boost::json::object{{"FlowLogId", boost::json::array{boost::json::string(**flow_log)}}};
  }
  return body;
}

}  // namespace

extern const OpSpec kDescribeSmartAccessGatewayAttributeSpec{
    .action = "DescribeSmartAccessGatewayAttribute",
    .handler = &DescribeSmartAccessGatewayAttribute,
    .required = {{"RegionId"}, {"SmartAGId"}},
    .resource = ResourceKind::kInstance,
    .resource_param = "SmartAGId"};

}  // namespace sag::ops
