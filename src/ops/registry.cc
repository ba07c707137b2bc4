#include "ops/registry.h"

#include "ops/handlers.h"

namespace sag::ops {
namespace {

using E = ApiErrorId;
using R = ResourceKind;

// smartag 2018-03-13. Required parameters and their missing-codes follow each operation's
// documented error table (reference §2-§3); the rest use the gateway's MissingParameter.
const std::vector<OpSpec>& SmartagOps() {
  static const std::vector<OpSpec> kOps = {
      {.action = "DescribeRegions", .handler = &DescribeRegions},
      {.action = "CreateSmartAccessGateway",
       .handler = &CreateSmartAccessGateway,
       .required = {{"RegionId"},
                    {"ChargeType"},
                    {"HaType"},
                    {"HardWareSpec"},
                    {"Period"},
                    {"AutoPay"},
                    {"BuyerMessage"},
                    {"ReceiverAddress"},
                    {"ReceiverCity"},
                    {"ReceiverCountry"},
                    {"ReceiverDistrict"},
                    {"ReceiverEmail"},
                    {"ReceiverMobile"},
                    {"ReceiverName"},
                    {"ReceiverState"},
                    {"ReceiverTown"},
                    {"ReceiverZip"}},
       .resource = R::kAnyInstance},
      {.action = "DescribeSmartAccessGateways", .handler = &DescribeSmartAccessGateways},
      {.action = "DescribeSmartAccessGatewayAttribute",
       .handler = &DescribeSmartAccessGatewayAttribute,
       .required = {{"RegionId"}, {"SmartAGId"}},
       .resource = R::kInstance,
       .resource_param = "SmartAGId"},
      {.action = "ModifySmartAccessGateway",
       .handler = &ModifySmartAccessGateway,
       .required = {{"SmartAGId", E::kSagInstanceIdEmpty},
                    {"RegionId", E::kSmartagMissingParameter}},
       .resource = R::kInstance,
       .resource_param = "SmartAGId"},
      {.action = "DeleteSmartAccessGateway",
       .handler = &DeleteSmartAccessGateway,
       .required = {{"InstanceId", E::kSmartagMissingParameter}},
       .resource = R::kInstance,
       .resource_param = "InstanceId"},
      {.action = "BindSerialNumber",
       .handler = &BindSerialNumber,
       .required = {{"SmartAGId", E::kSagInstanceIdEmpty}, {"RegionId"}, {"SerialNumber"}},
       .resource = R::kInstance,
       .resource_param = "SmartAGId"},
      {.action = "UnbindSerialNumber",
       .handler = &UnbindSerialNumber,
       .required = {{"SmartAGId", E::kSagInstanceIdEmpty}, {"RegionId"}, {"SerialNumber"}},
       .resource = R::kInstance,
       .resource_param = "SmartAGId"},
      {.action = "ActivateSmartAccessGateway",
       .handler = &ActivateSmartAccessGateway,
       .required = {{"RegionId"}, {"SmartAGId"}},
       .resource = R::kInstance,
       .resource_param = "SmartAGId"},
      {.action = "DescribeSmartAccessGatewayHa",
       .handler = &DescribeSmartAccessGatewayHa,
       .required = {{"RegionId"}, {"SmartAGId"}},
       .resource = R::kInstance,
       .resource_param = "SmartAGId"},
      {.action = "RebootSmartAccessGateway",
       .handler = &RebootSmartAccessGateway,
       .required = {{"RegionId"}, {"SmartAGId"}},
       .resource = R::kInstance,
       .resource_param = "SmartAGId"},
      {.action = "ModifySAGAdminPassword",
       .handler = &ModifySAGAdminPassword,
       .required =
           {{"Password", E::kMissingParamPassword}, {"RegionId"}, {"SmartAGId"}, {"SmartAGSn"}},
       .resource = R::kInstance,
       .resource_param = "SmartAGId"},
      {.action = "DescribeSAGDeviceInfo",
       .handler = &DescribeSAGDeviceInfo,
       .required = {{"RegionId"}, {"SmartAGId"}, {"SmartAGSn"}},
       .resource = R::kInstance,
       .resource_param = "SmartAGId"},
      {.action = "CreateCloudConnectNetwork",
       .handler = &CreateCloudConnectNetwork,
       .resource = R::kAnyCcn},
      {.action = "DescribeCloudConnectNetworks",
       .handler = &DescribeCloudConnectNetworks,
       .required = {{"RegionId"}}},
      {.action = "ModifyCloudConnectNetwork",
       .handler = &ModifyCloudConnectNetwork,
       .required = {{"CcnId", E::kCcnInvalidId}, {"RegionId", E::kSmartagMissingParameter}},
       .resource = R::kCcn,
       .resource_param = "CcnId"},
      {.action = "DeleteCloudConnectNetwork",
       .handler = &DeleteCloudConnectNetwork,
       .required = {{"CcnId", E::kSmartagMissingParameter}},
       .resource = R::kCcn,
       .resource_param = "CcnId"},
      {.action = "BindSmartAccessGateway",
       .handler = &BindSmartAccessGateway,
       .required = {{"CcnId", E::kSmartagMissingParameter},
                    {"SmartAGId", E::kSmartagMissingParameter}},
       .resource = R::kInstance,
       .resource_param = "SmartAGId"},
      {.action = "UnbindSmartAccessGateway",
       .handler = &UnbindSmartAccessGateway,
       .required = {{"CcnId", E::kSmartagMissingParameter},
                    {"SmartAGId", E::kSmartagMissingParameter},
                    {"RegionId", E::kSmartagMissingParameter}},
       .resource = R::kInstance,
       .resource_param = "SmartAGId"},
      {.action = "DescribeBindableSmartAccessGateways",
       .handler = &DescribeBindableSmartAccessGateways,
       .required = {{"CcnId", E::kCcnInvalidId}, {"RegionId"}},
       .resource = R::kCcn,
       .resource_param = "CcnId"},
      {.action = "DescribeSmartAccessGatewayVersions",
       .handler = &DescribeSmartAccessGatewayVersions,
       .required = {{"RegionId"}, {"SmartAGId"}},
       .resource = R::kInstance,
       .resource_param = "SmartAGId"},
      {.action = "UpdateSmartAccessGatewayVersion",
       .handler = &UpdateSmartAccessGatewayVersion,
       .required = {{"SmartAGId"}, {"VersionCode"}, {"RegionId"}},
       .resource = R::kInstance,
       .resource_param = "SmartAGId"},
  };
  return kOps;
}

// The OpenSAG operator API (docs/operator-api.md).
const std::vector<OpSpec>& OperatorOps() {
  static const std::vector<OpSpec> kOps = {
      {.action = "CreateAccount",
       .handler = &CreateAccount,
       .required = {{"AccountName"}},
       .operator_only = true},
      {.action = "ListAccounts", .handler = &ListAccounts, .operator_only = true},
      {.action = "CreateUser", .handler = &CreateUser, .required = {{"UserName"}}},
      {.action = "ListUsers", .handler = &ListUsers},
      {.action = "DeleteUser", .handler = &DeleteUser, .required = {{"UserName"}}},
      {.action = "CreateAccessKey", .handler = &CreateAccessKey},
      {.action = "ListAccessKeys", .handler = &ListAccessKeys},
      {.action = "UpdateAccessKey",
       .handler = &UpdateAccessKey,
       .required = {{"UserAccessKeyId"}, {"Status"}}},
      {.action = "DeleteAccessKey", .handler = &DeleteAccessKey, .required = {{"UserAccessKeyId"}}},
      {.action = "CreatePolicy",
       .handler = &CreatePolicy,
       .required = {{"PolicyName"}, {"PolicyDocument"}}},
      {.action = "GetPolicy", .handler = &GetPolicy, .required = {{"PolicyName"}}},
      {.action = "ListPolicies", .handler = &ListPolicies},
      {.action = "DeletePolicy", .handler = &DeletePolicy, .required = {{"PolicyName"}}},
      {.action = "AttachPolicyToUser",
       .handler = &AttachPolicyToUser,
       .required = {{"PolicyName"}, {"UserName"}}},
      {.action = "DetachPolicyFromUser",
       .handler = &DetachPolicyFromUser,
       .required = {{"PolicyName"}, {"UserName"}}},
      {.action = "ListPoliciesForUser",
       .handler = &ListPoliciesForUser,
       .required = {{"UserName"}}},
      {.action = "RegisterDevice",
       .handler = &RegisterDevice,
       .required = {{"SerialNumber"}, {"HardwareModel"}},
       .operator_only = true},
      {.action = "ListDevices", .handler = &ListDevices, .operator_only = true},
      {.action = "RetireDevice",
       .handler = &RetireDevice,
       .required = {{"SerialNumber"}},
       .operator_only = true},
      {.action = "GetClock", .handler = &GetClock, .operator_only = true, .test_mode_only = true},
      {.action = "SetClock", .handler = &SetClock, .operator_only = true, .test_mode_only = true},
      {.action = "PublishVersion",
       .handler = &PublishVersion,
       .required = {{"VersionType"}, {"VersionCode"}, {"HardwareModels"}},
       .operator_only = true},
      {.action = "ListVersions", .handler = &ListVersions, .operator_only = true},
      {.action = "WithdrawVersion",
       .handler = &WithdrawVersion,
       .required = {{"VersionType"}, {"VersionCode"}},
       .operator_only = true},
      {.action = "ListUpgrades", .handler = &ListUpgrades, .operator_only = true},
      {.action = "RolloutVersion",
       .handler = &RolloutVersion,
       .required = {{"VersionType"}, {"VersionCode"}},
       .operator_only = true},
  };
  return kOps;
}

const std::vector<ApiProduct>& Products() {
  static const std::vector<ApiProduct> kProducts = {
      {kSmartagVersion, "smartag", &SmartagOps()},
      {kOperatorVersion, "opensag", &OperatorOps()},
  };
  return kProducts;
}

}  // namespace

const ApiProduct* FindProduct(std::string_view version) {
  for (const auto& p : Products()) {
    if (p.version == version) return &p;
  }
  return nullptr;
}

const OpSpec* FindOp(const ApiProduct& product, std::string_view action) {
  for (const auto& op : *product.ops) {
    if (op.action == action) return &op;
  }
  return nullptr;
}

}  // namespace sag::ops
