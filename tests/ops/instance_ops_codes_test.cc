// Every documented error code of the instance lifecycle operations and the regions
// (ActivateSmartAccessGateway, ModifySmartAccessGateway, DeleteSmartAccessGateway,
// DescribeSmartAccessGateways, ModifyDeviceAutoUpgradePolicy, DescribeRegions) that OpenSAG can
// reach: status, Code and Message exactly (docs/testing.md lists which test reaches which code,
// and why the others cannot be reached).
#include <string>

#include <gtest/gtest.h>

#include "ops/op_harness.h"

namespace sag::ops::testing {
namespace {

constexpr char kForbidden[] = "User not authorized to operate on the specified resource.";

TEST(ActivateSmartAccessGatewayCodesTest, ActivateFailedWithoutADevice) {
  OpHarness h;
  const std::string id = h.NewInstance();
  EXPECT_API_ERROR(
      h.Call("ActivateSmartAccessGateway", {{"RegionId", "cn-shanghai"}, {"SmartAGId", id}}), 500,
      "SmartAccessGatewayActivateFailed",
      "An error has occurred while activating the specified Smart Access Gateway.");
}

TEST(ModifySmartAccessGatewayCodesTest, MissingInvalidOrUnknownInstance) {
  OpHarness h;
  EXPECT_API_ERROR(h.Call("ModifySmartAccessGateway", {{"RegionId", "cn-shanghai"}}), 400,
                   "SAG.InstanceIdEmpty", "You must specify the SAG instance ID.");
  EXPECT_API_ERROR(h.Call("ModifySmartAccessGateway", {{"SmartAGId", "sag-abc"}}), 403,
                   "MissingParameter", "The input parameter is missing, please check your input.");
  EXPECT_API_ERROR(
      h.Call("ModifySmartAccessGateway", {{"RegionId", "cn-shanghai"}, {"SmartAGId", "SAG_x!"}}),
      403, "InvalidId.SMARTAG", "The specified smart access gateway instance id is invalid.");
  EXPECT_API_ERROR(h.Call("ModifySmartAccessGateway",
                          {{"RegionId", "cn-shanghai"}, {"SmartAGId", "sag-nosuchinstance"}}),
                   400, "SAG.InstanceNoFound", "The specified SAG instance does not exist.");
}

TEST(ModifySmartAccessGatewayCodesTest, Forbidden) {
  OpHarness h;
  const std::string id = h.NewActiveInstance();
  EXPECT_API_ERROR(h.CallAs(h.NewRamUser("ops-reader"), "ModifySmartAccessGateway",
                            {{"RegionId", "cn-shanghai"}, {"SmartAGId", id}, {"Name", "edge"}}),
                   403, "Forbidden", kForbidden);
}

TEST(ModifySmartAccessGatewayCodesTest, CidrInvalidOrOverlapping) {
  OpHarness h;
  const std::string id = h.NewActiveInstance();
  EXPECT_API_ERROR(
      h.Call("ModifySmartAccessGateway",
             {{"RegionId", "cn-shanghai"}, {"SmartAGId", id}, {"CidrBlock", "10.0.0.0/33"}}),
      403, "InvalidCidr", "Cidr is illegal, please check your input.");
  EXPECT_API_ERROR(h.Call("ModifySmartAccessGateway", {{"RegionId", "cn-shanghai"},
                                                       {"SmartAGId", id},
                                                       {"CidrBlock", "10.0.0.0/16,10.0.1.0/24"}}),
                   403, "CidrConflict", "Cidr is conflict, Please Check your input.");
}

TEST(ModifySmartAccessGatewayCodesTest, NotActivatedExpiredOrFeatureOfTheApp) {
  OpHarness h;
  const std::string init = h.NewInstance();
  EXPECT_API_ERROR(
      h.Call("ModifySmartAccessGateway",
             {{"RegionId", "cn-shanghai"}, {"SmartAGId", init}, {"CidrBlock", "10.0.0.0/24"}}),
      500, "SmartAccessGatewayNotActivated",
      "The specified Smart Access Gateway has not been activated.");
  EXPECT_API_ERROR(
      h.Call("ModifySmartAccessGateway", {{"RegionId", "cn-shanghai"},
                                          {"SmartAGId", init},
                                          {"EnableSoftwareConnectionAudit", "true"}}),
      403, "FeatureNotSupport",
      "The current edition of the smart access gateway does not support this feature.");
  h.ExpireInstances();
  EXPECT_API_ERROR(h.Call("ModifySmartAccessGateway",
                          {{"RegionId", "cn-shanghai"}, {"SmartAGId", init}, {"Name", "edge"}}),
                   500, "SmartAccessGatewayInArrears",
                   "The specified Smart Access Gateway has expired.");
}

TEST(DeleteSmartAccessGatewayCodesTest, MissingInstanceId) {
  OpHarness h;
  EXPECT_API_ERROR(h.Call("DeleteSmartAccessGateway", {{"RegionId", "cn-shanghai"}}), 403,
                   "MissingParameter", "The input parameter is missing, please check your input.");
}

TEST(DescribeSmartAccessGatewaysCodesTest, Forbidden) {
  OpHarness h;
  EXPECT_API_ERROR(h.CallAs(h.NewRamUser("ops-reader"), "DescribeSmartAccessGateways",
                            {{"RegionId", "cn-shanghai"}}),
                   403, "Forbidden", kForbidden);
}

TEST(ModifyDeviceAutoUpgradePolicyCodesTest, InstanceIdEmptyAndSerialNumberInvalid) {
  OpHarness h;
  const std::string id = h.NewActiveInstance();
  EXPECT_API_ERROR(h.Call("ModifyDeviceAutoUpgradePolicy",
                          {{"RegionId", "cn-shanghai"}, {"SerialNumber", h.DeviceOf(id)}}),
                   400, "SAG.InstanceIdEmpty", "You must specify the SAG instance ID.");
  EXPECT_API_ERROR(
      h.Call("ModifyDeviceAutoUpgradePolicy", {{"RegionId", "cn-shanghai"}, {"SmartAGId", id}}),
      400, "SAG.InvalidSerialNumber", "The specified SerialNumber is invalid.");
  EXPECT_API_ERROR(h.Call("ModifyDeviceAutoUpgradePolicy", {{"RegionId", "cn-shanghai"},
                                                            {"SmartAGId", id},
                                                            {"SerialNumber", "sage62x777777"},
                                                            {"UpgradeType", "manual"}}),
                   400, "SAG.InvalidSerialNumber", "The specified SerialNumber is invalid.");
}

TEST(DescribeRegionsCodesTest, Forbidden) {
  OpHarness h;
  EXPECT_API_ERROR(h.CallAs(h.NewRamUser("ops-reader"), "DescribeRegions", {}), 403, "Forbidden",
                   kForbidden);
}

}  // namespace
}  // namespace sag::ops::testing
