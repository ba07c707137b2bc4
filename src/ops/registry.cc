#include "ops/registry.h"

namespace sag::ops {

// Every operation's spec, defined beside its handler in the source file named after it.
extern const OpSpec kDescribeRegionsSpec;
extern const OpSpec kCreateSmartAccessGatewaySpec;
extern const OpSpec kDescribeSmartAccessGatewaysSpec;
extern const OpSpec kDescribeSmartAccessGatewayAttributeSpec;
extern const OpSpec kModifySmartAccessGatewaySpec;
extern const OpSpec kDeleteSmartAccessGatewaySpec;
extern const OpSpec kBindSerialNumberSpec;
extern const OpSpec kUnbindSerialNumberSpec;
extern const OpSpec kActivateSmartAccessGatewaySpec;
extern const OpSpec kDescribeSmartAccessGatewayHaSpec;
extern const OpSpec kRebootSmartAccessGatewaySpec;
extern const OpSpec kModifySAGAdminPasswordSpec;
extern const OpSpec kDescribeSAGDeviceInfoSpec;
extern const OpSpec kCreateCloudConnectNetworkSpec;
extern const OpSpec kDescribeCloudConnectNetworksSpec;
extern const OpSpec kModifyCloudConnectNetworkSpec;
extern const OpSpec kDeleteCloudConnectNetworkSpec;
extern const OpSpec kBindSmartAccessGatewaySpec;
extern const OpSpec kUnbindSmartAccessGatewaySpec;
extern const OpSpec kDescribeBindableSmartAccessGatewaysSpec;
extern const OpSpec kCreateSmartAccessGatewaySoftwareSpec;
extern const OpSpec kCreateSmartAccessGatewayClientUserSpec;
extern const OpSpec kDescribeSmartAccessGatewayClientUsersSpec;
extern const OpSpec kModifySmartAccessGatewayClientUserSpec;
extern const OpSpec kDeleteSmartAccessGatewayClientUserSpec;
extern const OpSpec kResetSmartAccessGatewayClientUserPasswordSpec;
extern const OpSpec kEnableSmartAccessGatewayUserSpec;
extern const OpSpec kDisableSmartAccessGatewayUserSpec;
extern const OpSpec kDescribeUserOnlineClientsSpec;
extern const OpSpec kDescribeUserOnlineClientStatisticsSpec;
extern const OpSpec kKickOutClientsSpec;
extern const OpSpec kDescribeSmartAccessGatewayVersionsSpec;
extern const OpSpec kUpdateSmartAccessGatewayVersionSpec;
extern const OpSpec kDescribeDeviceAutoUpgradePolicySpec;
extern const OpSpec kModifyDeviceAutoUpgradePolicySpec;
extern const OpSpec kCreateAccountSpec;
extern const OpSpec kListAccountsSpec;
extern const OpSpec kCreateUserSpec;
extern const OpSpec kListUsersSpec;
extern const OpSpec kDeleteUserSpec;
extern const OpSpec kCreateAccessKeySpec;
extern const OpSpec kListAccessKeysSpec;
extern const OpSpec kUpdateAccessKeySpec;
extern const OpSpec kDeleteAccessKeySpec;
extern const OpSpec kCreatePolicySpec;
extern const OpSpec kGetPolicySpec;
extern const OpSpec kListPoliciesSpec;
extern const OpSpec kDeletePolicySpec;
extern const OpSpec kAttachPolicyToUserSpec;
extern const OpSpec kDetachPolicyFromUserSpec;
extern const OpSpec kListPoliciesForUserSpec;
extern const OpSpec kRegisterDeviceSpec;
extern const OpSpec kListDevicesSpec;
extern const OpSpec kRetireDeviceSpec;
extern const OpSpec kGetClockSpec;
extern const OpSpec kSetClockSpec;
extern const OpSpec kOpenClientSessionSpec;
extern const OpSpec kCloseClientSessionSpec;
extern const OpSpec kPublishVersionSpec;
extern const OpSpec kListVersionsSpec;
extern const OpSpec kWithdrawVersionSpec;
extern const OpSpec kListUpgradesSpec;
extern const OpSpec kRolloutVersionSpec;
extern const OpSpec kListDeviceStatesSpec;
extern const OpSpec kLookupEventsSpec;

namespace {

// smartag 2018-03-13.
const std::vector<const OpSpec*>& SmartagOps() {
  static const std::vector<const OpSpec*> kOps = {
      &kDescribeRegionsSpec,
      &kCreateSmartAccessGatewaySpec,
      &kDescribeSmartAccessGatewaysSpec,
      &kDescribeSmartAccessGatewayAttributeSpec,
      &kModifySmartAccessGatewaySpec,
      &kDeleteSmartAccessGatewaySpec,
      &kBindSerialNumberSpec,
      &kUnbindSerialNumberSpec,
      &kActivateSmartAccessGatewaySpec,
      &kDescribeSmartAccessGatewayHaSpec,
      &kRebootSmartAccessGatewaySpec,
      &kModifySAGAdminPasswordSpec,
      &kDescribeSAGDeviceInfoSpec,
      &kCreateCloudConnectNetworkSpec,
      &kDescribeCloudConnectNetworksSpec,
      &kModifyCloudConnectNetworkSpec,
      &kDeleteCloudConnectNetworkSpec,
      &kBindSmartAccessGatewaySpec,
      &kUnbindSmartAccessGatewaySpec,
      &kDescribeBindableSmartAccessGatewaysSpec,
      &kCreateSmartAccessGatewaySoftwareSpec,
      &kCreateSmartAccessGatewayClientUserSpec,
      &kDescribeSmartAccessGatewayClientUsersSpec,
      &kModifySmartAccessGatewayClientUserSpec,
      &kDeleteSmartAccessGatewayClientUserSpec,
      &kResetSmartAccessGatewayClientUserPasswordSpec,
      &kEnableSmartAccessGatewayUserSpec,
      &kDisableSmartAccessGatewayUserSpec,
      &kDescribeUserOnlineClientsSpec,
      &kDescribeUserOnlineClientStatisticsSpec,
      &kKickOutClientsSpec,
      &kDescribeSmartAccessGatewayVersionsSpec,
      &kUpdateSmartAccessGatewayVersionSpec,
      &kDescribeDeviceAutoUpgradePolicySpec,
      &kModifyDeviceAutoUpgradePolicySpec,
  };
  return kOps;
}

// OpenSAG operator API (docs/operator-api.md).
const std::vector<const OpSpec*>& OperatorOps() {
  static const std::vector<const OpSpec*> kOps = {
      &kCreateAccountSpec,       &kListAccountsSpec,       &kCreateUserSpec,
      &kListUsersSpec,           &kDeleteUserSpec,         &kCreateAccessKeySpec,
      &kListAccessKeysSpec,      &kUpdateAccessKeySpec,    &kDeleteAccessKeySpec,
      &kCreatePolicySpec,        &kGetPolicySpec,          &kListPoliciesSpec,
      &kDeletePolicySpec,        &kAttachPolicyToUserSpec, &kDetachPolicyFromUserSpec,
      &kListPoliciesForUserSpec, &kRegisterDeviceSpec,     &kListDevicesSpec,
      &kRetireDeviceSpec,        &kGetClockSpec,           &kSetClockSpec,
      &kOpenClientSessionSpec,   &kCloseClientSessionSpec, &kPublishVersionSpec,
      &kListVersionsSpec,        &kWithdrawVersionSpec,    &kListUpgradesSpec,
      &kRolloutVersionSpec,      &kListDeviceStatesSpec,   &kLookupEventsSpec,
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
  for (const OpSpec* op : *product.ops) {
    if (op->action == action) return op;
  }
  return nullptr;
}

}  // namespace sag::ops
