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
extern const OpSpec kCreateACLSpec;
extern const OpSpec kDescribeACLsSpec;
extern const OpSpec kModifyACLSpec;
extern const OpSpec kDeleteACLSpec;
extern const OpSpec kAddACLRuleSpec;
extern const OpSpec kDescribeACLAttributeSpec;
extern const OpSpec kModifyACLRuleSpec;
extern const OpSpec kDeleteACLRuleSpec;
extern const OpSpec kAssociateACLSpec;
extern const OpSpec kDisassociateACLSpec;
extern const OpSpec kGetAclAttributeSpec;
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
// Grants (issue 15).
extern const OpSpec kGrantInstanceToCbnSpec;
extern const OpSpec kRevokeInstanceFromCbnSpec;
extern const OpSpec kDescribeGrantRulesSpec;
extern const OpSpec kGrantSagInstanceToCcnSpec;
extern const OpSpec kRevokeSagInstanceFromCcnSpec;
extern const OpSpec kDescribeGrantSagRulesSpec;
// Flow logs (issue 15).
extern const OpSpec kCreateFlowLogSpec;
extern const OpSpec kDescribeFlowLogsSpec;
extern const OpSpec kModifyFlowLogAttributeSpec;
extern const OpSpec kDeleteFlowLogSpec;
extern const OpSpec kActiveFlowLogSpec;
extern const OpSpec kDeactiveFlowLogSpec;
extern const OpSpec kAssociateFlowLogSpec;
extern const OpSpec kDisassociateFlowLogSpec;
extern const OpSpec kDescribeFlowLogSagsSpec;
extern const OpSpec kDescribeUnbindFlowLogSagsSpec;
// Bandwidth, vCPE keys, quotas (issue 15).
extern const OpSpec kUpgradeSmartAccessGatewaySpec;
extern const OpSpec kDowngradeSmartAccessGatewaySpec;
extern const OpSpec kModifySmartAccessGatewayUpBandwidthSpec;
extern const OpSpec kClearSagCipherSpec;
extern const OpSpec kGetCloudConnectNetworkUseLimitSpec;
extern const OpSpec kGetSmartAccessGatewayUseLimitSpec;
extern const OpSpec kListRequestsSpec;
extern const OpSpec kGetRequestSpec;
extern const OpSpec kCreateFaultRuleSpec;
extern const OpSpec kListFaultRulesSpec;
extern const OpSpec kDeleteFaultRuleSpec;
extern const OpSpec kDisconnectDeviceSpec;
extern const OpSpec kResetStateSpec;
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
      &kCreateACLSpec,
      &kDescribeACLsSpec,
      &kModifyACLSpec,
      &kDeleteACLSpec,
      &kAddACLRuleSpec,
      &kDescribeACLAttributeSpec,
      &kModifyACLRuleSpec,
      &kDeleteACLRuleSpec,
      &kAssociateACLSpec,
      &kDisassociateACLSpec,
      &kGetAclAttributeSpec,
      // Grants (issue 15).
      &kGrantInstanceToCbnSpec,
      &kRevokeInstanceFromCbnSpec,
      &kDescribeGrantRulesSpec,
      &kGrantSagInstanceToCcnSpec,
      &kRevokeSagInstanceFromCcnSpec,
      &kDescribeGrantSagRulesSpec,
      // Flow logs (issue 15).
      &kCreateFlowLogSpec,
      &kDescribeFlowLogsSpec,
      &kModifyFlowLogAttributeSpec,
      &kDeleteFlowLogSpec,
      &kActiveFlowLogSpec,
      &kDeactiveFlowLogSpec,
      &kAssociateFlowLogSpec,
      &kDisassociateFlowLogSpec,
      &kDescribeFlowLogSagsSpec,
      &kDescribeUnbindFlowLogSagsSpec,
      // Bandwidth, vCPE keys, quotas (issue 15).
      &kUpgradeSmartAccessGatewaySpec,
      &kDowngradeSmartAccessGatewaySpec,
      &kModifySmartAccessGatewayUpBandwidthSpec,
      &kClearSagCipherSpec,
      &kGetCloudConnectNetworkUseLimitSpec,
      &kGetSmartAccessGatewayUseLimitSpec,
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
      &kRolloutVersionSpec,      &kListDeviceStatesSpec,   &kListRequestsSpec,
      &kGetRequestSpec,          &kCreateFaultRuleSpec,    &kListFaultRulesSpec,
      &kDeleteFaultRuleSpec,     &kDisconnectDeviceSpec,   &kResetStateSpec,
      &kLookupEventsSpec,
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
