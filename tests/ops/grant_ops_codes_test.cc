// Documented error codes of the grant and bandwidth operations (GrantSagInstanceToCcn,
// RevokeSagInstanceFromCcn, UpgradeSmartAccessGateway, DowngradeSmartAccessGateway): status, Code
// and Message exactly. docs/testing.md lists which test reaches which code.
#include <string>

#include <gtest/gtest.h>

#include "ops/op_harness.h"

namespace sag::ops::testing {
namespace {

constexpr char kSagIdEmpty[] = "You must specify the SAG instance ID.";
constexpr char kCcnIdEmpty[] = "You must specify the CCN instance ID.";
constexpr char kSagNoFound[] = "The specified SAG instance does not exist.";
constexpr char kInvalidUid[] = "The specified CCN user ID is invalid.";
constexpr char kMissing[] = "The input parameter is missing, please check your input.";
constexpr char kForbidden[] = "User not authorized to operate on the specified resource.";

TEST(GrantSagInstanceToCcnCodesTest, MissingInvalidUnknownAndDuplicated) {
  OpHarness h;
  const std::string sag = h.NewActiveInstance();
  const Principal other = h.NewAccount("peer");
  const std::string uid = other.account_id;
  EXPECT_API_ERROR(h.Call("GrantSagInstanceToCcn", {{"RegionId", "cn-shanghai"},
                                                    {"CcnInstanceId", "ccn-peer000000000001"},
                                                    {"CcnUid", uid}}),
                   400, "SAG.InstanceIdEmpty", kSagIdEmpty);
  EXPECT_API_ERROR(h.Call("GrantSagInstanceToCcn",
                          {{"RegionId", "cn-shanghai"}, {"SmartAGId", sag}, {"CcnUid", uid}}),
                   400, "CCN.InvalidId", kCcnIdEmpty);
  EXPECT_API_ERROR(h.Call("GrantSagInstanceToCcn", {{"RegionId", "cn-shanghai"},
                                                    {"SmartAGId", sag},
                                                    {"CcnInstanceId", "ccn-peer000000000001"}}),
                   400, "CCN.InvalidUid", kInvalidUid);
  EXPECT_API_ERROR(h.Call("GrantSagInstanceToCcn", {{"RegionId", "cn-shanghai"},
                                                    {"SmartAGId", sag},
                                                    {"CcnInstanceId", "ccn-peer000000000001"},
                                                    {"CcnUid", "not-a-uid"}}),
                   400, "CCN.InvalidUid", kInvalidUid);
  EXPECT_API_ERROR(h.Call("GrantSagInstanceToCcn", {{"RegionId", "cn-shanghai"},
                                                    {"SmartAGId", "sag-nosuch"},
                                                    {"CcnInstanceId", "ccn-peer000000000001"},
                                                    {"CcnUid", uid}}),
                   400, "SAG.InstanceNoFound", kSagNoFound);
  EXPECT_API_OK(h.Call("GrantSagInstanceToCcn", {{"RegionId", "cn-shanghai"},
                                                 {"SmartAGId", sag},
                                                 {"CcnInstanceId", "ccn-peer000000000001"},
                                                 {"CcnUid", uid}}));
  EXPECT_API_ERROR(h.Call("GrantSagInstanceToCcn", {{"RegionId", "cn-shanghai"},
                                                    {"SmartAGId", sag},
                                                    {"CcnInstanceId", "ccn-another0000000001"},
                                                    {"CcnUid", uid}}),
                   400, "SAG.GrantDuplicated",
                   "You have authorized another CCN instance to bind to the specified SAG "
                   "instance. Revoke the authorization first.");
}

TEST(RevokeSagInstanceFromCcnCodesTest, MissingInstanceOrCcn) {
  OpHarness h;
  const std::string sag = h.NewActiveInstance();
  EXPECT_API_ERROR(h.Call("RevokeSagInstanceFromCcn",
                          {{"RegionId", "cn-shanghai"}, {"CcnInstanceId", "ccn-peer000000000001"}}),
                   400, "SAG.InstanceIdEmpty", kSagIdEmpty);
  EXPECT_API_ERROR(
      h.Call("RevokeSagInstanceFromCcn", {{"RegionId", "cn-shanghai"}, {"SmartAGId", sag}}), 400,
      "CCN.InvalidId", kCcnIdEmpty);
}

TEST(UpgradeDowngradeSmartAccessGatewayCodesTest, UserCountAndDataPlan) {
  OpHarness h;
  const std::string sag = h.NewInstance();  // sag-100wm at 10 Mbit/s
  EXPECT_API_ERROR(h.Call("UpgradeSmartAccessGateway", {{"RegionId", "cn-shanghai"},
                                                        {"SmartAGId", sag},
                                                        {"AutoPay", "true"},
                                                        {"BandWidthSpec", "20"},
                                                        {"UserCount", "x"}}),
                   400, "SAG.InvalidUserCount", "The specified UserCount is invalid.");
  EXPECT_API_ERROR(h.Call("UpgradeSmartAccessGateway", {{"RegionId", "cn-shanghai"},
                                                        {"SmartAGId", sag},
                                                        {"AutoPay", "true"},
                                                        {"BandWidthSpec", "20"},
                                                        {"DataPlan", "-1"}}),
                   400, "SAG.InvalidDataPlan", "The specified DataPlan is invalid.");
  EXPECT_API_ERROR(h.Call("DowngradeSmartAccessGateway", {{"RegionId", "cn-shanghai"},
                                                          {"SmartAGId", sag},
                                                          {"AutoPay", "true"},
                                                          {"BandWidthSpec", "5"},
                                                          {"UserCount", "x"}}),
                   400, "SAG.InvalidUserCount", "The specified UserCount is invalid.");
  EXPECT_API_ERROR(h.Call("DowngradeSmartAccessGateway", {{"RegionId", "cn-shanghai"},
                                                          {"SmartAGId", sag},
                                                          {"AutoPay", "true"},
                                                          {"BandWidthSpec", "5"},
                                                          {"DataPlan", "-1"}}),
                   400, "SAG.InvalidDataPlan", "The specified DataPlan is invalid.");
}

TEST(ClearSagCipherCodesTest, MissingParameter) {
  OpHarness h;
  EXPECT_API_ERROR(h.Call("ClearSagCipher", {{"RegionId", "cn-shanghai"}, {"SagId", "sag-x"}}), 403,
                   "MissingParameter", kMissing);
}

TEST(UseLimitCodesTest, ForbiddenWithoutAPolicy) {
  OpHarness h;
  const Principal reader = h.NewRamUser("no-policy");
  EXPECT_API_ERROR(
      h.CallAs(reader, "GetCloudConnectNetworkUseLimit", {{"RegionId", "cn-shanghai"}}), 403,
      "Forbidden", kForbidden);
  EXPECT_API_ERROR(h.CallAs(reader, "GetSmartAccessGatewayUseLimit", {{"RegionId", "cn-shanghai"}}),
                   403, "Forbidden", kForbidden);
}

TEST(ModifySmartAccessGatewayUpBandwidthCodesTest, MissingOrUnknownInstance) {
  OpHarness h;
  EXPECT_API_ERROR(h.Call("ModifySmartAccessGatewayUpBandwidth", {{"RegionId", "cn-shanghai"}}),
                   403, "MissingParameter", kMissing);
  EXPECT_API_ERROR(h.Call("ModifySmartAccessGatewayUpBandwidth",
                          {{"RegionId", "cn-shanghai"}, {"SmartAGId", "sag-nosuch"}}),
                   403, "InvalidId.SMARTAG",
                   "The specified smart access gateway instance id is invalid.");
}

}  // namespace
}  // namespace sag::ops::testing
