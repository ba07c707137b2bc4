// Contract tests of store::ResetStore (ResetAccounts), run against every backend: SQLite (file and
// memory) and PostgreSQL when SAG_TEST_PG_DSN names a server. EveryTableOfTheSchemaIsClassified is
// the guard for new tables: it fails when a migration adds a table that store/reset_plan.cc can
// neither scope to an account nor finds in its list of tables that are not account data.
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/backends.h"
#include "store/store.h"
#include "store/store_test_support.h"

namespace sag::store {
namespace {

using ::sag::store::testing::BackendFactory;
using ::sag::store::testing::BackendName;
using ::sag::store::testing::Backends;
using ::sag::store::testing::MakeInstance;
using ::sag::store::testing::Outcome;

constexpr char kOperator[] = "1000000000000000";
constexpr char kTenant1[] = "1000000000000001";
constexpr char kTenant2[] = "1000000000000002";
constexpr char kRegion[] = "cn-shanghai";

class ResetContractTest : public ::testing::TestWithParam<BackendFactory> {
 protected:
  void SetUp() override {
    store_ = GetParam().OpenFresh();
    ASSERT_NE(store_, nullptr);
    ASSERT_STORE_OK(store_->PutSetting("test_clock_offset_ms", "5000"));
    VersionRecord v;
    v.version_type = "Device";
    v.version_code = "2.1.0";
    v.version_name = "2.1.0";
    v.release_type = "release";
    v.hardware_models = "sag-100wm";
    v.sha256 = std::string(64, 'a');
    ASSERT_STORE_OK(store_->PublishVersion(v));
    ASSERT_STORE_OK(store_->RememberNonce("LTAIkey0", "nonce-1", 1000, 1'000'000'000'000'000));
    Populate(kOperator, true);
    Populate(kTenant1, false);
    Populate(kTenant2, false);
  }

  // An account with a root user, an AccessKey, an attached policy, a CCN, and two instances, each
  // with a bound device (with a facet and an upgrade) and a client user with an open session.
  void Populate(const std::string& account, bool is_operator) {
    ASSERT_STORE_OK(store_->CreateAccount({account, "acct-" + account, is_operator, 1}));
    ASSERT_STORE_OK(store_->CreateUser({account, "root", "root", true, 1}));
    ASSERT_STORE_OK(
        store_->CreateAccessKey({"LTAI" + account, account, "root", "sealed", true, 1}));
    ASSERT_STORE_OK(
        store_->CreatePolicy({account, "p1", "", R"({"Version":"1","Statement":[]})", 1}));
    ASSERT_STORE_OK(store_->AttachPolicy(account, "p1", "root"));
    CcnRecord ccn;
    ccn.id = "ccn-" + account;
    ccn.account_id = account;
    ccn.region_id = kRegion;
    ccn.name = "c";
    ASSERT_STORE_OK(store_->CreateCcn(ccn));
    for (int i = 0; i < 2; ++i) {
      const std::string id = "sag-" + account + "-" + std::to_string(i);
      const std::string sn = "sn" + account + std::to_string(i);
      InstanceRecord inst = MakeInstance(account, kRegion, id, 10);
      inst.ccn_id = "";
      ASSERT_STORE_OK(store_->CreateInstance(inst));
      BindSerialNumberRequest bind{.account_id = account,
                                   .region_id = kRegion,
                                   .instance_id = id,
                                   .serial_number = sn,
                                   .max_devices = 2,
                                   .register_unknown = true,
                                   .now_ms = 10};
      auto bound = store_->BindSerialNumber(bind);
      ASSERT_STORE_OK(bound);
      ASSERT_EQ(*bound, BindOutcome::kBound);
      ASSERT_STORE_OK(store_->SetDesiredFacet(sn, "admin_password", "\"h\"", 10, false));
      UpgradeRecord u;
      u.id = "up-" + sn;
      u.serial_number = sn;
      u.account_id = account;
      u.instance_id = id;
      u.version_type = "Device";
      u.version_code = "2.1.0";
      u.state = UpgradeState::kSucceeded;
      ASSERT_STORE_OK(store_->CreateUpgrades({u}));
      CreateClientUserRequest user;
      user.user.account_id = account;
      user.user.instance_id = id;
      user.user.user_name = "u1";
      user.user.user_mail = "u1@example.com";
      user.user.password_hash = "hash";
      user.pool = {{0xC0A80001u, 0xC0A800FEu}};
      user.cidr_block = inst.cidr_block;
      user.max_users = 5;
      auto created = store_->CreateClientUser(user);
      ASSERT_TRUE(created.has_value());
      ASSERT_EQ(created->outcome, CreateClientUserOutcome::kCreated);
      ASSERT_STORE_OK(
          store_->OpenClientSession({"cs-" + id, id, "u1", created->user.client_ip, 10}));
    }
  }

  int64_t Instances(const std::string& account) {
    InstanceFilter f;
    f.account_id = account;
    f.limit = 100;
    auto page = store_->ListInstances(f);
    EXPECT_TRUE(page.has_value());
    return page ? page->total : -1;
  }

  // Asserts that account is gone with everything it had.
  void ExpectGone(const std::string& account) {
    EXPECT_EQ(Outcome(store_->GetAccount(account)), "NotFound");
    EXPECT_EQ(Outcome(store_->GetAccessKey("LTAI" + account)), "NotFound");
    EXPECT_EQ(Outcome(store_->GetUser(account, "root")), "NotFound");
    EXPECT_EQ(Outcome(store_->GetPolicy(account, "p1")), "NotFound");
    ExpectEmptied(account);
  }

  // Asserts that account's resources are gone (its identity may remain).
  void ExpectEmptied(const std::string& account) {
    EXPECT_EQ(Instances(account), 0);
    EXPECT_EQ(Outcome(store_->GetCcn(account, kRegion, "ccn-" + account)), "NotFound");
    for (int i = 0; i < 2; ++i) {
      const std::string sn = "sn" + account + std::to_string(i);
      auto device = store_->GetDevice(sn);  // the inventory stays, unbound
      ASSERT_STORE_OK(device);
      EXPECT_EQ(device->instance_id, "");
      auto facets = store_->GetDeviceFacets(sn);
      ASSERT_STORE_OK(facets);
      EXPECT_TRUE(facets->empty());
      EXPECT_EQ(Outcome(store_->GetUpgrade("up-" + sn)), "NotFound");
      auto sessions = store_->ListClientSessions("sag-" + account + "-" + std::to_string(i), "u1");
      ASSERT_STORE_OK(sessions);
      EXPECT_TRUE(sessions->empty());
    }
  }

  // Asserts that account has all Populate gave it.
  void ExpectIntact(const std::string& account) {
    EXPECT_EQ(Outcome(store_->GetAccount(account)), "OK");
    EXPECT_EQ(Outcome(store_->GetAccessKey("LTAI" + account)), "OK");
    EXPECT_EQ(Outcome(store_->GetPolicy(account, "p1")), "OK");
    EXPECT_EQ(Instances(account), 2);
    EXPECT_EQ(Outcome(store_->GetCcn(account, kRegion, "ccn-" + account)), "OK");
    const std::string sn = "sn" + account + "0";
    auto facets = store_->GetDeviceFacets(sn);
    ASSERT_STORE_OK(facets);
    EXPECT_EQ(facets->size(), 1u);
    EXPECT_EQ(Outcome(store_->GetUpgrade("up-" + sn)), "OK");
    auto sessions = store_->ListClientSessions("sag-" + account + "-0", "u1");
    ASSERT_STORE_OK(sessions);
    EXPECT_EQ(sessions->size(), 1u);
  }

  // What is not account data survives every reset.
  void ExpectServerStateKept() {
    auto setting = store_->GetSetting("test_clock_offset_ms");
    ASSERT_STORE_OK(setting);
    EXPECT_EQ(setting->value_or(""), "5000");
    EXPECT_EQ(Outcome(store_->GetVersion("Device", "2.1.0")), "OK");
    auto again = store_->RememberNonce("LTAIkey0", "nonce-1", 2000, 1'000'000'000'000'000);
    ASSERT_STORE_OK(again);
    EXPECT_FALSE(*again);  // still remembered: a reset does not make a request replayable
  }

  std::unique_ptr<Store> store_;
};

TEST_P(ResetContractTest, EveryTableOfTheSchemaIsClassified) {
  auto fresh = GetParam().OpenFresh();
  ASSERT_NE(fresh, nullptr);
  auto r = fresh->ResetAccounts("");
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_EQ(r->accounts_removed, 0);
}

TEST_P(ResetContractTest, OneAccountGoesWithEverythingItHas) {
  auto r = store_->ResetAccounts(kTenant1);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_EQ(r->accounts_removed, 1);
  EXPECT_EQ(r->unbound_serial_numbers,
            (std::vector<std::string>{std::string("sn") + kTenant1 + "0",
                                      std::string("sn") + kTenant1 + "1"}));
  ExpectGone(kTenant1);
  ExpectIntact(kTenant2);
  ExpectIntact(kOperator);
  ExpectServerStateKept();
  // The account can be made again, with the same names.
  Populate(kTenant1, false);
  ExpectIntact(kTenant1);
}

TEST_P(ResetContractTest, TheOperatorAccountKeepsItsIdentity) {
  auto r = store_->ResetAccounts(kOperator);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_EQ(r->accounts_removed, 0);
  EXPECT_EQ(r->unbound_serial_numbers.size(), 2u);
  ExpectEmptied(kOperator);
  EXPECT_EQ(Outcome(store_->GetAccount(kOperator)), "OK");
  EXPECT_EQ(Outcome(store_->GetAccessKey(std::string("LTAI") + kOperator)), "OK");
  EXPECT_EQ(Outcome(store_->GetPolicy(kOperator, "p1")), "OK");
  auto attached = store_->ListPoliciesForUser(kOperator, "root");
  ASSERT_STORE_OK(attached);
  EXPECT_EQ(attached->size(), 1u);
  ExpectIntact(kTenant1);
  ExpectIntact(kTenant2);
}

TEST_P(ResetContractTest, EveryAccountAtOnce) {
  auto r = store_->ResetAccounts("");
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_EQ(r->accounts_removed, 2);
  EXPECT_EQ(r->unbound_serial_numbers.size(), 6u);
  ExpectGone(kTenant1);
  ExpectGone(kTenant2);
  ExpectEmptied(kOperator);
  EXPECT_EQ(Outcome(store_->GetAccessKey(std::string("LTAI") + kOperator)), "OK");
  auto accounts = store_->ListAccounts();
  ASSERT_STORE_OK(accounts);
  ASSERT_EQ(accounts->size(), 1u);
  EXPECT_EQ((*accounts)[0].id, kOperator);
  ExpectServerStateKept();
}

TEST_P(ResetContractTest, AnUnknownAccountIsNotFoundAndChangesNothing) {
  EXPECT_EQ(Outcome(store_->ResetAccounts("1999999999999999")), "NotFound");
  ExpectIntact(kTenant1);
  ExpectIntact(kOperator);
}

INSTANTIATE_TEST_SUITE_P(Backends, ResetContractTest, ::testing::ValuesIn(Backends()), BackendName);

}  // namespace
}  // namespace sag::store
