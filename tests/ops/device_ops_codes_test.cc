// Every documented error code of the operations on an instance's devices (BindSerialNumber,
// UpdateSmartAccessGatewayVersion, ModifySAGAdminPassword, DescribeSmartAccessGatewayVersions):
// status, Code and Message exactly (docs/testing.md lists which test reaches which code).
#include <string>

#include <gtest/gtest.h>

#include "ops/op_harness.h"

namespace sag::ops::testing {
namespace {

constexpr char kForbidden[] = "User not authorized to operate on the specified resource.";

// ---- BindSerialNumber ----

TEST(BindSerialNumberCodesTest, InstanceIdEmptyAndNotFound) {
  OpHarness h;
  EXPECT_API_ERROR(
      h.Call("BindSerialNumber", {{"RegionId", "cn-shanghai"}, {"SerialNumber", "sage62x000001"}}),
      400, "SAG.InstanceIdEmpty", "You must specify the SAG instance ID.");
  EXPECT_API_ERROR(h.Call("BindSerialNumber", {{"RegionId", "cn-shanghai"},
                                               {"SmartAGId", "sag-nosuchinstance"},
                                               {"SerialNumber", "sage62x000001"}}),
                   400, "SAG.InstanceNoFound", "The specified SAG instance does not exist.");
}

TEST(BindSerialNumberCodesTest, SerialNumberInvalidBoundElsewhereOrOverTheLimit) {
  OpHarness h;
  const std::string a = h.NewInstance();
  const std::string b = h.NewInstance();
  EXPECT_API_ERROR(
      h.Call("BindSerialNumber",
             {{"RegionId", "cn-shanghai"}, {"SmartAGId", a}, {"SerialNumber", "sage62x999999"}}),
      400, "SAG.InvalidSerialNumber", "The specified SerialNumber is invalid.");
  const std::string sn = h.NewDevice();
  h.Bind(a, sn);
  EXPECT_API_ERROR(h.Call("BindSerialNumber",
                          {{"RegionId", "cn-shanghai"}, {"SmartAGId", b}, {"SerialNumber", sn}}),
                   400, "SAG.SnConflict",
                   "The specified SerialNumber has been bound to another SAG instance.");
  EXPECT_API_ERROR(
      h.Call("BindSerialNumber",
             {{"RegionId", "cn-shanghai"}, {"SmartAGId", a}, {"SerialNumber", h.NewDevice()}}),
      400, "SAG.SnOverLimit",
      "The maximum number of serial numbers bound to the SAG instance is exceeded.");
}

TEST(BindSerialNumberCodesTest, ResourceInOperatingWhileADeviceChangeIsUnconfirmed) {
  OpHarness h;
  const std::string id = h.NewInstance("sag-100wm", "cold_backup");
  const std::string main = h.NewDevice();
  h.Bind(id, main);
  auto desired =
      h.store().SetDesiredFacet(main, store::kFacetAdminPassword, "{}", h.clock().NowMs(),
                                /*require_synchronized=*/false);
  ASSERT_TRUE(desired.has_value());
  EXPECT_API_ERROR(
      h.Call("BindSerialNumber",
             {{"RegionId", "cn-shanghai"}, {"SmartAGId", id}, {"SerialNumber", h.NewDevice()}}),
      400, "ResourceInOperating", "The specified resource is being used. Please try later.");
}

TEST(BindSerialNumberCodesTest, InArrearsOnceExpired) {
  OpHarness h;
  const std::string id = h.NewInstance();
  const std::string sn = h.NewDevice();
  h.ExpireInstances();
  EXPECT_API_ERROR(h.Call("BindSerialNumber",
                          {{"RegionId", "cn-shanghai"}, {"SmartAGId", id}, {"SerialNumber", sn}}),
                   500, "SmartAccessGatewayInArrears",
                   "The specified Smart Access Gateway has expired.");
}

// ---- UpdateSmartAccessGatewayVersion ----

// An Active instance bound to a CCN, its device online on firmware 2.0.0; 2.1.0 and 1.0.0 are
// published for it.
struct UpgradeFixture {
  OpHarness h;
  std::string id;
  std::string sn;
  UpgradeFixture() {
    id = h.NewActiveInstance();
    sn = h.DeviceOf(id);
    h.BindCcn(id, h.NewCcn());
    h.PublishVersion("Device", "2.1.0");
    h.PublishVersion("Device", "1.0.0");
  }
  CallOutcome Upgrade(std::string_view version_code, std::string_view serial_number = "") {
    Params p;
    p.Set("RegionId", "cn-shanghai");
    p.Set("SmartAGId", id);
    p.Set("VersionCode", std::string(version_code));
    if (!serial_number.empty()) p.Set("SerialNumber", std::string(serial_number));
    return h.CallAs(h.customer(), "UpdateSmartAccessGatewayVersion", p);
  }
};

TEST(UpdateSmartAccessGatewayVersionCodesTest, ForbiddenAndInvalidId) {
  UpgradeFixture f;
  EXPECT_API_ERROR(
      f.h.CallAs(f.h.NewRamUser("ops-reader"), "UpdateSmartAccessGatewayVersion",
                 {{"RegionId", "cn-shanghai"}, {"SmartAGId", f.id}, {"VersionCode", "2.1.0"}}),
      403, "Forbidden", kForbidden);
  EXPECT_API_ERROR(
      f.h.Call(
          "UpdateSmartAccessGatewayVersion",
          {{"RegionId", "cn-shanghai"}, {"SmartAGId", "sag-nosuch"}, {"VersionCode", "2.1.0"}}),
      403, "InvalidId.SMARTAG", "The specified smart access gateway instance id is invalid.");
}

TEST(UpdateSmartAccessGatewayVersionCodesTest, NotActivatedNotBoundOrExpired) {
  OpHarness h;
  const std::string init = h.NewInstance();
  EXPECT_API_ERROR(
      h.Call("UpdateSmartAccessGatewayVersion",
             {{"RegionId", "cn-shanghai"}, {"SmartAGId", init}, {"VersionCode", "2.1.0"}}),
      500, "SmartAccessGatewayNotActivated",
      "The specified Smart Access Gateway has not been activated.");
  const std::string active = h.NewActiveInstance();
  EXPECT_API_ERROR(
      h.Call("UpdateSmartAccessGatewayVersion",
             {{"RegionId", "cn-shanghai"}, {"SmartAGId", active}, {"VersionCode", "2.1.0"}}),
      403, "NotBoundCCN",
      "The specified smart access gateway has not bound CCN; please bind CCN first.");
  h.ExpireInstances();
  EXPECT_API_ERROR(
      h.Call("UpdateSmartAccessGatewayVersion",
             {{"RegionId", "cn-shanghai"}, {"SmartAGId", active}, {"VersionCode", "2.1.0"}}),
      500, "SmartAccessGatewayInArrears", "The specified Smart Access Gateway has expired.");
}

TEST(UpdateSmartAccessGatewayVersionCodesTest, PermissionErrorForAnotherSerialNumber) {
  UpgradeFixture f;
  EXPECT_API_ERROR(f.Upgrade("2.1.0", "sage62x777777"), 500, "PermissionError",
                   "No permission to operate the instance.");
}

TEST(UpdateSmartAccessGatewayVersionCodesTest, NotOnlineVersionUnknownOrTooOld) {
  UpgradeFixture f;
  EXPECT_API_ERROR(f.Upgrade("1.0.0"), 403, "VersionTooOld",
                   "The specified version is outdated; please select a newer version.");
  f.h.Connect(f.sn, "not-a-version");
  EXPECT_API_ERROR(f.Upgrade("2.1.0"), 403, "GetSmartAccessGatewayVersionError",
                   "An error occurred while obtaining the smart access gateway version.");
  f.h.devices().SetOnline(f.sn, false);
  EXPECT_API_ERROR(f.Upgrade("2.1.0"), 403, "SmartAccessGatewayNotOnline",
                   "The specified smart access gateway is not online.");
}

TEST(UpdateSmartAccessGatewayVersionCodesTest, StateErrorWhenTheDeviceDoesNotAcknowledge) {
  UpgradeFixture f;
  f.h.devices().AnswerWith(DeviceAnswer::kStaySilent);
  EXPECT_API_ERROR(f.Upgrade("2.1.0"), 403, "GetSmartAccessGatewayStateError",
                   "An error occurred while obtaining the smart access gateway status.");
  f.h.devices().AnswerWith(DeviceAnswer::kApply);
  EXPECT_API_OK(f.Upgrade("2.1.0"));
}

// ---- ModifySAGAdminPassword ----

CallOutcome ModifyPassword(OpHarness& h, const std::string& id, const std::string& sn,
                           std::string_view password = "Admin_1234") {
  return h.Call("ModifySAGAdminPassword", {{"RegionId", "cn-shanghai"},
                                           {"SmartAGId", id},
                                           {"SmartAGSn", sn},
                                           {"Password", std::string(password)}});
}

TEST(ModifySAGAdminPasswordCodesTest, PasswordMissingOrInvalid) {
  OpHarness h;
  const std::string id = h.NewActiveInstance();
  EXPECT_API_ERROR(
      h.Call("ModifySAGAdminPassword",
             {{"RegionId", "cn-shanghai"}, {"SmartAGId", id}, {"SmartAGSn", h.DeviceOf(id)}}),
      400, "MissingParam.Password", "You must specify Password.");
  EXPECT_API_ERROR(ModifyPassword(h, id, h.DeviceOf(id), "short"), 400, "IllegalParam.Password",
                   "The specified Password is invalid.");
}

TEST(ModifySAGAdminPasswordCodesTest, InstanceOrDeviceNotFound) {
  OpHarness h;
  const std::string id = h.NewActiveInstance();
  EXPECT_API_ERROR(ModifyPassword(h, "sag-nosuch", h.DeviceOf(id)), 400, "SAG.InstanceNoFound",
                   "The specified SAG instance does not exist.");
  EXPECT_API_ERROR(ModifyPassword(h, id, "sage62x777777"), 400, "InstanceNotExit",
                   "The specified instance does not exist.");
}

TEST(ModifySAGAdminPasswordCodesTest, SoftwareInstances) {
  OpHarness h;
  const std::string app = h.NewAppInstance();
  const std::string user = h.NewClientUser(app);
  EXPECT_API_ERROR(ModifyPassword(h, app, user), 400, "SAG.SoftwareNotSupportFeature",
                   "The specified SAG Software instance does not support this feature.");
  EXPECT_API_ERROR(ModifyPassword(h, app, "sage62x777777"), 400, "SAG.SoftwareNotSupport",
                   "The specified SAG software edition instance does not support ACL.");
}

TEST(ModifySAGAdminPasswordCodesTest, NotActivatedExpiredOrNotOnline) {
  OpHarness h;
  const std::string init = h.NewInstance();
  const std::string init_sn = h.NewDevice();
  h.Bind(init, init_sn);
  EXPECT_API_ERROR(ModifyPassword(h, init, init_sn), 400, "SmartAccessGatewayNotActivated",
                   "The specified Smart Access Gateway has not been activated.");
  const std::string id = h.NewActiveInstance();
  h.devices().SetOnline(h.DeviceOf(id), false);
  EXPECT_API_ERROR(ModifyPassword(h, id, h.DeviceOf(id)), 403, "SmartAccessGatewayNotOnline",
                   "The specified smart access gateway is not online.");
  h.ExpireInstances();
  EXPECT_API_ERROR(ModifyPassword(h, id, h.DeviceOf(id)), 400, "SmartAccessGatewayInArrears",
                   "The specified Smart Access Gateway has expired.");
}

TEST(ModifySAGAdminPasswordCodesTest, FeatureNotSupportedByTheEditionOrFirmware) {
  OpHarness h;
  const std::string vcpe = h.NewActiveInstance("sag-vcpe");
  EXPECT_API_ERROR(
      ModifyPassword(h, vcpe, h.DeviceOf(vcpe)), 403, "FeatureNotSupport",
      "The current edition of the smart access gateway does not support this feature.");
  const std::string old = h.NewActiveInstance("sag-100wm", "1.4.0");
  EXPECT_API_ERROR(
      ModifyPassword(h, old, h.DeviceOf(old)), 403, "FeatureNotSupportForActiveSmartAG",
      "The current edition of the active smart access gateway does not support this feature.");

  const std::string ha = h.NewInstance("sag-100wm", "cold_backup");
  const std::string main = h.NewDevice();
  const std::string standby = h.NewDevice();
  h.Bind(ha, main);
  h.Bind(ha, standby);
  h.Connect(main, "2.0.0");
  h.Connect(standby, "1.4.0");
  EXPECT_API_OK(
      h.Call("ActivateSmartAccessGateway", {{"RegionId", "cn-shanghai"}, {"SmartAGId", ha}}));
  EXPECT_API_ERROR(
      ModifyPassword(h, ha, standby), 403, "FeatureNotSupportForStandBySmartAG",
      "The current edition of the standby smart access gateway does not support this feature.");
  EXPECT_API_OK(ModifyPassword(h, ha, main));
}

TEST(ModifySAGAdminPasswordCodesTest, TheDeviceRefusesStaysSilentOrGoesOffline) {
  OpHarness h;
  const std::string id = h.NewActiveInstance();
  const std::string sn = h.DeviceOf(id);
  h.devices().AnswerWith(DeviceAnswer::kFail);
  EXPECT_API_ERROR(ModifyPassword(h, id, sn), 400, "ConfigUnsynchronized",
                   "The network configuration is not synchronized.");
  h.devices().AnswerWith(DeviceAnswer::kStaySilent);
  EXPECT_API_ERROR(ModifyPassword(h, id, sn), 400, "ConfigUnsynchronized",
                   "The network configuration is not synchronized.");
  // The silent device's change is still unconfirmed: refused before anything is pushed.
  const size_t pushed = h.devices().pushes().size();
  EXPECT_API_ERROR(ModifyPassword(h, id, sn), 400, "ConfigUnsynchronized",
                   "The network configuration is not synchronized.");
  EXPECT_EQ(h.devices().pushes().size(), pushed);

  const std::string other = h.NewActiveInstance();
  h.devices().AnswerWith(DeviceAnswer::kGoOffline);
  EXPECT_API_ERROR(ModifyPassword(h, other, h.DeviceOf(other)), 400, "SmartAccessGatewayOffline",
                   "The request cannot be completed. The Smart Access Gateway is offline.");
}

// ---- DescribeSmartAccessGatewayVersions ----

TEST(DescribeSmartAccessGatewayVersionsCodesTest, ForbiddenAndUnknownVersionType) {
  OpHarness h;
  const std::string id = h.NewActiveInstance();
  EXPECT_API_ERROR(h.CallAs(h.NewRamUser("ops-reader"), "DescribeSmartAccessGatewayVersions",
                            {{"RegionId", "cn-shanghai"}, {"SmartAGId", id}}),
                   403, "Forbidden", kForbidden);
  EXPECT_API_ERROR(
      h.Call("DescribeSmartAccessGatewayVersions",
             {{"RegionId", "cn-shanghai"}, {"SmartAGId", id}, {"VersionType", "Firmware"}}),
      400, "VersionNotExist", "The specified version does not exist.");
}

}  // namespace
}  // namespace sag::ops::testing
