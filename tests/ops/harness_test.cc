// The harness itself: a call reaches the operation as through the gateway, and the recording
// device channel answers waits as told.
#include <gtest/gtest.h>

#include "ops/op_harness.h"

namespace sag::ops::testing {
namespace {

TEST(OpHarnessTest, ChecksRequiredParametersRegionAndRamBeforeTheHandler) {
  OpHarness h;
  EXPECT_API_ERROR(
      h.Call("DescribeSmartAccessGatewayAttribute", {{"RegionId", "cn-shanghai"}}), 400,
      "MissingParameter",
      "The input parameter \"SmartAGId\" that is mandatory for processing this request is "
      "not supplied.");
  EXPECT_API_ERROR(h.Call("DescribeSmartAccessGateways", {{"RegionId", "mars-1"}}), 400,
                   "InvalidRegionID", "The specified regionId does not exist.");
  EXPECT_API_OK(h.Call("DescribeSmartAccessGateways", {{"RegionId", "cn-shanghai"}}));
  Principal ram = h.NewRamUser("ops-reader");
  EXPECT_API_ERROR(h.CallAs(ram, "DescribeSmartAccessGateways", {{"RegionId", "cn-shanghai"}}), 403,
                   "Forbidden", "User not authorized to operate on the specified resource.");
}

TEST(OpHarnessTest, ActiveInstanceHasAnOnlineDevice) {
  OpHarness h;
  const std::string id = h.NewActiveInstance();
  ASSERT_FALSE(h.DeviceOf(id).empty());
  EXPECT_TRUE(h.devices().IsOnline(h.DeviceOf(id)));
  auto r = h.Call("DescribeSmartAccessGatewayAttribute",
                  {{"RegionId", "cn-shanghai"}, {"SmartAGId", id}});
  EXPECT_API_OK(r);
  EXPECT_EQ(r.body["Status"], "Active");
}

}  // namespace
}  // namespace sag::ops::testing
