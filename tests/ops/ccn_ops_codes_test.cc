// Every documented error code of the Cloud Connect Network operations (CreateCloudConnectNetwork,
// DescribeCloudConnectNetworks, ModifyCloudConnectNetwork, DeleteCloudConnectNetwork,
// BindSmartAccessGateway, UnbindSmartAccessGateway, DescribeBindableSmartAccessGateways) that
// OpenSAG can reach: status, Code and Message exactly (docs/testing.md lists which test reaches
// which code, and why the others cannot be reached).
#include <string>

#include <gtest/gtest.h>

#include "ops/op_harness.h"

namespace sag::ops::testing {
namespace {

constexpr char kForbidden[] = "User not authorized to operate on the specified resource.";
constexpr char kMissing[] = "The input parameter is missing, please check your input.";
constexpr char kInvalidCcnId[] = "Invalid cloud connect network id.";
constexpr char kInvalidSagId[] = "The specified smart access gateway instance id is invalid.";

TEST(CreateCloudConnectNetworkCodesTest, NameDescriptionAndCidrs) {
  OpHarness h;
  EXPECT_API_ERROR(
      h.Call("CreateCloudConnectNetwork", {{"RegionId", "cn-shanghai"}, {"Name", "1bad"}}), 403,
      "InvalidName", "Name not valid.");
  EXPECT_API_ERROR(
      h.Call("CreateCloudConnectNetwork", {{"RegionId", "cn-shanghai"}, {"Description", "1bad"}}),
      403, "InvalidDescription", "Description not valid.");
  EXPECT_API_ERROR(h.Call("CreateCloudConnectNetwork",
                          {{"RegionId", "cn-shanghai"}, {"CidrBlock", "10.0.0.0/40"}}),
                   400, "CCN.InvalidCidr", "The specified CCN CIDR block is invalid.");
  EXPECT_API_ERROR(h.Call("CreateCloudConnectNetwork",
                          {{"RegionId", "cn-shanghai"},
                           {"CidrBlock",
                            "10.0.0.0/24,10.0.1.0/24,10.0.2.0/24,10.0.3.0/24,10.0.4.0/24,"
                            "10.0.5.0/24"}}),
                   400, "CCN.CidrAmountLimit",
                   "The maximum number of CCN CIDR blocks is exceeded.");
  EXPECT_API_ERROR(h.Call("CreateCloudConnectNetwork",
                          {{"RegionId", "cn-shanghai"}, {"SnatCidrBlock", "300.0.0.0/24"}}),
                   400, "CCN.InvalidSnatCidr", "The SNAT CIDR block of CCN is invalid.");
}

TEST(CreateCloudConnectNetworkCodesTest, ForbiddenAndAmountLimit) {
  OpHarness h;
  EXPECT_API_ERROR(h.CallAs(h.NewRamUser("ops-reader"), "CreateCloudConnectNetwork",
                            {{"RegionId", "cn-shanghai"}}),
                   403, "Forbidden", kForbidden);
  for (int i = 0; i < 20; ++i) h.NewCcn("ccn-" + std::to_string(i));
  EXPECT_API_ERROR(h.Call("CreateCloudConnectNetwork", {{"RegionId", "cn-shanghai"}}), 403,
                   "CcnAmountLimit",
                   "The CCNs you created has reached the limit, you can raise the limit by "
                   "application.");
}

TEST(DescribeCloudConnectNetworksCodesTest, Forbidden) {
  OpHarness h;
  EXPECT_API_ERROR(h.CallAs(h.NewRamUser("ops-reader"), "DescribeCloudConnectNetworks",
                            {{"RegionId", "cn-shanghai"}}),
                   403, "Forbidden", kForbidden);
}

TEST(ModifyCloudConnectNetworkCodesTest, MissingOrUnknownCcn) {
  OpHarness h;
  EXPECT_API_ERROR(h.Call("ModifyCloudConnectNetwork", {{"RegionId", "cn-shanghai"}}), 400,
                   "CCN.InvalidId", "You must specify the CCN instance ID.");
  EXPECT_API_ERROR(h.Call("ModifyCloudConnectNetwork", {{"CcnId", "ccn-abc"}}), 403,
                   "MissingParameter", kMissing);
  EXPECT_API_ERROR(h.Call("ModifyCloudConnectNetwork",
                          {{"RegionId", "cn-shanghai"}, {"CcnId", "ccn-nosuch"}, {"Name", "edge"}}),
                   403, "InvalidId.CCN", kInvalidCcnId);
}

TEST(ModifyCloudConnectNetworkCodesTest, ForbiddenCidrsAndInterworkingStatus) {
  OpHarness h;
  const std::string ccn = h.NewCcn();
  EXPECT_API_ERROR(h.CallAs(h.NewRamUser("ops-reader"), "ModifyCloudConnectNetwork",
                            {{"RegionId", "cn-shanghai"}, {"CcnId", ccn}, {"Name", "edge"}}),
                   403, "Forbidden", kForbidden);
  EXPECT_API_ERROR(
      h.Call("ModifyCloudConnectNetwork",
             {{"RegionId", "cn-shanghai"}, {"CcnId", ccn}, {"CidrBlock", "10.0.0.0/40"}}),
      400, "CCN.InvalidCidr", "The specified CCN CIDR block is invalid.");
  EXPECT_API_ERROR(h.Call("ModifyCloudConnectNetwork",
                          {{"RegionId", "cn-shanghai"},
                           {"CcnId", ccn},
                           {"CidrBlock",
                            "10.0.0.0/24,10.0.1.0/24,10.0.2.0/24,10.0.3.0/24,10.0.4.0/24,"
                            "10.0.5.0/24"}}),
                   400, "CCN.CidrAmountLimit",
                   "The maximum number of CCN CIDR blocks is exceeded.");
  EXPECT_API_ERROR(
      h.Call("ModifyCloudConnectNetwork",
             {{"RegionId", "cn-shanghai"}, {"CcnId", ccn}, {"InterworkingStatus", "sometimes"}}),
      400, "CCN.InvalidInterworkingStatus",
      "The specified connection status is invalid. Specify the connection status to enable or "
      "disable.");
}

TEST(DeleteCloudConnectNetworkCodesTest, MissingUnknownForbiddenOrBound) {
  OpHarness h;
  EXPECT_API_ERROR(h.Call("DeleteCloudConnectNetwork", {{"RegionId", "cn-shanghai"}}), 403,
                   "MissingParameter", kMissing);
  EXPECT_API_ERROR(
      h.Call("DeleteCloudConnectNetwork", {{"RegionId", "cn-shanghai"}, {"CcnId", "ccn-nosuch"}}),
      400, "ParameterCcnInstanceId", "The specified CCN instance does not exist.");
  const std::string ccn = h.NewCcn();
  EXPECT_API_ERROR(h.CallAs(h.NewRamUser("ops-reader"), "DeleteCloudConnectNetwork",
                            {{"RegionId", "cn-shanghai"}, {"CcnId", ccn}}),
                   403, "Forbidden", kForbidden);
  h.BindCcn(h.NewActiveInstance(), ccn);
  EXPECT_API_ERROR(
      h.Call("DeleteCloudConnectNetwork", {{"RegionId", "cn-shanghai"}, {"CcnId", ccn}}), 403,
      "AlreadyBound.SMARTAG",
      "This instance has been bound, please unbind smart access gateway first.");
}

CallOutcome BindSag(OpHarness& h, const std::string& sag, const std::string& ccn) {
  return h.Call("BindSmartAccessGateway",
                {{"RegionId", "cn-shanghai"}, {"SmartAGId", sag}, {"CcnId", ccn}});
}

TEST(BindSmartAccessGatewayCodesTest, MissingUnknownOrForbidden) {
  OpHarness h;
  const std::string ccn = h.NewCcn();
  const std::string sag = h.NewActiveInstance();
  EXPECT_API_ERROR(
      h.Call("BindSmartAccessGateway", {{"RegionId", "cn-shanghai"}, {"SmartAGId", sag}}), 403,
      "MissingParameter", kMissing);
  EXPECT_API_ERROR(BindSag(h, sag, "ccn-nosuch"), 403, "InvalidId.CCN", kInvalidCcnId);
  EXPECT_API_ERROR(BindSag(h, "sag-nosuch", ccn), 403, "InvalidId.SMARTAG", kInvalidSagId);
  EXPECT_API_ERROR(h.CallAs(h.NewRamUser("ops-reader"), "BindSmartAccessGateway",
                            {{"RegionId", "cn-shanghai"}, {"SmartAGId", sag}, {"CcnId", ccn}}),
                   403, "Forbidden", kForbidden);
}

TEST(BindSmartAccessGatewayCodesTest, NotActivatedExpiredOrAlreadyBound) {
  OpHarness h;
  const std::string ccn = h.NewCcn();
  EXPECT_API_ERROR(BindSag(h, h.NewInstance(), ccn), 500, "SmartAccessGatewayNotActivated",
                   "The specified Smart Access Gateway has not been activated.");
  const std::string sag = h.NewActiveInstance();
  h.BindCcn(sag, ccn);
  EXPECT_API_ERROR(BindSag(h, sag, h.NewCcn("other")), 403, "SmartAccessGatewayAlreadyBound",
                   "The smart access gateway already bound.");
  h.ExpireInstances();
  EXPECT_API_ERROR(BindSag(h, sag, ccn), 500, "SmartAccessGatewayInArrears",
                   "The specified Smart Access Gateway has expired.");
}

TEST(BindSmartAccessGatewayCodesTest, CidrConflictWithAnInstanceOfTheCcn) {
  OpHarness h;
  const std::string ccn = h.NewCcn();
  const std::string a = h.NewActiveInstance();
  const std::string b = h.NewActiveInstance();
  for (const std::string& id : {a, b}) {
    EXPECT_API_OK(
        h.Call("ModifySmartAccessGateway",
               {{"RegionId", "cn-shanghai"}, {"SmartAGId", id}, {"CidrBlock", "192.168.10.0/24"}}));
  }
  h.BindCcn(a, ccn);
  EXPECT_API_ERROR(BindSag(h, b, ccn), 403, "CidrConflict",
                   "Cidr is conflict, Please Check your input.");
}

TEST(UnbindSmartAccessGatewayCodesTest, MissingUnknownForbiddenOrNotBound) {
  OpHarness h;
  const std::string ccn = h.NewCcn();
  const std::string sag = h.NewActiveInstance();
  EXPECT_API_ERROR(h.Call("UnbindSmartAccessGateway", {{"SmartAGId", sag}, {"CcnId", ccn}}), 403,
                   "MissingParameter", kMissing);
  EXPECT_API_ERROR(
      h.Call("UnbindSmartAccessGateway",
             {{"RegionId", "cn-shanghai"}, {"SmartAGId", "sag-nosuch"}, {"CcnId", ccn}}),
      403, "InvalidId.SMARTAG", kInvalidSagId);
  EXPECT_API_ERROR(h.CallAs(h.NewRamUser("ops-reader"), "UnbindSmartAccessGateway",
                            {{"RegionId", "cn-shanghai"}, {"SmartAGId", sag}, {"CcnId", ccn}}),
                   403, "Forbidden", kForbidden);
  EXPECT_API_ERROR(h.Call("UnbindSmartAccessGateway",
                          {{"RegionId", "cn-shanghai"}, {"SmartAGId", sag}, {"CcnId", ccn}}),
                   400, "InvalidInstanceId.NotFound",
                   "The specified instance or grant does not exist.");
}

TEST(DescribeBindableSmartAccessGatewaysCodesTest, CcnIdMissingAndRegionUnknown) {
  OpHarness h;
  EXPECT_API_ERROR(h.Call("DescribeBindableSmartAccessGateways", {{"RegionId", "cn-shanghai"}}),
                   400, "CCN.InvalidId", "You must specify the CCN instance ID.");
  EXPECT_API_ERROR(h.Call("DescribeBindableSmartAccessGateways",
                          {{"RegionId", "mars-1"}, {"CcnId", h.NewCcn()}}),
                   400, "InvalidRegionID", "The specified regionId does not exist.");
}

}  // namespace
}  // namespace sag::ops::testing
