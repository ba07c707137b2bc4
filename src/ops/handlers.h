// Every operation handler, one per source file of the same name. The registry (registry.cc) says
// which parameters each requires and what RAM resource it acts on; handlers may assume those
// checks passed. Those returning OpStep may suspend on a device (ops/op.h).
#pragma once

#include "ops/op.h"

namespace sag::ops {

// ---- smartag 2018-03-13 ----
OpResult DescribeRegions(OpContext& ctx);
OpResult CreateSmartAccessGateway(OpContext& ctx);
OpResult DescribeSmartAccessGateways(OpContext& ctx);
OpResult DescribeSmartAccessGatewayAttribute(OpContext& ctx);
OpResult ModifySmartAccessGateway(OpContext& ctx);
OpResult DeleteSmartAccessGateway(OpContext& ctx);
OpResult BindSerialNumber(OpContext& ctx);
OpResult UnbindSerialNumber(OpContext& ctx);
OpResult ActivateSmartAccessGateway(OpContext& ctx);
OpResult DescribeSmartAccessGatewayHa(OpContext& ctx);
OpResult RebootSmartAccessGateway(OpContext& ctx);
OpStep ModifySAGAdminPassword(OpContext& ctx);
OpResult DescribeSAGDeviceInfo(OpContext& ctx);
OpResult CreateCloudConnectNetwork(OpContext& ctx);
OpResult DescribeCloudConnectNetworks(OpContext& ctx);
OpResult ModifyCloudConnectNetwork(OpContext& ctx);
OpResult DeleteCloudConnectNetwork(OpContext& ctx);
OpResult BindSmartAccessGateway(OpContext& ctx);
OpResult UnbindSmartAccessGateway(OpContext& ctx);
OpResult DescribeBindableSmartAccessGateways(OpContext& ctx);

// ---- SAG app instances and client users (reference §3 F) ----
OpResult CreateSmartAccessGatewaySoftware(OpContext& ctx);
OpResult CreateSmartAccessGatewayClientUser(OpContext& ctx);
OpResult DescribeSmartAccessGatewayClientUsers(OpContext& ctx);
OpResult ModifySmartAccessGatewayClientUser(OpContext& ctx);
OpResult DeleteSmartAccessGatewayClientUser(OpContext& ctx);
OpResult ResetSmartAccessGatewayClientUserPassword(OpContext& ctx);
OpResult EnableSmartAccessGatewayUser(OpContext& ctx);
OpResult DisableSmartAccessGatewayUser(OpContext& ctx);
OpResult KickOutClients(OpContext& ctx);
OpResult DescribeUserOnlineClients(OpContext& ctx);
OpResult DescribeUserOnlineClientStatistics(OpContext& ctx);

// ---- OpenSAG operator API (docs/operator-api.md) ----
OpResult CreateAccount(OpContext& ctx);
OpResult ListAccounts(OpContext& ctx);
OpResult CreateUser(OpContext& ctx);
OpResult ListUsers(OpContext& ctx);
OpResult DeleteUser(OpContext& ctx);
OpResult CreateAccessKey(OpContext& ctx);
OpResult ListAccessKeys(OpContext& ctx);
OpResult UpdateAccessKey(OpContext& ctx);
OpResult DeleteAccessKey(OpContext& ctx);
OpResult CreatePolicy(OpContext& ctx);
OpResult GetPolicy(OpContext& ctx);
OpResult ListPolicies(OpContext& ctx);
OpResult DeletePolicy(OpContext& ctx);
OpResult AttachPolicyToUser(OpContext& ctx);
OpResult DetachPolicyFromUser(OpContext& ctx);
OpResult ListPoliciesForUser(OpContext& ctx);
OpResult RegisterDevice(OpContext& ctx);
OpResult ListDevices(OpContext& ctx);
OpResult RetireDevice(OpContext& ctx);
OpResult GetClock(OpContext& ctx);
OpResult SetClock(OpContext& ctx);
OpResult OpenClientSession(OpContext& ctx);
OpResult CloseClientSession(OpContext& ctx);
OpResult PublishVersion(OpContext& ctx);
OpResult ListVersions(OpContext& ctx);
OpResult WithdrawVersion(OpContext& ctx);
OpResult ListUpgrades(OpContext& ctx);
OpResult RolloutVersion(OpContext& ctx);
OpResult ListDeviceStates(OpContext& ctx);

// ---- smartag: software versions (reference §2) ----
OpResult DescribeSmartAccessGatewayVersions(OpContext& ctx);
OpStep UpdateSmartAccessGatewayVersion(OpContext& ctx);
OpResult DescribeDeviceAutoUpgradePolicy(OpContext& ctx);
OpResult ModifyDeviceAutoUpgradePolicy(OpContext& ctx);

}  // namespace sag::ops
