// Every documented error code of the SAG app client-user operations (Create-, Describe-, Delete-,
// Modify- and ResetSmartAccessGatewayClientUser(s)(Password), Enable- and
// DisableSmartAccessGatewayUser, KickOutClients, DescribeUserOnlineClients and
// DescribeUserOnlineClientStatistics): status, Code and Message exactly (docs/testing.md lists
// which test reaches which code).
#include <string>

#include <gtest/gtest.h>

#include "ops/op_harness.h"

namespace sag::ops::testing {
namespace {

constexpr char kForbidden[] = "User not authorized to operate on the specified resource.";
constexpr char kIdEmpty[] = "You must specify the SAG instance ID.";
constexpr char kNoFound[] = "The specified SAG instance does not exist.";
constexpr char kNameEmpty[] = "You must specify UserName.";
constexpr char kNameInvalid[] = "The specified UserName is invalid.";

CallOutcome CreateUser(OpHarness& h, const std::string& app, ParamInit extra) {
  Params p;
  p.Set("RegionId", "cn-shanghai");
  p.Set("SmartAGId", app);
  p.Set("UserMail", "bob@example.com");
  for (const auto& [name, value] : extra) p.Set(name, value);
  return h.CallAs(h.customer(), "CreateSmartAccessGatewayClientUser", p);
}

TEST(CreateSmartAccessGatewayClientUserCodesTest, ParametersOfTheUser) {
  OpHarness h;
  const std::string app = h.NewAppInstance();
  EXPECT_API_ERROR(h.Call("CreateSmartAccessGatewayClientUser",
                          {{"RegionId", "cn-shanghai"}, {"SmartAGId", app}}),
                   400, "ClientUser.EmailEmpty", "You must specify UserEmail.");
  EXPECT_API_ERROR(CreateUser(h, app, {{"UserMail", "not-an-address"}}), 400,
                   "ClientUser.EmailInvalid", "The format of the specified UserEmail is invalid.");
  EXPECT_API_ERROR(CreateUser(h, app, {{"Bandwidth", "0"}}), 400, "ClientUser.BandwidthInvalid",
                   "The specified Bandwidth is invalid.");
  EXPECT_API_ERROR(CreateUser(h, app, {{"Password", "Passw0rd_123"}}), 400, "ClientUser.NameEmpty",
                   kNameEmpty);
  EXPECT_API_ERROR(CreateUser(h, app, {{"UserName", "bob"}}), 400, "ClientUser.NameInvalid",
                   kNameInvalid);
  EXPECT_API_ERROR(CreateUser(h, app, {{"ClientIp", ""}}), 400, "ClientUser.IpEmpty",
                   "You must specify ClientIp.");
  EXPECT_API_ERROR(CreateUser(h, app, {{"ClientIp", "10.10.0.300"}}), 400, "ClientUser.IpInvalid",
                   "The specified ClientIp is invalid.");
  EXPECT_API_ERROR(CreateUser(h, app, {{"ClientIp", "172.16.0.9"}}), 400,
                   "ClientUser.InvalidClientIp", "The specified ClientIp is invalid.");
}

TEST(CreateSmartAccessGatewayClientUserCodesTest, TheInstanceDecides) {
  OpHarness h;
  EXPECT_API_ERROR(h.Call("CreateSmartAccessGatewayClientUser",
                          {{"RegionId", "cn-shanghai"}, {"UserMail", "bob@example.com"}}),
                   400, "SAG.InstanceIdEmpty", kIdEmpty);
  EXPECT_API_ERROR(CreateUser(h, "sag-nosuch", {}), 400, "SAG.InstanceNoFound", kNoFound);
  EXPECT_API_ERROR(CreateUser(h, h.NewAppInstance(""), {}), 400, "SAG.CidrEmpty",
                   "You must specify the CIDR blocks of SAG.");
  const std::string app = h.NewAppInstance("10.10.0.0/24", 1);
  h.NewClientUser(app, "alice-01");
  EXPECT_API_ERROR(CreateUser(h, app, {{"UserName", "alice-01"}}), 400, "ClientUser.UserExist",
                   "The specified user already exists.");
  EXPECT_API_ERROR(CreateUser(h, app, {{"UserName", "carol-01"}}), 400, "ClientUser.UserOverLimit",
                   "The maximum number of users is exceeded.");
}

// The operations that name one user of one instance: a missing or unknown instance, a missing or
// malformed user name.
TEST(ClientUserOperationsCodesTest, InstanceAndUserName) {
  OpHarness h;
  const std::string app = h.NewAppInstance();
  EXPECT_API_ERROR(h.Call("DeleteSmartAccessGatewayClientUser",
                          {{"RegionId", "cn-shanghai"}, {"UserName", "alice-01"}}),
                   400, "SAG.InstanceIdEmpty", kIdEmpty);
  EXPECT_API_ERROR(
      h.Call("DeleteSmartAccessGatewayClientUser",
             {{"RegionId", "cn-shanghai"}, {"SmartAGId", "sag-nosuch"}, {"UserName", "alice-01"}}),
      400, "SAG.InstanceNoFound", kNoFound);
  EXPECT_API_ERROR(h.Call("DeleteSmartAccessGatewayClientUser",
                          {{"RegionId", "cn-shanghai"}, {"SmartAGId", app}}),
                   400, "ClientUser.NameEmpty", kNameEmpty);
  EXPECT_API_ERROR(h.Call("DeleteSmartAccessGatewayClientUser",
                          {{"RegionId", "cn-shanghai"}, {"SmartAGId", app}, {"UserName", "bob"}}),
                   400, "ClientUser.NameInvalid", kNameInvalid);

  EXPECT_API_ERROR(h.Call("ResetSmartAccessGatewayClientUserPassword",
                          {{"RegionId", "cn-shanghai"}, {"UserName", "alice-01"}}),
                   400, "SAG.InstanceIdEmpty", kIdEmpty);
  EXPECT_API_ERROR(
      h.Call("ResetSmartAccessGatewayClientUserPassword",
             {{"RegionId", "cn-shanghai"}, {"SmartAGId", "sag-nosuch"}, {"UserName", "alice-01"}}),
      400, "SAG.InstanceNoFound", kNoFound);
  EXPECT_API_ERROR(h.Call("ResetSmartAccessGatewayClientUserPassword",
                          {{"RegionId", "cn-shanghai"}, {"SmartAGId", app}}),
                   400, "ClientUser.NameEmpty", kNameEmpty);
  EXPECT_API_ERROR(h.Call("ResetSmartAccessGatewayClientUserPassword",
                          {{"RegionId", "cn-shanghai"}, {"SmartAGId", app}, {"UserName", "bob"}}),
                   400, "ClientUser.NameInvalid", kNameInvalid);

  EXPECT_API_ERROR(
      h.Call("DescribeUserOnlineClients", {{"RegionId", "cn-shanghai"}, {"UserName", "alice-01"}}),
      400, "SAG.InstanceIdEmpty", kIdEmpty);
  EXPECT_API_ERROR(
      h.Call("DescribeUserOnlineClients",
             {{"RegionId", "cn-shanghai"}, {"SmartAGId", "sag-nosuch"}, {"UserName", "alice-01"}}),
      400, "SAG.InstanceNoFound", kNoFound);
  EXPECT_API_ERROR(
      h.Call("DescribeUserOnlineClients", {{"RegionId", "cn-shanghai"}, {"SmartAGId", app}}), 400,
      "ClientUser.NameEmpty", kNameEmpty);
  EXPECT_API_ERROR(h.Call("DescribeUserOnlineClients",
                          {{"RegionId", "cn-shanghai"}, {"SmartAGId", app}, {"UserName", "bob"}}),
                   400, "ClientUser.NameInvalid", kNameInvalid);
}

TEST(ModifySmartAccessGatewayClientUserCodesTest, EveryDocumentedCode) {
  OpHarness h;
  const std::string app = h.NewAppInstance();
  const std::string user = h.NewClientUser(app);
  EXPECT_API_ERROR(h.Call("ModifySmartAccessGatewayClientUser",
                          {{"RegionId", "cn-shanghai"}, {"UserName", user}}),
                   400, "SAG.InstanceIdEmpty", kIdEmpty);
  EXPECT_API_ERROR(
      h.Call("ModifySmartAccessGatewayClientUser",
             {{"RegionId", "cn-shanghai"}, {"SmartAGId", "sag-nosuch"}, {"UserName", user}}),
      400, "SAG.InstanceNoFound", kNoFound);
  EXPECT_API_ERROR(h.Call("ModifySmartAccessGatewayClientUser",
                          {{"RegionId", "cn-shanghai"}, {"SmartAGId", app}}),
                   400, "ClientUser.NameEmpty", kNameEmpty);
  EXPECT_API_ERROR(h.Call("ModifySmartAccessGatewayClientUser",
                          {{"RegionId", "cn-shanghai"}, {"SmartAGId", app}, {"UserName", "bob"}}),
                   400, "ClientUser.NameInvalid", kNameInvalid);
  EXPECT_API_ERROR(h.Call("ModifySmartAccessGatewayClientUser", {{"RegionId", "cn-shanghai"},
                                                                 {"SmartAGId", app},
                                                                 {"UserName", user},
                                                                 {"Bandwidth", "-1"}}),
                   400, "ClientUser.BandwidthInvalid", "The specified Bandwidth is invalid.");
  EXPECT_API_ERROR(h.Call("ModifySmartAccessGatewayClientUser", {{"RegionId", "cn-shanghai"},
                                                                 {"SmartAGId", app},
                                                                 {"UserName", "nobody-01"},
                                                                 {"Bandwidth", "100"}}),
                   400, "ResourceNotFound.User", "The specified user is not found.");
}

TEST(DescribeSmartAccessGatewayClientUsersCodesTest, InstanceIdEmptyOrNotFound) {
  OpHarness h;
  EXPECT_API_ERROR(h.Call("DescribeSmartAccessGatewayClientUsers", {{"RegionId", "cn-shanghai"}}),
                   400, "SAG.InstanceIdEmpty", kIdEmpty);
  EXPECT_API_ERROR(h.Call("DescribeSmartAccessGatewayClientUsers",
                          {{"RegionId", "cn-shanghai"}, {"SmartAGId", "sag-nosuch"}}),
                   400, "SAG.InstanceNoFound", kNoFound);
}

TEST(EnableSmartAccessGatewayUserCodesTest, ForbiddenAndDisabledByTheRootUser) {
  OpHarness h;
  const std::string app = h.NewAppInstance();
  const std::string user = h.NewClientUser(app);
  EXPECT_API_ERROR(h.CallAs(h.NewRamUser("ops-reader"), "EnableSmartAccessGatewayUser",
                            {{"RegionId", "cn-shanghai"}, {"SmartAGId", app}, {"UserName", user}}),
                   403, "Forbidden", kForbidden);
  EXPECT_API_OK(h.Call("DisableSmartAccessGatewayUser",
                       {{"RegionId", "cn-shanghai"}, {"SmartAGId", app}, {"UserName", user}}));
  const Principal admin = h.NewRamUser(
      "ops-admin",
      R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"smartag:*","Resource":"*"}]})");
  EXPECT_API_ERROR(h.CallAs(admin, "EnableSmartAccessGatewayUser",
                            {{"RegionId", "cn-shanghai"}, {"SmartAGId", app}, {"UserName", user}}),
                   400, "Forbbiden.SubUser",
                   "You are not authorized to operate on the specified resource.");
  EXPECT_API_OK(h.Call("EnableSmartAccessGatewayUser",
                       {{"RegionId", "cn-shanghai"}, {"SmartAGId", app}, {"UserName", user}}));
}

TEST(KickOutClientsCodesTest, UserNameEmptyAndInstanceNotFound) {
  OpHarness h;
  const std::string app = h.NewAppInstance();
  EXPECT_API_ERROR(h.Call("KickOutClients", {{"RegionId", "cn-shanghai"}, {"SmartAGId", app}}), 400,
                   "ClientUser.NameEmpty", kNameEmpty);
  EXPECT_API_ERROR(
      h.Call("KickOutClients",
             {{"RegionId", "cn-shanghai"}, {"SmartAGId", "sag-nosuch"}, {"Username", "alice-01"}}),
      400, "SAG.InstanceNoFound", "The specified DB instance does not exist.");
}

TEST(DescribeUserOnlineClientStatisticsCodesTest, EveryDocumentedCode) {
  OpHarness h;
  const std::string app = h.NewAppInstance();
  EXPECT_API_ERROR(h.Call("DescribeUserOnlineClientStatistics",
                          {{"RegionId", "cn-shanghai"}, {"UserNames.1", "alice-01"}}),
                   400, "SAG.InstanceIdEmpty", kIdEmpty);
  EXPECT_API_ERROR(h.Call("DescribeUserOnlineClientStatistics",
                          {{"RegionId", "cn-shanghai"}, {"SmartAGId", app}}),
                   400, "ClientUser.NameEmpty", kNameEmpty);
  EXPECT_API_ERROR(
      h.Call("DescribeUserOnlineClientStatistics",
             {{"RegionId", "cn-shanghai"}, {"SmartAGId", app}, {"UserNames.1", "bob"}}),
      400, "ClientUser.NameInvalid", kNameInvalid);
  EXPECT_API_ERROR(h.Call("DescribeUserOnlineClientStatistics", {{"RegionId", "cn-shanghai"},
                                                                 {"SmartAGId", "sag-nosuch"},
                                                                 {"UserNames.1", "alice-01"}}),
                   400, "SAG.InstanceNoFound", kNoFound);
}

}  // namespace
}  // namespace sag::ops::testing
