// The Store contract: every backend must pass this suite unchanged. The tests use only the Store
// interface (store/store.h); a new backend joins by adding a factory to Backends() in
// store/backends.h.

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
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
using ::sag::store::testing::Dump;
using ::sag::store::testing::MakeInstance;
using ::sag::store::testing::NewDatabasePath;
using ::sag::store::testing::Outcome;
using ::sag::store::testing::OutcomeName;

constexpr char kAccountA[] = "1000000000000001";
constexpr char kAccountB[] = "1000000000000002";
constexpr char kRegion[] = "cn-shanghai";
constexpr char kOtherRegion[] = "cn-hangzhou";

class StoreContractTest : public ::testing::TestWithParam<BackendFactory> {
 protected:
  void SetUp() override {
    GetParam().fresh();
    store_ = GetParam().open();
    ASSERT_NE(store_, nullptr);
  }

  // Closes the store and opens the same database again.
  void Reopen() {
    store_.reset();
    store_ = GetParam().open();
    ASSERT_NE(store_, nullptr);
  }

  Store& store() { return *store_; }

  void CreateAccount(const std::string& id, int64_t create_ms = 1) {
    ASSERT_STORE_OK(
        store().CreateAccount({.id = id, .name = "acct-" + id, .create_ms = create_ms}));
  }
  void CreateUser(const std::string& account, const std::string& name, int64_t create_ms = 1) {
    ASSERT_STORE_OK(store().CreateUser({.account_id = account,
                                        .name = name,
                                        .display_name = "D " + name,
                                        .create_ms = create_ms}));
  }
  void CreateKey(const std::string& account, const std::string& user, const std::string& id,
                 int64_t create_ms = 1) {
    ASSERT_STORE_OK(store().CreateAccessKey({.id = id,
                                             .account_id = account,
                                             .user_name = user,
                                             .sealed_secret = "sealed-" + id,
                                             .create_ms = create_ms}));
  }
  void CreatePolicy(const std::string& account, const std::string& name, int64_t create_ms = 1) {
    ASSERT_STORE_OK(store().CreatePolicy({.account_id = account,
                                          .name = name,
                                          .description = "about " + name,
                                          .document = R"({"Version":"1","Statement":[]})",
                                          .create_ms = create_ms}));
  }
  void CreateInstance(const InstanceRecord& r) { ASSERT_STORE_OK(store().CreateInstance(r)); }

  // Ids of ListInstances(filter), in order; total in *total.
  std::vector<std::string> ListIds(const InstanceFilter& filter, int64_t* total = nullptr) {
    auto page = store().ListInstances(filter);
    EXPECT_TRUE(page.has_value()) << page.error().detail;
    if (!page) {
      return {};
    }
    if (total != nullptr) {
      *total = page->total;
    }
    std::vector<std::string> ids;
    for (const InstanceRecord& r : page->items) {
      ids.push_back(r.id);
    }
    return ids;
  }

  std::unique_ptr<Store> store_;
};

using Ids = std::vector<std::string>;

// Accounts ----------------------------------------------------------------------------------------

TEST_P(StoreContractTest, CreateAccountThenGetReturnsIt) {
  AccountRecord a{.id = kAccountA, .name = "Acme", .is_operator = true, .create_ms = 1700000000123};
  ASSERT_STORE_OK(store().CreateAccount(a));
  auto got = store().GetAccount(kAccountA);
  ASSERT_STORE_OK(got);
  EXPECT_EQ(Dump(*got), Dump(a));
}

TEST_P(StoreContractTest, CreateAccountWithTakenIdIsAlreadyExists) {
  CreateAccount(kAccountA);
  EXPECT_EQ(Outcome(store().CreateAccount({.id = kAccountA, .name = "other"})), "AlreadyExists");
  EXPECT_EQ(store().GetAccount(kAccountA)->name, std::string("acct-") + kAccountA);
}

TEST_P(StoreContractTest, GetMissingAccountIsNotFound) {
  EXPECT_EQ(Outcome(store().GetAccount(kAccountA)), "NotFound");
}

TEST_P(StoreContractTest, ListAccountsIsInCreationOrder) {
  auto empty = store().ListAccounts();
  ASSERT_STORE_OK(empty);
  EXPECT_TRUE(empty->empty());
  CreateAccount("1000000000000009", 5);
  CreateAccount("1000000000000003", 7);
  CreateAccount("1000000000000005", 5);
  auto all = store().ListAccounts();
  ASSERT_STORE_OK(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, "1000000000000005");
  EXPECT_EQ((*all)[1].id, "1000000000000009");
  EXPECT_EQ((*all)[2].id, "1000000000000003");
  EXPECT_EQ((*all)[2].create_ms, 7);
}

// Users -------------------------------------------------------------------------------------------

TEST_P(StoreContractTest, CreateUserThenGetReturnsIt) {
  CreateAccount(kAccountA);
  UserRecord u{.account_id = kAccountA,
               .name = "root",
               .display_name = "Root user",
               .is_root = true,
               .create_ms = 42};
  ASSERT_STORE_OK(store().CreateUser(u));
  auto got = store().GetUser(kAccountA, "root");
  ASSERT_STORE_OK(got);
  EXPECT_EQ(Dump(*got), Dump(u));
}

TEST_P(StoreContractTest, CreateUserWithTakenNameIsAlreadyExists) {
  CreateAccount(kAccountA);
  CreateUser(kAccountA, "alice");
  EXPECT_EQ(
      Outcome(store().CreateUser({.account_id = kAccountA, .name = "alice", .display_name = ""})),
      "AlreadyExists");
}

TEST_P(StoreContractTest, SameUserNameInTwoAccountsIsAllowed) {
  CreateAccount(kAccountA);
  CreateAccount(kAccountB);
  CreateUser(kAccountA, "alice");
  CreateUser(kAccountB, "alice");
  EXPECT_EQ(store().GetUser(kAccountB, "alice")->account_id, kAccountB);
}

TEST_P(StoreContractTest, GetUserFromAnotherAccountIsNotFound) {
  CreateAccount(kAccountA);
  CreateAccount(kAccountB);
  CreateUser(kAccountA, "alice");
  EXPECT_EQ(Outcome(store().GetUser(kAccountB, "alice")), "NotFound");
  EXPECT_EQ(Outcome(store().GetUser(kAccountA, "bob")), "NotFound");
}

TEST_P(StoreContractTest, ListUsersReturnsOnlyTheAccountsUsersInCreationOrder) {
  CreateAccount(kAccountA);
  CreateAccount(kAccountB);
  CreateUser(kAccountA, "carol", 3);
  CreateUser(kAccountA, "bob", 2);
  CreateUser(kAccountA, "alice", 3);
  CreateUser(kAccountB, "dave", 1);
  auto users = store().ListUsers(kAccountA);
  ASSERT_STORE_OK(users);
  std::vector<std::string> names;
  for (const UserRecord& u : *users) {
    EXPECT_EQ(u.account_id, kAccountA);
    names.push_back(u.name);
  }
  EXPECT_EQ(names, (Ids{"bob", "alice", "carol"}));
  auto none = store().ListUsers("1000000000000099");
  ASSERT_STORE_OK(none);
  EXPECT_TRUE(none->empty());
}

TEST_P(StoreContractTest, DeleteUserRemovesIt) {
  CreateAccount(kAccountA);
  CreateUser(kAccountA, "alice");
  ASSERT_STORE_OK(store().DeleteUser(kAccountA, "alice"));
  EXPECT_EQ(Outcome(store().GetUser(kAccountA, "alice")), "NotFound");
  // The name is free again.
  CreateUser(kAccountA, "alice");
}

TEST_P(StoreContractTest, DeleteMissingUserIsNotFound) {
  CreateAccount(kAccountA);
  CreateAccount(kAccountB);
  CreateUser(kAccountA, "alice");
  EXPECT_EQ(Outcome(store().DeleteUser(kAccountA, "bob")), "NotFound");
  EXPECT_EQ(Outcome(store().DeleteUser(kAccountB, "alice")), "NotFound");
  EXPECT_STORE_OK(store().GetUser(kAccountA, "alice"));
}

TEST_P(StoreContractTest, DeleteUserWithAccessKeysIsConflict) {
  CreateAccount(kAccountA);
  CreateUser(kAccountA, "alice");
  CreateKey(kAccountA, "alice", "LTAIkey1");
  EXPECT_EQ(Outcome(store().DeleteUser(kAccountA, "alice")), "Conflict");
  EXPECT_STORE_OK(store().GetUser(kAccountA, "alice"));  // nothing half-deleted
  EXPECT_STORE_OK(store().GetAccessKey("LTAIkey1"));
  ASSERT_STORE_OK(store().DeleteAccessKey(kAccountA, "LTAIkey1"));
  EXPECT_STORE_OK(store().DeleteUser(kAccountA, "alice"));
}

TEST_P(StoreContractTest, DeleteUserDetachesItsPolicies) {
  CreateAccount(kAccountA);
  CreateUser(kAccountA, "alice");
  CreatePolicy(kAccountA, "ReadOnly");
  ASSERT_STORE_OK(store().AttachPolicy(kAccountA, "ReadOnly", "alice"));
  ASSERT_STORE_OK(store().DeleteUser(kAccountA, "alice"));
  // A new user of the same name starts without policies, and the policy is no longer attached.
  CreateUser(kAccountA, "alice");
  auto policies = store().ListPoliciesForUser(kAccountA, "alice");
  ASSERT_STORE_OK(policies);
  EXPECT_TRUE(policies->empty());
  EXPECT_STORE_OK(store().DeletePolicy(kAccountA, "ReadOnly"));
}

// AccessKeys --------------------------------------------------------------------------------------

TEST_P(StoreContractTest, CreateAccessKeyThenGetReturnsItWithBinarySecret) {
  CreateAccount(kAccountA);
  CreateUser(kAccountA, "alice");
  AccessKeyRecord k{.id = "LTAI5tAbCdEf",
                    .account_id = kAccountA,
                    .user_name = "alice",
                    .sealed_secret = std::string("\x00\x01\xff\xfe sealed\x00tail", 15),
                    .enabled = true,
                    .create_ms = 99};
  ASSERT_STORE_OK(store().CreateAccessKey(k));
  auto got = store().GetAccessKey("LTAI5tAbCdEf");
  ASSERT_STORE_OK(got);
  EXPECT_EQ(Dump(*got), Dump(k));
  EXPECT_EQ(got->sealed_secret.size(), 15u);
}

TEST_P(StoreContractTest, CreateDisabledAccessKeyWithEmptySecretRoundTrips) {
  CreateAccount(kAccountA);
  CreateUser(kAccountA, "alice");
  AccessKeyRecord k{
      .id = "LTAIempty", .account_id = kAccountA, .user_name = "alice", .sealed_secret = ""};
  k.enabled = false;
  ASSERT_STORE_OK(store().CreateAccessKey(k));
  auto got = store().GetAccessKey("LTAIempty");
  ASSERT_STORE_OK(got);
  EXPECT_EQ(Dump(*got), Dump(k));
}

TEST_P(StoreContractTest, CreateAccessKeyForMissingUserIsNotFound) {
  CreateAccount(kAccountA);
  CreateAccount(kAccountB);
  CreateUser(kAccountB, "alice");
  EXPECT_EQ(
      Outcome(store().CreateAccessKey(
          {.id = "LTAIx", .account_id = kAccountA, .user_name = "alice", .sealed_secret = "s"})),
      "NotFound");
  EXPECT_EQ(Outcome(store().GetAccessKey("LTAIx")), "NotFound");
}

TEST_P(StoreContractTest, CreateAccessKeyWithTakenIdIsAlreadyExistsAcrossAccounts) {
  CreateAccount(kAccountA);
  CreateAccount(kAccountB);
  CreateUser(kAccountA, "alice");
  CreateUser(kAccountB, "bob");
  CreateKey(kAccountA, "alice", "LTAIdup");
  EXPECT_EQ(
      Outcome(store().CreateAccessKey(
          {.id = "LTAIdup", .account_id = kAccountA, .user_name = "alice", .sealed_secret = "s"})),
      "AlreadyExists");
  EXPECT_EQ(
      Outcome(store().CreateAccessKey(
          {.id = "LTAIdup", .account_id = kAccountB, .user_name = "bob", .sealed_secret = "s"})),
      "AlreadyExists");
  EXPECT_EQ(store().GetAccessKey("LTAIdup")->account_id, kAccountA);
}

TEST_P(StoreContractTest, GetMissingAccessKeyIsNotFound) {
  EXPECT_EQ(Outcome(store().GetAccessKey("LTAInone")), "NotFound");
}

TEST_P(StoreContractTest, ListAccessKeysIsScopedToAccountAndUser) {
  CreateAccount(kAccountA);
  CreateAccount(kAccountB);
  CreateUser(kAccountA, "alice");
  CreateUser(kAccountA, "bob");
  CreateUser(kAccountB, "alice");
  CreateKey(kAccountA, "alice", "LTAIa2", 2);
  CreateKey(kAccountA, "alice", "LTAIa1", 2);
  CreateKey(kAccountA, "alice", "LTAIa0", 3);
  CreateKey(kAccountA, "bob", "LTAIb1", 1);
  CreateKey(kAccountB, "alice", "LTAIother", 1);

  auto ids = [](const StoreResult<std::vector<AccessKeyRecord>>& keys) {
    std::vector<std::string> out;
    for (const AccessKeyRecord& k : *keys) {
      out.push_back(k.id);
    }
    return out;
  };
  auto alice = store().ListAccessKeys(kAccountA, "alice");
  ASSERT_STORE_OK(alice);
  EXPECT_EQ(ids(alice), (Ids{"LTAIa1", "LTAIa2", "LTAIa0"}));
  EXPECT_EQ((*alice)[0].sealed_secret, "sealed-LTAIa1");
  auto whole_account = store().ListAccessKeys(kAccountA, "");
  ASSERT_STORE_OK(whole_account);
  EXPECT_EQ(ids(whole_account), (Ids{"LTAIb1", "LTAIa1", "LTAIa2", "LTAIa0"}));
  auto nobody = store().ListAccessKeys(kAccountA, "carol");
  ASSERT_STORE_OK(nobody);
  EXPECT_TRUE(nobody->empty());
  auto b_alice = store().ListAccessKeys(kAccountB, "alice");
  ASSERT_STORE_OK(b_alice);
  EXPECT_EQ(ids(b_alice), (Ids{"LTAIother"}));
}

TEST_P(StoreContractTest, SetAccessKeyEnabledTogglesTheFlag) {
  CreateAccount(kAccountA);
  CreateUser(kAccountA, "alice");
  CreateKey(kAccountA, "alice", "LTAIk");
  ASSERT_STORE_OK(store().SetAccessKeyEnabled(kAccountA, "LTAIk", false));
  EXPECT_FALSE(store().GetAccessKey("LTAIk")->enabled);
  ASSERT_STORE_OK(store().SetAccessKeyEnabled(kAccountA, "LTAIk", false));  // idempotent
  EXPECT_FALSE(store().GetAccessKey("LTAIk")->enabled);
  ASSERT_STORE_OK(store().SetAccessKeyEnabled(kAccountA, "LTAIk", true));
  EXPECT_TRUE(store().GetAccessKey("LTAIk")->enabled);
}

TEST_P(StoreContractTest, SetAccessKeyEnabledOfAnotherAccountIsNotFound) {
  CreateAccount(kAccountA);
  CreateAccount(kAccountB);
  CreateUser(kAccountA, "alice");
  CreateKey(kAccountA, "alice", "LTAIk");
  EXPECT_EQ(Outcome(store().SetAccessKeyEnabled(kAccountB, "LTAIk", false)), "NotFound");
  EXPECT_EQ(Outcome(store().SetAccessKeyEnabled(kAccountA, "LTAInone", false)), "NotFound");
  EXPECT_TRUE(store().GetAccessKey("LTAIk")->enabled);
}

TEST_P(StoreContractTest, DeleteAccessKeyRemovesIt) {
  CreateAccount(kAccountA);
  CreateUser(kAccountA, "alice");
  CreateKey(kAccountA, "alice", "LTAIk");
  ASSERT_STORE_OK(store().DeleteAccessKey(kAccountA, "LTAIk"));
  EXPECT_EQ(Outcome(store().GetAccessKey("LTAIk")), "NotFound");
  EXPECT_EQ(Outcome(store().DeleteAccessKey(kAccountA, "LTAIk")), "NotFound");
}

TEST_P(StoreContractTest, DeleteAccessKeyOfAnotherAccountIsNotFound) {
  CreateAccount(kAccountA);
  CreateAccount(kAccountB);
  CreateUser(kAccountA, "alice");
  CreateKey(kAccountA, "alice", "LTAIk");
  EXPECT_EQ(Outcome(store().DeleteAccessKey(kAccountB, "LTAIk")), "NotFound");
  EXPECT_STORE_OK(store().GetAccessKey("LTAIk"));
}

// Policies ----------------------------------------------------------------------------------------

TEST_P(StoreContractTest, CreatePolicyThenGetReturnsIt) {
  CreateAccount(kAccountA);
  PolicyRecord p{
      .account_id = kAccountA,
      .name = "SagReadOnly",
      .description = "read only",
      .document =
          R"({"Version":"1","Statement":[{"Effect":"Allow","Action":"smartag:Describe*","Resource":"*"}]})",
      .create_ms = 5};
  ASSERT_STORE_OK(store().CreatePolicy(p));
  auto got = store().GetPolicy(kAccountA, "SagReadOnly");
  ASSERT_STORE_OK(got);
  EXPECT_EQ(Dump(*got), Dump(p));
}

TEST_P(StoreContractTest, CreatePolicyWithTakenNameIsAlreadyExists) {
  CreateAccount(kAccountA);
  CreateAccount(kAccountB);
  CreatePolicy(kAccountA, "P");
  EXPECT_EQ(Outcome(store().CreatePolicy(
                {.account_id = kAccountA, .name = "P", .description = "", .document = ""})),
            "AlreadyExists");
  CreatePolicy(kAccountB, "P");  // names are per account
}

TEST_P(StoreContractTest, GetPolicyFromAnotherAccountIsNotFound) {
  CreateAccount(kAccountA);
  CreateAccount(kAccountB);
  CreatePolicy(kAccountA, "P");
  EXPECT_EQ(Outcome(store().GetPolicy(kAccountB, "P")), "NotFound");
  EXPECT_EQ(Outcome(store().GetPolicy(kAccountA, "Q")), "NotFound");
}

TEST_P(StoreContractTest, ListPoliciesReturnsOnlyTheAccountsPoliciesInCreationOrder) {
  CreateAccount(kAccountA);
  CreateAccount(kAccountB);
  CreatePolicy(kAccountA, "Zeta", 1);
  CreatePolicy(kAccountA, "Beta", 2);
  CreatePolicy(kAccountA, "Alpha", 2);
  CreatePolicy(kAccountB, "Other", 1);
  auto policies = store().ListPolicies(kAccountA);
  ASSERT_STORE_OK(policies);
  std::vector<std::string> names;
  for (const PolicyRecord& p : *policies) {
    names.push_back(p.name);
  }
  EXPECT_EQ(names, (Ids{"Zeta", "Alpha", "Beta"}));
}

TEST_P(StoreContractTest, DeletePolicyRemovesIt) {
  CreateAccount(kAccountA);
  CreatePolicy(kAccountA, "P");
  ASSERT_STORE_OK(store().DeletePolicy(kAccountA, "P"));
  EXPECT_EQ(Outcome(store().GetPolicy(kAccountA, "P")), "NotFound");
  EXPECT_EQ(Outcome(store().DeletePolicy(kAccountA, "P")), "NotFound");
}

TEST_P(StoreContractTest, DeletePolicyOfAnotherAccountIsNotFound) {
  CreateAccount(kAccountA);
  CreateAccount(kAccountB);
  CreatePolicy(kAccountA, "P");
  EXPECT_EQ(Outcome(store().DeletePolicy(kAccountB, "P")), "NotFound");
  EXPECT_STORE_OK(store().GetPolicy(kAccountA, "P"));
}

TEST_P(StoreContractTest, DeleteAttachedPolicyIsConflict) {
  CreateAccount(kAccountA);
  CreateUser(kAccountA, "alice");
  CreatePolicy(kAccountA, "P");
  ASSERT_STORE_OK(store().AttachPolicy(kAccountA, "P", "alice"));
  EXPECT_EQ(Outcome(store().DeletePolicy(kAccountA, "P")), "Conflict");
  EXPECT_STORE_OK(store().GetPolicy(kAccountA, "P"));
  ASSERT_STORE_OK(store().DetachPolicy(kAccountA, "P", "alice"));
  EXPECT_STORE_OK(store().DeletePolicy(kAccountA, "P"));
}

TEST_P(StoreContractTest, AttachPolicyThenListPoliciesForUser) {
  CreateAccount(kAccountA);
  CreateUser(kAccountA, "alice");
  CreateUser(kAccountA, "bob");
  CreatePolicy(kAccountA, "Second", 2);
  CreatePolicy(kAccountA, "First", 1);
  CreatePolicy(kAccountA, "Unused", 3);
  ASSERT_STORE_OK(store().AttachPolicy(kAccountA, "Second", "alice"));
  ASSERT_STORE_OK(store().AttachPolicy(kAccountA, "First", "alice"));
  ASSERT_STORE_OK(store().AttachPolicy(kAccountA, "First", "bob"));
  auto alice = store().ListPoliciesForUser(kAccountA, "alice");
  ASSERT_STORE_OK(alice);
  ASSERT_EQ(alice->size(), 2u);
  EXPECT_EQ((*alice)[0].name, "First");
  EXPECT_EQ((*alice)[1].name, "Second");
  EXPECT_EQ((*alice)[1].description, "about Second");
  EXPECT_EQ((*alice)[1].account_id, kAccountA);
  auto bob = store().ListPoliciesForUser(kAccountA, "bob");
  ASSERT_STORE_OK(bob);
  ASSERT_EQ(bob->size(), 1u);
  EXPECT_EQ((*bob)[0].name, "First");
  auto nobody = store().ListPoliciesForUser(kAccountA, "carol");
  ASSERT_STORE_OK(nobody);
  EXPECT_TRUE(nobody->empty());
}

TEST_P(StoreContractTest, AttachMissingPolicyOrUserIsNotFound) {
  CreateAccount(kAccountA);
  CreateAccount(kAccountB);
  CreateUser(kAccountA, "alice");
  CreatePolicy(kAccountA, "P");
  CreateUser(kAccountB, "bob");
  CreatePolicy(kAccountB, "Q");
  EXPECT_EQ(Outcome(store().AttachPolicy(kAccountA, "Missing", "alice")), "NotFound");
  EXPECT_EQ(Outcome(store().AttachPolicy(kAccountA, "P", "missing")), "NotFound");
  // Policy and user must both be in the addressed account.
  EXPECT_EQ(Outcome(store().AttachPolicy(kAccountA, "Q", "alice")), "NotFound");
  EXPECT_EQ(Outcome(store().AttachPolicy(kAccountA, "P", "bob")), "NotFound");
  EXPECT_EQ(Outcome(store().AttachPolicy(kAccountB, "P", "alice")), "NotFound");
  auto alice = store().ListPoliciesForUser(kAccountA, "alice");
  ASSERT_STORE_OK(alice);
  EXPECT_TRUE(alice->empty());
}

TEST_P(StoreContractTest, AttachPolicyTwiceIsAlreadyExists) {
  CreateAccount(kAccountA);
  CreateUser(kAccountA, "alice");
  CreatePolicy(kAccountA, "P");
  ASSERT_STORE_OK(store().AttachPolicy(kAccountA, "P", "alice"));
  EXPECT_EQ(Outcome(store().AttachPolicy(kAccountA, "P", "alice")), "AlreadyExists");
  EXPECT_EQ(store().ListPoliciesForUser(kAccountA, "alice")->size(), 1u);
}

TEST_P(StoreContractTest, DetachPolicyRemovesTheAttachment) {
  CreateAccount(kAccountA);
  CreateUser(kAccountA, "alice");
  CreatePolicy(kAccountA, "P");
  ASSERT_STORE_OK(store().AttachPolicy(kAccountA, "P", "alice"));
  ASSERT_STORE_OK(store().DetachPolicy(kAccountA, "P", "alice"));
  EXPECT_TRUE(store().ListPoliciesForUser(kAccountA, "alice")->empty());
  EXPECT_STORE_OK(store().GetPolicy(kAccountA, "P"));
  EXPECT_STORE_OK(store().GetUser(kAccountA, "alice"));
}

TEST_P(StoreContractTest, DetachPolicyNotAttachedIsNotFound) {
  CreateAccount(kAccountA);
  CreateAccount(kAccountB);
  CreateUser(kAccountA, "alice");
  CreatePolicy(kAccountA, "P");
  EXPECT_EQ(Outcome(store().DetachPolicy(kAccountA, "P", "alice")), "NotFound");
  EXPECT_EQ(Outcome(store().DetachPolicy(kAccountA, "Missing", "alice")), "NotFound");
  ASSERT_STORE_OK(store().AttachPolicy(kAccountA, "P", "alice"));
  EXPECT_EQ(Outcome(store().DetachPolicy(kAccountB, "P", "alice")), "NotFound");
  EXPECT_EQ(store().ListPoliciesForUser(kAccountA, "alice")->size(), 1u);
}

// Instances ---------------------------------------------------------------------------------------

TEST_P(StoreContractTest, CreateInstanceThenGetReturnsEveryField) {
  CreateAccount(kAccountA);
  InstanceRecord r = MakeInstance(kAccountA, kRegion, "sag-abc123", 1700000000000);
  CreateInstance(r);
  auto got = store().GetInstance(kAccountA, kRegion, "sag-abc123");
  ASSERT_STORE_OK(got);
  EXPECT_EQ(Dump(*got), Dump(r));
}

TEST_P(StoreContractTest, CreateInstanceWithDefaultFieldsRoundTrips) {
  InstanceRecord r;
  r.id = "sag-empty";
  r.account_id = kAccountA;
  r.region_id = kRegion;
  CreateInstance(r);
  auto got = store().GetInstance(kAccountA, kRegion, "sag-empty");
  ASSERT_STORE_OK(got);
  EXPECT_EQ(Dump(*got), Dump(r));
}

TEST_P(StoreContractTest, CreateInstanceWithTakenIdIsAlreadyExistsInAnyAccount) {
  CreateInstance(MakeInstance(kAccountA, kRegion, "sag-1", 1));
  EXPECT_EQ(Outcome(store().CreateInstance(MakeInstance(kAccountA, kRegion, "sag-1", 2))),
            "AlreadyExists");
  EXPECT_EQ(Outcome(store().CreateInstance(MakeInstance(kAccountB, kOtherRegion, "sag-1", 2))),
            "AlreadyExists");
  EXPECT_EQ(store().GetInstance(kAccountA, kRegion, "sag-1")->create_ms, 1);
}

TEST_P(StoreContractTest, GetInstanceFromAnotherAccountIsNotFound) {
  CreateInstance(MakeInstance(kAccountA, kRegion, "sag-1", 1));
  EXPECT_EQ(Outcome(store().GetInstance(kAccountB, kRegion, "sag-1")), "NotFound");
  EXPECT_EQ(Outcome(store().GetInstance(kAccountB, "", "sag-1")), "NotFound");
}

TEST_P(StoreContractTest, GetInstanceInAnotherRegionIsNotFound) {
  CreateInstance(MakeInstance(kAccountA, kRegion, "sag-1", 1));
  EXPECT_EQ(Outcome(store().GetInstance(kAccountA, kOtherRegion, "sag-1")), "NotFound");
}

TEST_P(StoreContractTest, GetInstanceWithEmptyRegionMatchesAnyRegion) {
  CreateInstance(MakeInstance(kAccountA, kOtherRegion, "sag-1", 1));
  auto got = store().GetInstance(kAccountA, "", "sag-1");
  ASSERT_STORE_OK(got);
  EXPECT_EQ(got->region_id, kOtherRegion);
}

TEST_P(StoreContractTest, GetMissingInstanceIsNotFound) {
  EXPECT_EQ(Outcome(store().GetInstance(kAccountA, kRegion, "sag-none")), "NotFound");
}

// Instances in kAccountA: five in kRegion and one in kOtherRegion, plus one in kAccountB.
//   id      create_ms  name    status  type      spec        ccn
//   sag-e   10         alpha   Active  hardware  sag-100wm   ccn-1
//   sag-b   20         beta    Init    hardware  sag-1000    ccn-2
//   sag-a   20         alpha   Active  software  sag-vcpe    ccn-1
//   sag-d   30         gamma   Init    software  sag-software (none)
//   sag-c   40         alphabet Active hardware  sag-100wm   ccn-2
//   sag-f   15 (kOtherRegion) alpha Active hardware sag-100wm ccn-1
class ListInstancesTest : public StoreContractTest {
 protected:
  void SetUp() override {
    StoreContractTest::SetUp();
    if (HasFatalFailure()) {
      return;
    }
    Add("sag-e", kRegion, 10, "alpha", InstanceStatus::kActive, "hardware", "sag-100wm", "ccn-1");
    Add("sag-b", kRegion, 20, "beta", InstanceStatus::kInit, "hardware", "sag-1000", "ccn-2");
    Add("sag-a", kRegion, 20, "alpha", InstanceStatus::kActive, "software", "sag-vcpe", "ccn-1");
    Add("sag-d", kRegion, 30, "gamma", InstanceStatus::kInit, "software", "sag-software", "");
    Add("sag-c", kRegion, 40, "alphabet", InstanceStatus::kActive, "hardware", "sag-100wm",
        "ccn-2");
    Add("sag-f", kOtherRegion, 15, "alpha", InstanceStatus::kActive, "hardware", "sag-100wm",
        "ccn-1");
    InstanceRecord other = MakeInstance(kAccountB, kRegion, "sag-z", 1);
    CreateInstance(other);
  }

  void Add(const std::string& id, const std::string& region, int64_t create_ms,
           const std::string& name, InstanceStatus status, const std::string& type,
           const std::string& spec, const std::string& ccn) {
    InstanceRecord r = MakeInstance(kAccountA, region, id, create_ms);
    r.name = name;
    r.status = status;
    r.instance_type = type;
    r.hardware_spec = spec;
    r.ccn_id = ccn;
    CreateInstance(r);
  }

  static InstanceFilter All() {
    InstanceFilter f;
    f.account_id = kAccountA;
    f.limit = 100;
    return f;
  }
};

TEST_P(ListInstancesTest, ListsTheAccountsInstancesByCreationTimeThenId) {
  int64_t total = 0;
  EXPECT_EQ(ListIds(All(), &total), (Ids{"sag-e", "sag-f", "sag-a", "sag-b", "sag-d", "sag-c"}));
  EXPECT_EQ(total, 6);
}

TEST_P(ListInstancesTest, ReturnsFullRecords) {
  InstanceFilter f = All();
  f.ids = {"sag-a"};
  auto page = store().ListInstances(f);
  ASSERT_STORE_OK(page);
  ASSERT_EQ(page->items.size(), 1u);
  auto got = store().GetInstance(kAccountA, kRegion, "sag-a");
  ASSERT_STORE_OK(got);
  EXPECT_EQ(Dump(page->items[0]), Dump(*got));
}

TEST_P(ListInstancesTest, AnotherAccountSeesOnlyItsOwn) {
  InstanceFilter f = All();
  f.account_id = kAccountB;
  int64_t total = 0;
  EXPECT_EQ(ListIds(f, &total), (Ids{"sag-z"}));
  EXPECT_EQ(total, 1);
  f.account_id = "1000000000000099";
  EXPECT_EQ(ListIds(f, &total), Ids{});
  EXPECT_EQ(total, 0);
}

TEST_P(ListInstancesTest, PagesWithOffsetAndLimitAndReportsTheTotal) {
  InstanceFilter f = All();
  f.limit = 2;
  int64_t total = 0;
  f.offset = 0;
  EXPECT_EQ(ListIds(f, &total), (Ids{"sag-e", "sag-f"}));
  EXPECT_EQ(total, 6);
  f.offset = 2;
  EXPECT_EQ(ListIds(f, &total), (Ids{"sag-a", "sag-b"}));
  EXPECT_EQ(total, 6);
  f.offset = 4;
  EXPECT_EQ(ListIds(f, &total), (Ids{"sag-d", "sag-c"}));
  EXPECT_EQ(total, 6);
  f.offset = 5;
  EXPECT_EQ(ListIds(f, &total), (Ids{"sag-c"}));
  EXPECT_EQ(total, 6);
}

TEST_P(ListInstancesTest, OffsetPastTheEndGivesNoItemsButTheTotal) {
  InstanceFilter f = All();
  f.offset = 6;
  int64_t total = 0;
  EXPECT_EQ(ListIds(f, &total), Ids{});
  EXPECT_EQ(total, 6);
  f.offset = 1000;
  EXPECT_EQ(ListIds(f, &total), Ids{});
  EXPECT_EQ(total, 6);
}

TEST_P(ListInstancesTest, ZeroLimitGivesOnlyTheTotal) {
  InstanceFilter f = All();
  f.limit = 0;
  int64_t total = 0;
  EXPECT_EQ(ListIds(f, &total), Ids{});
  EXPECT_EQ(total, 6);
}

TEST_P(ListInstancesTest, DefaultLimitIsTen) {
  for (int i = 0; i < 10; ++i) {
    CreateInstance(MakeInstance(kAccountA, kRegion, "sag-more" + std::to_string(i), 100 + i));
  }
  InstanceFilter f;
  f.account_id = kAccountA;
  int64_t total = 0;
  EXPECT_EQ(ListIds(f, &total).size(), 10u);
  EXPECT_EQ(total, 16);
}

TEST_P(ListInstancesTest, FiltersByRegion) {
  InstanceFilter f = All();
  f.region_id = kOtherRegion;
  int64_t total = 0;
  EXPECT_EQ(ListIds(f, &total), (Ids{"sag-f"}));
  EXPECT_EQ(total, 1);
  f.region_id = kRegion;
  EXPECT_EQ(ListIds(f, &total), (Ids{"sag-e", "sag-a", "sag-b", "sag-d", "sag-c"}));
  EXPECT_EQ(total, 5);
}

TEST_P(ListInstancesTest, FiltersByAnyOfIds) {
  InstanceFilter f = All();
  f.ids = {"sag-c", "sag-a", "sag-missing", "sag-z"};  // sag-z belongs to another account
  int64_t total = 0;
  EXPECT_EQ(ListIds(f, &total), (Ids{"sag-a", "sag-c"}));
  EXPECT_EQ(total, 2);
}

TEST_P(ListInstancesTest, FiltersByExactName) {
  InstanceFilter f = All();
  f.name = "alpha";
  int64_t total = 0;
  EXPECT_EQ(ListIds(f, &total), (Ids{"sag-e", "sag-f", "sag-a"}));  // not "alphabet"
  EXPECT_EQ(total, 3);
  f.name = "ALPHA";
  EXPECT_EQ(ListIds(f, &total), Ids{});
}

TEST_P(ListInstancesTest, FiltersByStatus) {
  InstanceFilter f = All();
  f.status = InstanceStatus::kActive;
  int64_t total = 0;
  EXPECT_EQ(ListIds(f, &total), (Ids{"sag-e", "sag-f", "sag-a", "sag-c"}));
  EXPECT_EQ(total, 4);
  f.status = InstanceStatus::kInit;
  EXPECT_EQ(ListIds(f, &total), (Ids{"sag-b", "sag-d"}));
  EXPECT_EQ(total, 2);
}

TEST_P(ListInstancesTest, FiltersByInstanceTypeHardwareSpecAndCcn) {
  InstanceFilter f = All();
  f.instance_type = "software";
  EXPECT_EQ(ListIds(f), (Ids{"sag-a", "sag-d"}));
  f = All();
  f.hardware_spec = "sag-100wm";
  EXPECT_EQ(ListIds(f), (Ids{"sag-e", "sag-f", "sag-c"}));
  f = All();
  f.ccn_id = "ccn-2";
  EXPECT_EQ(ListIds(f), (Ids{"sag-b", "sag-c"}));
}

TEST_P(ListInstancesTest, CombinesFiltersWithAnd) {
  InstanceFilter f = All();
  f.region_id = kRegion;
  f.status = InstanceStatus::kActive;
  f.hardware_spec = "sag-100wm";
  int64_t total = 0;
  EXPECT_EQ(ListIds(f, &total), (Ids{"sag-e", "sag-c"}));
  EXPECT_EQ(total, 2);
  f.ccn_id = "ccn-1";
  EXPECT_EQ(ListIds(f, &total), (Ids{"sag-e"}));
  EXPECT_EQ(total, 1);
  f.ids = {"sag-c"};
  EXPECT_EQ(ListIds(f, &total), Ids{});
  EXPECT_EQ(total, 0);
}

TEST_P(ListInstancesTest, TotalCountsTheFilterNotThePage) {
  InstanceFilter f = All();
  f.name = "alpha";
  f.limit = 1;
  f.offset = 1;
  int64_t total = 0;
  EXPECT_EQ(ListIds(f, &total), (Ids{"sag-f"}));
  EXPECT_EQ(total, 3);
  f.instance_type = "hardware";
  f.offset = 0;
  f.limit = 10;
  EXPECT_EQ(ListIds(f, &total), (Ids{"sag-e", "sag-f"}));
  EXPECT_EQ(total, 2);
}

TEST_P(StoreContractTest, UpdateInstanceAppliesOnlyTheSetFields) {
  InstanceRecord original = MakeInstance(kAccountA, kRegion, "sag-1", 10);
  CreateInstance(original);
  InstancePatch patch;
  patch.name = "renamed";
  patch.security_lock_threshold = 0;
  auto updated = store().UpdateInstance(kAccountA, kRegion, "sag-1", patch);
  ASSERT_STORE_OK(updated);
  InstanceRecord expected = original;
  expected.name = "renamed";
  expected.security_lock_threshold = 0;
  EXPECT_EQ(Dump(*updated), Dump(expected));
  auto stored = store().GetInstance(kAccountA, kRegion, "sag-1");
  ASSERT_STORE_OK(stored);
  EXPECT_EQ(Dump(*stored), Dump(expected));
}

TEST_P(StoreContractTest, UpdateInstanceCanChangeEveryPatchableField) {
  InstanceRecord original = MakeInstance(kAccountA, kRegion, "sag-1", 10);
  CreateInstance(original);
  InstancePatch patch;
  patch.name = "n2";
  patch.description = "d2";
  patch.status = InstanceStatus::kInit;
  patch.cidr_block = "";
  patch.routing_strategy = "dynamic";
  patch.security_lock_threshold = 1200;
  patch.position = "Beijing";
  patch.enable_software_connection_audit = false;
  patch.ccn_id = "";  // unbind from the CCN
  patch.end_ms = 999999;
  auto updated = store().UpdateInstance(kAccountA, "", "sag-1", patch);
  ASSERT_STORE_OK(updated);
  InstanceRecord expected = original;
  expected.name = "n2";
  expected.description = "d2";
  expected.status = InstanceStatus::kInit;
  expected.cidr_block = "";
  expected.routing_strategy = "dynamic";
  expected.security_lock_threshold = 1200;
  expected.position = "Beijing";
  expected.enable_software_connection_audit = false;
  expected.ccn_id = "";
  expected.end_ms = 999999;
  EXPECT_EQ(Dump(*updated), Dump(expected));
  EXPECT_EQ(Dump(*store().GetInstance(kAccountA, kRegion, "sag-1")), Dump(expected));
}

TEST_P(StoreContractTest, UpdateInstanceWithEmptyPatchChangesNothing) {
  InstanceRecord original = MakeInstance(kAccountA, kRegion, "sag-1", 10);
  CreateInstance(original);
  auto updated = store().UpdateInstance(kAccountA, kRegion, "sag-1", InstancePatch{});
  ASSERT_STORE_OK(updated);
  EXPECT_EQ(Dump(*updated), Dump(original));
}

TEST_P(StoreContractTest, UpdateInstanceOfAnotherAccountOrRegionIsNotFound) {
  InstanceRecord original = MakeInstance(kAccountA, kRegion, "sag-1", 10);
  CreateInstance(original);
  InstancePatch patch;
  patch.name = "hijacked";
  EXPECT_EQ(Outcome(store().UpdateInstance(kAccountB, kRegion, "sag-1", patch)), "NotFound");
  EXPECT_EQ(Outcome(store().UpdateInstance(kAccountB, "", "sag-1", patch)), "NotFound");
  EXPECT_EQ(Outcome(store().UpdateInstance(kAccountA, kOtherRegion, "sag-1", patch)), "NotFound");
  EXPECT_EQ(Outcome(store().UpdateInstance(kAccountA, kRegion, "sag-none", patch)), "NotFound");
  EXPECT_EQ(Dump(*store().GetInstance(kAccountA, kRegion, "sag-1")), Dump(original));
}

TEST_P(StoreContractTest, DeleteInstanceRemovesIt) {
  CreateInstance(MakeInstance(kAccountA, kRegion, "sag-1", 10));
  CreateInstance(MakeInstance(kAccountA, kRegion, "sag-2", 11));
  ASSERT_STORE_OK(store().DeleteInstance(kAccountA, kRegion, "sag-1"));
  EXPECT_EQ(Outcome(store().GetInstance(kAccountA, kRegion, "sag-1")), "NotFound");
  EXPECT_EQ(Outcome(store().DeleteInstance(kAccountA, kRegion, "sag-1")), "NotFound");
  ASSERT_STORE_OK(store().DeleteInstance(kAccountA, "", "sag-2"));  // any region
  InstanceFilter f;
  f.account_id = kAccountA;
  int64_t total = -1;
  EXPECT_EQ(ListIds(f, &total), Ids{});
  EXPECT_EQ(total, 0);
}

TEST_P(StoreContractTest, DeleteInstanceOfAnotherAccountOrRegionIsNotFound) {
  CreateInstance(MakeInstance(kAccountA, kRegion, "sag-1", 10));
  EXPECT_EQ(Outcome(store().DeleteInstance(kAccountB, kRegion, "sag-1")), "NotFound");
  EXPECT_EQ(Outcome(store().DeleteInstance(kAccountB, "", "sag-1")), "NotFound");
  EXPECT_EQ(Outcome(store().DeleteInstance(kAccountA, kOtherRegion, "sag-1")), "NotFound");
  EXPECT_STORE_OK(store().GetInstance(kAccountA, kRegion, "sag-1"));
}

// Settings ----------------------------------------------------------------------------------------

TEST_P(StoreContractTest, GetUnsetSettingIsNullopt) {
  auto value = store().GetSetting("clock_offset_ms");
  ASSERT_STORE_OK(value);
  EXPECT_FALSE(value->has_value());
}

TEST_P(StoreContractTest, PutSettingThenGetReturnsTheLatestValue) {
  ASSERT_STORE_OK(store().PutSetting("clock_offset_ms", "1000"));
  EXPECT_EQ(store().GetSetting("clock_offset_ms")->value_or("unset"), "1000");
  ASSERT_STORE_OK(store().PutSetting("clock_offset_ms", "-5"));
  EXPECT_EQ(store().GetSetting("clock_offset_ms")->value_or("unset"), "-5");
  ASSERT_STORE_OK(store().PutSetting("empty", ""));
  EXPECT_EQ(store().GetSetting("empty")->value_or("unset"), "");
  EXPECT_FALSE(store().GetSetting("other")->has_value());
}

// Devices -----------------------------------------------------------------------------------------

// Instances, devices and CCNs for the serial-number and CCN tests.
class BindingTest : public StoreContractTest {
 protected:
  // A hardware instance in state Init, not in a CCN, that never expires.
  InstanceRecord Hw(const std::string& account, const std::string& region, const std::string& id,
                    const std::string& spec = "sag-100wm", int64_t create_ms = 10) {
    InstanceRecord r = MakeInstance(account, region, id, create_ms);
    r.status = InstanceStatus::kInit;
    r.hardware_spec = spec;
    r.ccn_id = "";
    r.end_ms = 0;
    return r;
  }
  void CreateHw(const std::string& account, const std::string& region, const std::string& id,
                const std::string& spec = "sag-100wm", int64_t create_ms = 10) {
    CreateInstance(Hw(account, region, id, spec, create_ms));
  }
  void Register(const std::string& sn, const std::string& model = "sag-100wm",
                int64_t create_ms = 1) {
    DeviceRecord d;
    d.serial_number = sn;
    d.hardware_model = model;
    d.sealed_secret = "sealed-" + sn;
    d.create_ms = create_ms;
    ASSERT_STORE_OK(store().RegisterDevice(d));
  }
  std::string Bind(const std::string& account, const std::string& region,
                   const std::string& instance, const std::string& sn, int max_devices = 2,
                   bool register_unknown = false, int64_t now_ms = 500,
                   const std::string& sealed_secret = "") {
    BindSerialNumberRequest req;
    req.account_id = account;
    req.region_id = region;
    req.instance_id = instance;
    req.serial_number = sn;
    req.max_devices = max_devices;
    req.register_unknown = register_unknown;
    req.now_ms = now_ms;
    req.sealed_secret = sealed_secret;
    return OutcomeName(store().BindSerialNumber(req));
  }
  std::string Unbind(const std::string& account, const std::string& region,
                     const std::string& instance, const std::string& sn) {
    return OutcomeName(store().UnbindSerialNumber(account, region, instance, sn));
  }
  Ids Sns(const std::string& account, const std::string& instance) {
    auto got = store().GetInstance(account, "", instance);
    EXPECT_TRUE(got.has_value());
    return got ? got->serial_numbers : Ids{"<missing>"};
  }
  CcnRecord Ccn(const std::string& account, const std::string& region, const std::string& id,
                int64_t create_ms = 1) {
    CcnRecord c;
    c.id = id;
    c.account_id = account;
    c.region_id = region;
    c.name = "name-" + id;
    c.description = "about " + id;
    c.cidr_block = "10.0.0.0/8";
    c.create_ms = create_ms;
    return c;
  }
  void CreateCcn(const std::string& account, const std::string& region, const std::string& id,
                 int64_t create_ms = 1) {
    ASSERT_STORE_OK(store().CreateCcn(Ccn(account, region, id, create_ms)));
  }
  std::string BindCcn(const std::string& account, const std::string& region,
                      const std::string& instance, const std::string& ccn) {
    return OutcomeName(store().BindInstanceToCcn(account, region, instance, ccn));
  }
  std::string UnbindCcn(const std::string& account, const std::string& region,
                        const std::string& instance, const std::string& ccn) {
    return OutcomeName(store().UnbindInstanceFromCcn(account, region, instance, ccn));
  }
  Ids CcnIds(const CcnFilter& filter, int64_t* total = nullptr) {
    auto page = store().ListCcns(filter);
    EXPECT_TRUE(page.has_value()) << page.error().detail;
    if (!page) {
      return {};
    }
    if (total != nullptr) {
      *total = page->total;
    }
    Ids ids;
    for (const CcnRecord& c : page->items) {
      ids.push_back(c.id);
    }
    return ids;
  }
};

TEST_P(BindingTest, RegisterDeviceThenGetReturnsItUnbound) {
  DeviceRecord d;
  d.serial_number = "sage62x0001";
  d.hardware_model = "sag-1000";
  d.sealed_secret = std::string("\x00\x01sealed\xff", 9);
  d.retired = false;
  d.create_ms = 77;
  d.account_id = kAccountA;  // binding fields are ignored
  d.instance_id = "sag-x";
  d.bound_ms = 5;
  ASSERT_STORE_OK(store().RegisterDevice(d));
  auto got = store().GetDevice("sage62x0001");
  ASSERT_STORE_OK(got);
  DeviceRecord expected = d;
  expected.account_id = "";
  expected.instance_id = "";
  expected.bound_ms = 0;
  EXPECT_EQ(Dump(*got), Dump(expected));
  EXPECT_EQ(got->sealed_secret.size(), 9u);
}

TEST_P(BindingTest, RegisterDeviceTwiceIsAlreadyExistsAndMissingIsNotFound) {
  Register("sn-1", "sag-100wm");
  DeviceRecord again;
  again.serial_number = "sn-1";
  again.hardware_model = "sag-1000";
  EXPECT_EQ(Outcome(store().RegisterDevice(again)), "AlreadyExists");
  EXPECT_EQ(store().GetDevice("sn-1")->hardware_model, "sag-100wm");
  EXPECT_EQ(Outcome(store().GetDevice("sn-none")), "NotFound");
}

TEST_P(BindingTest, ListDevicesPagesByCreationTimeThenSerialNumber) {
  EXPECT_EQ(*store().CountDevices(), 0);
  EXPECT_TRUE(store().ListDevices(0, 10)->empty());
  Register("sn-c", "sag-100wm", 2);
  Register("sn-a", "sag-100wm", 3);
  Register("sn-b", "sag-100wm", 2);
  Register("sn-d", "sag-1000", 1);
  EXPECT_EQ(*store().CountDevices(), 4);
  auto sns = [](const StoreResult<std::vector<DeviceRecord>>& devices) {
    Ids out;
    for (const DeviceRecord& d : *devices) {
      out.push_back(d.serial_number);
    }
    return out;
  };
  EXPECT_EQ(sns(store().ListDevices(0, 10)), (Ids{"sn-d", "sn-b", "sn-c", "sn-a"}));
  EXPECT_EQ(sns(store().ListDevices(1, 2)), (Ids{"sn-b", "sn-c"}));
  EXPECT_EQ(sns(store().ListDevices(3, 10)), (Ids{"sn-a"}));
  EXPECT_EQ(sns(store().ListDevices(4, 10)), Ids{});
  EXPECT_EQ(sns(store().ListDevices(0, 0)), Ids{});
  // Listed devices carry their binding.
  CreateHw(kAccountA, kRegion, "sag-1");
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-b", 1, false, 900), "Bound");
  auto listed = store().ListDevices(1, 1);
  ASSERT_STORE_OK(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(Dump((*listed)[0]), Dump(*store().GetDevice("sn-b")));
  EXPECT_EQ((*listed)[0].instance_id, "sag-1");
}

TEST_P(BindingTest, RetireDevice) {
  Register("sn-1");
  EXPECT_EQ(Outcome(store().RetireDevice("sn-none")), "NotFound");
  ASSERT_STORE_OK(store().RetireDevice("sn-1"));
  EXPECT_TRUE(store().GetDevice("sn-1")->retired);
  EXPECT_STORE_OK(store().RetireDevice("sn-1"));  // idempotent
  EXPECT_EQ(*store().CountDevices(), 1);          // retired devices stay in the inventory
}

TEST_P(BindingTest, RetireBoundDeviceIsConflict) {
  CreateHw(kAccountA, kRegion, "sag-1");
  Register("sn-1");
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-1"), "Bound");
  EXPECT_EQ(Outcome(store().RetireDevice("sn-1")), "Conflict");
  EXPECT_FALSE(store().GetDevice("sn-1")->retired);
  ASSERT_EQ(Unbind(kAccountA, kRegion, "sag-1", "sn-1"), "Unbound");
  EXPECT_STORE_OK(store().RetireDevice("sn-1"));
}

// Serial-number binding ---------------------------------------------------------------------------

TEST_P(BindingTest, BindShowsOnTheDeviceAndTheInstance) {
  CreateHw(kAccountA, kRegion, "sag-1");
  Register("sn-1");
  EXPECT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-1", 1, false, 4242), "Bound");
  auto device = store().GetDevice("sn-1");
  ASSERT_STORE_OK(device);
  EXPECT_EQ(device->account_id, kAccountA);
  EXPECT_EQ(device->instance_id, "sag-1");
  EXPECT_EQ(device->bound_ms, 4242);
  EXPECT_EQ(device->hardware_model, "sag-100wm");
  EXPECT_EQ(device->sealed_secret, "sealed-sn-1");
  EXPECT_EQ(Sns(kAccountA, "sag-1"), (Ids{"sn-1"}));
  // An empty region matches any region.
  CreateHw(kAccountA, kOtherRegion, "sag-2");
  Register("sn-2");
  EXPECT_EQ(Bind(kAccountA, "", "sag-2", "sn-2"), "Bound");
}

TEST_P(BindingTest, BindToMissingOrForeignInstanceIsInstanceNotFound) {
  CreateHw(kAccountA, kRegion, "sag-1");
  Register("sn-1");
  EXPECT_EQ(Bind(kAccountA, kRegion, "sag-none", "sn-1"), "InstanceNotFound");
  EXPECT_EQ(Bind(kAccountB, kRegion, "sag-1", "sn-1"), "InstanceNotFound");
  EXPECT_EQ(Bind(kAccountB, "", "sag-1", "sn-1"), "InstanceNotFound");
  EXPECT_EQ(Bind(kAccountA, kOtherRegion, "sag-1", "sn-1"), "InstanceNotFound");
  // Checked first: even an unknown device with register_unknown is not created.
  EXPECT_EQ(Bind(kAccountB, kRegion, "sag-1", "sn-new", 1, true), "InstanceNotFound");
  EXPECT_EQ(Outcome(store().GetDevice("sn-new")), "NotFound");
  EXPECT_TRUE(store().GetDevice("sn-1")->instance_id.empty());
}

TEST_P(BindingTest, BindUnknownDeviceIsDeviceUnknownInAClosedRegistry) {
  CreateHw(kAccountA, kRegion, "sag-1");
  EXPECT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-none", 1, false), "DeviceUnknown");
  EXPECT_EQ(Outcome(store().GetDevice("sn-none")), "NotFound");
  EXPECT_EQ(Sns(kAccountA, "sag-1"), Ids{});
}

TEST_P(BindingTest, BindUnknownDeviceInAnOpenRegistryCreatesIt) {
  CreateHw(kAccountA, kRegion, "sag-1", "sag-1000");
  EXPECT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-new", 1, true, 321), "Bound");
  auto device = store().GetDevice("sn-new");
  ASSERT_STORE_OK(device);
  DeviceRecord expected;
  expected.serial_number = "sn-new";
  expected.hardware_model = "sag-1000";  // the instance's hardware_spec
  expected.create_ms = 321;
  expected.account_id = kAccountA;
  expected.instance_id = "sag-1";
  expected.bound_ms = 321;
  EXPECT_EQ(Dump(*device), Dump(expected));
  EXPECT_EQ(*store().CountDevices(), 1);
}

TEST_P(BindingTest, ADeviceCreatedOnBindGetsTheGeneratedSecret) {
  CreateHw(kAccountA, kRegion, "sag-1", "sag-1000");
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-new", 1, true, 321, "sealed-g1"), "Bound");
  auto device = store().GetDevice("sn-new");
  ASSERT_STORE_OK(device);
  EXPECT_EQ(device->sealed_secret, "sealed-g1");
  EXPECT_TRUE(device->secret_generated);
}

TEST_P(BindingTest, EveryNewBindingOfAGeneratedSecretDeviceReplacesItsSecret) {
  CreateHw(kAccountA, kRegion, "sag-1", "sag-1000");
  CreateHw(kAccountB, kRegion, "sag-2", "sag-1000");
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-new", 1, true, 321, "sealed-g1"), "Bound");
  // Refused binds change nothing.
  EXPECT_EQ(Bind(kAccountB, kRegion, "sag-2", "sn-new", 1, true, 322, "sealed-x"),
            "BoundElsewhere");
  EXPECT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-new", 1, true, 322, "sealed-y"),
            "AlreadyBoundHere");
  EXPECT_EQ(store().GetDevice("sn-new")->sealed_secret, "sealed-g1");
  ASSERT_EQ(Unbind(kAccountA, kRegion, "sag-1", "sn-new"), "Unbound");
  ASSERT_EQ(Bind(kAccountB, kRegion, "sag-2", "sn-new", 1, true, 323, "sealed-g2"), "Bound");
  auto device = store().GetDevice("sn-new");
  ASSERT_STORE_OK(device);
  EXPECT_EQ(device->sealed_secret, "sealed-g2");
  EXPECT_TRUE(device->secret_generated);
}

TEST_P(BindingTest, AnOperatorGivenSecretIsKept) {
  CreateHw(kAccountA, kRegion, "sag-1");
  Register("sn-1");
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-1", 1, true, 500, "sealed-g1"), "Bound");
  auto device = store().GetDevice("sn-1");
  ASSERT_STORE_OK(device);
  EXPECT_EQ(device->sealed_secret, "sealed-sn-1");
  EXPECT_FALSE(device->secret_generated);
}

TEST_P(BindingTest, OpenRegistryDoesNotCreateADeviceThatIsNotBound) {
  CreateHw(kAccountA, kRegion, "sag-1");
  Register("sn-1");
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-1", 1), "Bound");
  EXPECT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-new", 1, true), "InstanceFull");
  EXPECT_EQ(Outcome(store().GetDevice("sn-new")), "NotFound");
  EXPECT_EQ(*store().CountDevices(), 1);
}

TEST_P(BindingTest, BindRetiredDeviceIsDeviceRetired) {
  CreateHw(kAccountA, kRegion, "sag-1");
  Register("sn-1");
  ASSERT_STORE_OK(store().RetireDevice("sn-1"));
  EXPECT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-1", 1, true), "DeviceRetired");
  // Retired is checked before the model.
  Register("sn-2", "sag-1000");
  ASSERT_STORE_OK(store().RetireDevice("sn-2"));
  EXPECT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-2"), "DeviceRetired");
  EXPECT_EQ(Sns(kAccountA, "sag-1"), Ids{});
}

TEST_P(BindingTest, BindDeviceOfAnotherModelIsModelMismatch) {
  CreateHw(kAccountA, kRegion, "sag-1", "sag-100wm");
  CreateHw(kAccountA, kRegion, "sag-2", "sag-1000");
  Register("sn-1", "sag-1000");
  EXPECT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-1"), "ModelMismatch");
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-2", "sn-1"), "Bound");
  // The model is checked before the binding.
  EXPECT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-1"), "ModelMismatch");
}

TEST_P(BindingTest, BindDeviceBoundToAnotherInstanceIsBoundElsewhereInAnyAccount) {
  CreateHw(kAccountA, kRegion, "sag-1");
  CreateHw(kAccountA, kRegion, "sag-2");
  CreateHw(kAccountB, kOtherRegion, "sag-3");
  Register("sn-1");
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-1"), "Bound");
  EXPECT_EQ(Bind(kAccountA, kRegion, "sag-2", "sn-1"), "BoundElsewhere");
  EXPECT_EQ(Bind(kAccountB, kOtherRegion, "sag-3", "sn-1", 1, true), "BoundElsewhere");
  EXPECT_EQ(store().GetDevice("sn-1")->instance_id, "sag-1");
  EXPECT_EQ(Sns(kAccountA, "sag-2"), Ids{});
  EXPECT_EQ(Sns(kAccountB, "sag-3"), Ids{});
}

TEST_P(BindingTest, BindBoundElsewhereIsCheckedBeforeTheCount) {
  CreateHw(kAccountA, kRegion, "sag-1");
  CreateHw(kAccountA, kRegion, "sag-2");
  Register("sn-1");
  Register("sn-2");
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-1", 1), "Bound");
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-2", "sn-2", 1), "Bound");
  EXPECT_EQ(Bind(kAccountA, kRegion, "sag-2", "sn-1", 1), "BoundElsewhere");
}

TEST_P(BindingTest, BindTwiceIsAlreadyBoundHereEvenWhenFull) {
  CreateHw(kAccountA, kRegion, "sag-1");
  Register("sn-1");
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-1", 1, false, 100), "Bound");
  EXPECT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-1", 1, false, 200), "AlreadyBoundHere");
  EXPECT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-1", 2, true, 200), "AlreadyBoundHere");
  EXPECT_EQ(store().GetDevice("sn-1")->bound_ms, 100);
  EXPECT_EQ(Sns(kAccountA, "sag-1"), (Ids{"sn-1"}));
}

TEST_P(BindingTest, BindBeyondMaxDevicesIsInstanceFull) {
  CreateHw(kAccountA, kRegion, "sag-nb");
  CreateHw(kAccountA, kRegion, "sag-ha");
  for (const char* sn : {"sn-1", "sn-2", "sn-3", "sn-4"}) {
    Register(sn);
  }
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-nb", "sn-1", 1), "Bound");
  EXPECT_EQ(Bind(kAccountA, kRegion, "sag-nb", "sn-2", 1), "InstanceFull");
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-ha", "sn-2", 2), "Bound");
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-ha", "sn-3", 2), "Bound");
  EXPECT_EQ(Bind(kAccountA, kRegion, "sag-ha", "sn-4", 2), "InstanceFull");
  EXPECT_EQ(Sns(kAccountA, "sag-nb"), (Ids{"sn-1"}));
  EXPECT_EQ(Sns(kAccountA, "sag-ha"), (Ids{"sn-2", "sn-3"}));
  EXPECT_TRUE(store().GetDevice("sn-4")->instance_id.empty());
}

TEST_P(BindingTest, SerialNumbersAreInBindOrderOnEveryRead) {
  CreateHw(kAccountA, kRegion, "sag-1");
  for (const char* sn : {"sn-z", "sn-a", "sn-m"}) {
    Register(sn);
  }
  // Bind order, not alphabetical order, even when bound in the same millisecond.
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-z", 2, false, 7), "Bound");
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-a", 2, false, 7), "Bound");
  EXPECT_EQ(Sns(kAccountA, "sag-1"), (Ids{"sn-z", "sn-a"}));
  // The standby becomes the first when the active one is unbound; a new one goes last.
  ASSERT_EQ(Unbind(kAccountA, kRegion, "sag-1", "sn-z"), "Unbound");
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-m", 2, false, 7), "Bound");
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-z", 3, false, 7), "Bound");
  const Ids expected = {"sn-a", "sn-m", "sn-z"};
  EXPECT_EQ(store().GetInstance(kAccountA, kRegion, "sag-1")->serial_numbers, expected);
  InstanceFilter f;
  f.account_id = kAccountA;
  auto page = store().ListInstances(f);
  ASSERT_STORE_OK(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].serial_numbers, expected);
  InstancePatch patch;
  patch.name = "renamed";
  auto updated = store().UpdateInstance(kAccountA, kRegion, "sag-1", patch);
  ASSERT_STORE_OK(updated);
  EXPECT_EQ(updated->serial_numbers, expected);
}

TEST_P(BindingTest, ListInstancesFillsEachInstancesOwnSerialNumbers) {
  CreateHw(kAccountA, kRegion, "sag-1", "sag-100wm", 1);
  CreateHw(kAccountA, kRegion, "sag-2", "sag-100wm", 2);
  CreateHw(kAccountA, kRegion, "sag-3", "sag-100wm", 3);
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-3", "sn-31", 2, true), "Bound");
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-11", 2, true), "Bound");
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-3", "sn-32", 2, true), "Bound");
  InstanceFilter f;
  f.account_id = kAccountA;
  auto page = store().ListInstances(f);
  ASSERT_STORE_OK(page);
  ASSERT_EQ(page->items.size(), 3u);
  EXPECT_EQ(page->items[0].serial_numbers, (Ids{"sn-11"}));
  EXPECT_EQ(page->items[1].serial_numbers, Ids{});
  EXPECT_EQ(page->items[2].serial_numbers, (Ids{"sn-31", "sn-32"}));
}

TEST_P(BindingTest, CreateInstanceIgnoresSerialNumbers) {
  InstanceRecord r = Hw(kAccountA, kRegion, "sag-1");
  r.serial_numbers = {"sn-1"};
  CreateInstance(r);
  EXPECT_EQ(Sns(kAccountA, "sag-1"), Ids{});
  EXPECT_EQ(Outcome(store().GetDevice("sn-1")), "NotFound");
}

TEST_P(BindingTest, UnbindOutcomes) {
  CreateHw(kAccountA, kRegion, "sag-1");
  CreateHw(kAccountA, kRegion, "sag-2");
  Register("sn-1");
  Register("sn-2");
  Register("sn-free");
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-1"), "Bound");
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-2", "sn-2"), "Bound");
  EXPECT_EQ(Unbind(kAccountA, kRegion, "sag-none", "sn-1"), "InstanceNotFound");
  EXPECT_EQ(Unbind(kAccountB, kRegion, "sag-1", "sn-1"), "InstanceNotFound");
  EXPECT_EQ(Unbind(kAccountA, kOtherRegion, "sag-1", "sn-1"), "InstanceNotFound");
  EXPECT_EQ(Unbind(kAccountA, kRegion, "sag-1", "sn-2"), "NotBoundHere");  // bound elsewhere
  EXPECT_EQ(Unbind(kAccountA, kRegion, "sag-1", "sn-free"), "NotBoundHere");
  EXPECT_EQ(Unbind(kAccountA, kRegion, "sag-1", "sn-unknown"), "NotBoundHere");
  EXPECT_EQ(Sns(kAccountA, "sag-1"), (Ids{"sn-1"}));
  EXPECT_EQ(Sns(kAccountA, "sag-2"), (Ids{"sn-2"}));

  EXPECT_EQ(Unbind(kAccountA, "", "sag-1", "sn-1"), "Unbound");
  EXPECT_EQ(Unbind(kAccountA, kRegion, "sag-1", "sn-1"), "NotBoundHere");
  auto device = store().GetDevice("sn-1");  // stays in the inventory, unbound
  ASSERT_STORE_OK(device);
  EXPECT_EQ(device->account_id, "");
  EXPECT_EQ(device->instance_id, "");
  EXPECT_EQ(device->bound_ms, 0);
  EXPECT_EQ(Sns(kAccountA, "sag-1"), Ids{});
  // Now free for any instance.
  EXPECT_EQ(Bind(kAccountA, kRegion, "sag-2", "sn-1"), "Bound");
}

TEST_P(BindingTest, ActivateOutcomes) {
  CreateHw(kAccountA, kRegion, "sag-1");
  EXPECT_EQ(OutcomeName(store().ActivateInstance(kAccountA, kRegion, "sag-none")),
            "InstanceNotFound");
  EXPECT_EQ(OutcomeName(store().ActivateInstance(kAccountB, kRegion, "sag-1")), "InstanceNotFound");
  EXPECT_EQ(OutcomeName(store().ActivateInstance(kAccountA, kOtherRegion, "sag-1")),
            "InstanceNotFound");
  EXPECT_EQ(OutcomeName(store().ActivateInstance(kAccountA, kRegion, "sag-1")), "NoDevice");
  EXPECT_EQ(store().GetInstance(kAccountA, kRegion, "sag-1")->status, InstanceStatus::kInit);
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-1", 1, true), "Bound");
  EXPECT_EQ(OutcomeName(store().ActivateInstance(kAccountA, "", "sag-1")), "Activated");
  EXPECT_EQ(store().GetInstance(kAccountA, kRegion, "sag-1")->status, InstanceStatus::kActive);
  EXPECT_EQ(OutcomeName(store().ActivateInstance(kAccountA, kRegion, "sag-1")), "AlreadyActive");
}

TEST_P(BindingTest, DeleteInstanceReleasesItsDevices) {
  CreateHw(kAccountA, kRegion, "sag-1");
  CreateHw(kAccountB, kRegion, "sag-2");
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-1", 2, true), "Bound");
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-2", 2, true), "Bound");
  // A failed delete releases nothing.
  EXPECT_EQ(Outcome(store().DeleteInstance(kAccountB, kRegion, "sag-1")), "NotFound");
  EXPECT_EQ(store().GetDevice("sn-1")->instance_id, "sag-1");
  ASSERT_STORE_OK(store().DeleteInstance(kAccountA, kRegion, "sag-1"));
  for (const char* sn : {"sn-1", "sn-2"}) {
    auto device = store().GetDevice(sn);
    ASSERT_STORE_OK(device);  // still in the inventory
    EXPECT_EQ(device->instance_id, "");
    EXPECT_EQ(device->account_id, "");
  }
  EXPECT_EQ(Bind(kAccountB, kRegion, "sag-2", "sn-1"), "Bound");
  // An instance created again with the same id starts without devices.
  CreateHw(kAccountA, kRegion, "sag-1");
  EXPECT_EQ(Sns(kAccountA, "sag-1"), Ids{});
}

TEST_P(BindingTest, ListInstancesFiltersBySerialNumber) {
  CreateHw(kAccountA, kRegion, "sag-1", "sag-100wm", 1);
  CreateHw(kAccountA, kRegion, "sag-2", "sag-100wm", 2);
  CreateHw(kAccountB, kRegion, "sag-3", "sag-100wm", 3);
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-1", 2, true), "Bound");
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-2", "sn-2", 2, true), "Bound");
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-2", "sn-3", 2, true), "Bound");
  ASSERT_EQ(Bind(kAccountB, kRegion, "sag-3", "sn-4", 2, true), "Bound");
  Register("sn-free");
  InstanceFilter f;
  f.account_id = kAccountA;
  f.serial_number = "sn-3";
  int64_t total = 0;
  EXPECT_EQ(ListIds(f, &total), (Ids{"sag-2"}));
  EXPECT_EQ(total, 1);
  f.serial_number = "sn-1";
  EXPECT_EQ(ListIds(f), (Ids{"sag-1"}));
  f.serial_number = "sn-4";  // another account's device
  EXPECT_EQ(ListIds(f, &total), Ids{});
  EXPECT_EQ(total, 0);
  f.serial_number = "sn-free";
  EXPECT_EQ(ListIds(f), Ids{});
  f.serial_number = "sn-2";
  f.ids = {"sag-1"};
  EXPECT_EQ(ListIds(f), Ids{});
}

TEST_P(BindingTest, ListInstancesFiltersWithoutCcn) {
  InstanceRecord a = Hw(kAccountA, kRegion, "sag-a", "sag-100wm", 1);
  InstanceRecord b = Hw(kAccountA, kRegion, "sag-b", "sag-100wm", 2);
  b.ccn_id = "ccn-x";
  InstanceRecord c = Hw(kAccountA, kRegion, "sag-c", "sag-100wm", 3);
  CreateInstance(a);
  CreateInstance(b);
  CreateInstance(c);
  InstanceFilter f;
  f.account_id = kAccountA;
  f.without_ccn = true;
  int64_t total = 0;
  EXPECT_EQ(ListIds(f, &total), (Ids{"sag-a", "sag-c"}));
  EXPECT_EQ(total, 2);
  f.without_ccn = false;
  EXPECT_EQ(ListIds(f, &total), (Ids{"sag-a", "sag-b", "sag-c"}));
}

TEST_P(BindingTest, ListInstancesFiltersByExpiry) {
  auto make = [&](const std::string& id, int64_t create_ms, int64_t end_ms) {
    InstanceRecord r = Hw(kAccountA, kRegion, id, "sag-100wm", create_ms);
    r.end_ms = end_ms;
    CreateInstance(r);
  };
  make("sag-never", 1, 0);  // end_ms 0: never expires
  make("sag-past", 2, 500);
  make("sag-now", 3, 1000);  // end_ms == now: expired
  make("sag-future", 4, 1001);
  InstanceFilter f;
  f.account_id = kAccountA;
  f.now_ms = 1000;
  f.expired = true;
  int64_t total = 0;
  EXPECT_EQ(ListIds(f, &total), (Ids{"sag-past", "sag-now"}));
  EXPECT_EQ(total, 2);
  f.expired = false;
  EXPECT_EQ(ListIds(f, &total), (Ids{"sag-never", "sag-future"}));
  EXPECT_EQ(total, 2);
  f.expired.reset();
  EXPECT_EQ(ListIds(f, &total), (Ids{"sag-never", "sag-past", "sag-now", "sag-future"}));
  f.expired = true;
  f.now_ms = 499;
  EXPECT_EQ(ListIds(f), Ids{});
  // Combines with the other filters.
  f.now_ms = 5000;
  f.ids = {"sag-now", "sag-future", "sag-never"};
  EXPECT_EQ(ListIds(f, &total), (Ids{"sag-now", "sag-future"}));
  EXPECT_EQ(total, 2);
}

// CCNs --------------------------------------------------------------------------------------------

TEST_P(BindingTest, CreateCcnThenGetReturnsIt) {
  CcnRecord c = Ccn(kAccountA, kRegion, "ccn-1", 1700000000000);
  c.is_default = true;
  c.interworking_status = "disable";
  ASSERT_STORE_OK(store().CreateCcn(c));
  auto got = store().GetCcn(kAccountA, kRegion, "ccn-1");
  ASSERT_STORE_OK(got);
  EXPECT_EQ(Dump(*got), Dump(c));
  EXPECT_EQ(Dump(*store().GetCcn(kAccountA, "", "ccn-1")), Dump(c));  // any region
}

TEST_P(BindingTest, CreateCcnIgnoresInstanceCountAndDefaultsInterworkingToEnable) {
  CcnRecord c;
  c.id = "ccn-1";
  c.account_id = kAccountA;
  c.region_id = kRegion;
  c.instance_count = 9;
  ASSERT_STORE_OK(store().CreateCcn(c));
  auto got = store().GetCcn(kAccountA, kRegion, "ccn-1");
  ASSERT_STORE_OK(got);
  EXPECT_EQ(got->instance_count, 0);
  EXPECT_EQ(got->interworking_status, "enable");
  EXPECT_FALSE(got->is_default);
}

TEST_P(BindingTest, CreateCcnWithTakenIdIsAlreadyExistsAcrossAccounts) {
  CreateCcn(kAccountA, kRegion, "ccn-1");
  EXPECT_EQ(Outcome(store().CreateCcn(Ccn(kAccountA, kOtherRegion, "ccn-1"))), "AlreadyExists");
  EXPECT_EQ(Outcome(store().CreateCcn(Ccn(kAccountB, kRegion, "ccn-1"))), "AlreadyExists");
  EXPECT_EQ(store().GetCcn(kAccountA, "", "ccn-1")->region_id, kRegion);
}

TEST_P(BindingTest, GetCcnOfAnotherAccountOrRegionIsNotFound) {
  CreateCcn(kAccountA, kRegion, "ccn-1");
  EXPECT_EQ(Outcome(store().GetCcn(kAccountB, kRegion, "ccn-1")), "NotFound");
  EXPECT_EQ(Outcome(store().GetCcn(kAccountB, "", "ccn-1")), "NotFound");
  EXPECT_EQ(Outcome(store().GetCcn(kAccountA, kOtherRegion, "ccn-1")), "NotFound");
  EXPECT_EQ(Outcome(store().GetCcn(kAccountA, kRegion, "ccn-none")), "NotFound");
}

TEST_P(BindingTest, ListCcnsIsScopedOrderedPagedAndFiltered) {
  CreateCcn(kAccountA, kRegion, "ccn-c", 2);
  CreateCcn(kAccountA, kRegion, "ccn-a", 3);
  CreateCcn(kAccountA, kRegion, "ccn-b", 2);
  CreateCcn(kAccountA, kOtherRegion, "ccn-o", 1);
  CreateCcn(kAccountB, kRegion, "ccn-z", 1);
  CcnFilter f;
  f.account_id = kAccountA;
  f.limit = 100;
  int64_t total = 0;
  EXPECT_EQ(CcnIds(f, &total), (Ids{"ccn-o", "ccn-b", "ccn-c", "ccn-a"}));
  EXPECT_EQ(total, 4);
  f.region_id = kRegion;
  EXPECT_EQ(CcnIds(f, &total), (Ids{"ccn-b", "ccn-c", "ccn-a"}));
  EXPECT_EQ(total, 3);
  f.limit = 2;
  f.offset = 1;
  EXPECT_EQ(CcnIds(f, &total), (Ids{"ccn-c", "ccn-a"}));
  EXPECT_EQ(total, 3);
  f.offset = 3;
  EXPECT_EQ(CcnIds(f, &total), Ids{});
  EXPECT_EQ(total, 3);
  f.offset = 0;
  f.limit = 0;
  EXPECT_EQ(CcnIds(f, &total), Ids{});
  EXPECT_EQ(total, 3);
  f.limit = 100;
  f.ids = {"ccn-a", "ccn-z", "ccn-o", "ccn-c"};  // ccn-z: other account, ccn-o: other region
  EXPECT_EQ(CcnIds(f, &total), (Ids{"ccn-c", "ccn-a"}));
  EXPECT_EQ(total, 2);
  f.ids.clear();
  f.name = "name-ccn-b";
  EXPECT_EQ(CcnIds(f, &total), (Ids{"ccn-b"}));
  f = CcnFilter{};
  f.account_id = kAccountB;
  EXPECT_EQ(CcnIds(f, &total), (Ids{"ccn-z"}));
  f.account_id = "1000000000000099";
  EXPECT_EQ(CcnIds(f, &total), Ids{});
  EXPECT_EQ(total, 0);
  // Default limit is 10.
  for (int i = 0; i < 12; ++i) {
    CreateCcn(kAccountB, kRegion, "ccn-more" + std::to_string(i), 10 + i);
  }
  f = CcnFilter{};
  f.account_id = kAccountB;
  EXPECT_EQ(CcnIds(f, &total).size(), 10u);
  EXPECT_EQ(total, 13);
}

TEST_P(BindingTest, UpdateCcnAppliesOnlyTheSetFields) {
  CcnRecord c = Ccn(kAccountA, kRegion, "ccn-1", 5);
  ASSERT_STORE_OK(store().CreateCcn(c));
  CcnPatch patch;
  patch.name = "renamed";
  patch.interworking_status = "disable";
  auto updated = store().UpdateCcn(kAccountA, kRegion, "ccn-1", patch);
  ASSERT_STORE_OK(updated);
  CcnRecord expected = c;
  expected.name = "renamed";
  expected.interworking_status = "disable";
  EXPECT_EQ(Dump(*updated), Dump(expected));
  EXPECT_EQ(Dump(*store().GetCcn(kAccountA, kRegion, "ccn-1")), Dump(expected));
  patch = CcnPatch{};
  patch.description = "";
  patch.cidr_block = "172.16.0.0/12";
  updated = store().UpdateCcn(kAccountA, "", "ccn-1", patch);
  ASSERT_STORE_OK(updated);
  expected.description = "";
  expected.cidr_block = "172.16.0.0/12";
  EXPECT_EQ(Dump(*updated), Dump(expected));
  EXPECT_EQ(Outcome(store().UpdateCcn(kAccountB, kRegion, "ccn-1", patch)), "NotFound");
  EXPECT_EQ(Outcome(store().UpdateCcn(kAccountA, kOtherRegion, "ccn-1", patch)), "NotFound");
  EXPECT_EQ(Outcome(store().UpdateCcn(kAccountA, kRegion, "ccn-none", patch)), "NotFound");
}

TEST_P(BindingTest, DeleteCcn) {
  CreateCcn(kAccountA, kRegion, "ccn-1");
  EXPECT_EQ(Outcome(store().DeleteCcn(kAccountB, kRegion, "ccn-1")), "NotFound");
  EXPECT_EQ(Outcome(store().DeleteCcn(kAccountA, kOtherRegion, "ccn-1")), "NotFound");
  ASSERT_STORE_OK(store().DeleteCcn(kAccountA, kRegion, "ccn-1"));
  EXPECT_EQ(Outcome(store().GetCcn(kAccountA, kRegion, "ccn-1")), "NotFound");
  EXPECT_EQ(Outcome(store().DeleteCcn(kAccountA, kRegion, "ccn-1")), "NotFound");
  CreateCcn(kAccountA, kRegion, "ccn-1");  // the id is free again
}

TEST_P(BindingTest, DeleteCcnWithBoundInstancesIsConflict) {
  CreateCcn(kAccountA, kRegion, "ccn-1");
  CreateHw(kAccountA, kRegion, "sag-1");
  ASSERT_EQ(BindCcn(kAccountA, kRegion, "sag-1", "ccn-1"), "Bound");
  EXPECT_EQ(Outcome(store().DeleteCcn(kAccountA, "", "ccn-1")), "Conflict");
  EXPECT_STORE_OK(store().GetCcn(kAccountA, kRegion, "ccn-1"));
  ASSERT_EQ(UnbindCcn(kAccountA, kRegion, "sag-1", "ccn-1"), "Unbound");
  EXPECT_STORE_OK(store().DeleteCcn(kAccountA, kRegion, "ccn-1"));
}

TEST_P(BindingTest, BindInstanceToCcnOutcomes) {
  CreateCcn(kAccountA, kRegion, "ccn-1");
  CreateCcn(kAccountA, kRegion, "ccn-2");
  CreateCcn(kAccountA, kOtherRegion, "ccn-other-region");
  CreateCcn(kAccountB, kRegion, "ccn-other-account");
  CreateHw(kAccountA, kRegion, "sag-1");
  CreateHw(kAccountA, kRegion, "sag-2");
  CreateHw(kAccountB, kRegion, "sag-b");

  EXPECT_EQ(BindCcn(kAccountA, kRegion, "sag-none", "ccn-1"), "InstanceNotFound");
  EXPECT_EQ(BindCcn(kAccountB, kRegion, "sag-1", "ccn-1"), "InstanceNotFound");
  EXPECT_EQ(BindCcn(kAccountA, kOtherRegion, "sag-1", "ccn-1"), "InstanceNotFound");
  EXPECT_EQ(BindCcn(kAccountA, kRegion, "sag-1", "ccn-none"), "CcnNotFound");
  EXPECT_EQ(BindCcn(kAccountA, kRegion, "sag-1", "ccn-other-account"), "CcnNotFound");
  EXPECT_EQ(BindCcn(kAccountA, "", "sag-1", "ccn-other-region"), "CcnNotFound");
  EXPECT_EQ(BindCcn(kAccountB, kRegion, "sag-b", "ccn-1"), "CcnNotFound");
  EXPECT_EQ(store().GetInstance(kAccountA, kRegion, "sag-1")->ccn_id, "");

  EXPECT_EQ(BindCcn(kAccountA, kRegion, "sag-1", "ccn-1"), "Bound");
  EXPECT_EQ(store().GetInstance(kAccountA, kRegion, "sag-1")->ccn_id, "ccn-1");
  EXPECT_EQ(store().GetCcn(kAccountA, kRegion, "ccn-1")->instance_count, 1);
  EXPECT_EQ(BindCcn(kAccountA, kRegion, "sag-1", "ccn-1"), "AlreadyBound");
  EXPECT_EQ(BindCcn(kAccountA, kRegion, "sag-1", "ccn-2"), "BoundToOther");
  EXPECT_EQ(store().GetInstance(kAccountA, kRegion, "sag-1")->ccn_id, "ccn-1");
  EXPECT_EQ(BindCcn(kAccountA, "", "sag-2", "ccn-1"), "Bound");

  auto ccn = store().GetCcn(kAccountA, kRegion, "ccn-1");
  ASSERT_STORE_OK(ccn);
  EXPECT_EQ(ccn->instance_count, 2);
  EXPECT_EQ(store().GetCcn(kAccountA, kRegion, "ccn-2")->instance_count, 0);
  CcnFilter f;
  f.account_id = kAccountA;
  f.ids = {"ccn-1"};
  auto page = store().ListCcns(f);
  ASSERT_STORE_OK(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].instance_count, 2);
  InstanceFilter bound;
  bound.account_id = kAccountA;
  bound.ccn_id = "ccn-1";
  EXPECT_EQ(ListIds(bound), (Ids{"sag-1", "sag-2"}));
  bound.ccn_id.clear();
  bound.without_ccn = true;
  EXPECT_EQ(ListIds(bound), Ids{});
}

TEST_P(BindingTest, UnbindInstanceFromCcnOutcomes) {
  CreateCcn(kAccountA, kRegion, "ccn-1");
  CreateCcn(kAccountA, kRegion, "ccn-2");
  CreateCcn(kAccountB, kRegion, "ccn-b");
  CreateHw(kAccountA, kRegion, "sag-1");
  ASSERT_EQ(BindCcn(kAccountA, kRegion, "sag-1", "ccn-1"), "Bound");

  EXPECT_EQ(UnbindCcn(kAccountA, kRegion, "sag-none", "ccn-1"), "InstanceNotFound");
  EXPECT_EQ(UnbindCcn(kAccountB, kRegion, "sag-1", "ccn-1"), "InstanceNotFound");
  EXPECT_EQ(UnbindCcn(kAccountA, kOtherRegion, "sag-1", "ccn-1"), "InstanceNotFound");
  EXPECT_EQ(UnbindCcn(kAccountA, kRegion, "sag-1", "ccn-none"), "CcnNotFound");
  EXPECT_EQ(UnbindCcn(kAccountA, kRegion, "sag-1", "ccn-b"), "CcnNotFound");
  EXPECT_EQ(UnbindCcn(kAccountA, kRegion, "sag-1", "ccn-2"), "NotBound");
  EXPECT_EQ(store().GetInstance(kAccountA, kRegion, "sag-1")->ccn_id, "ccn-1");

  EXPECT_EQ(UnbindCcn(kAccountA, "", "sag-1", "ccn-1"), "Unbound");
  EXPECT_EQ(store().GetInstance(kAccountA, kRegion, "sag-1")->ccn_id, "");
  EXPECT_EQ(store().GetCcn(kAccountA, kRegion, "ccn-1")->instance_count, 0);
  EXPECT_EQ(UnbindCcn(kAccountA, kRegion, "sag-1", "ccn-1"), "NotBound");
  EXPECT_EQ(BindCcn(kAccountA, kRegion, "sag-1", "ccn-2"), "Bound");
}

// Reopen tests run only on backends that keep data across a reopen.
class DurableBindingTest : public BindingTest {};

TEST_P(DurableBindingTest, DevicesAndCcnsSurviveCloseAndReopen) {
  CreateHw(kAccountA, kRegion, "sag-1");
  CreateCcn(kAccountA, kRegion, "ccn-1");
  Register("sn-1");
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-1"), "Bound");
  ASSERT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-2", 2, true), "Bound");
  ASSERT_EQ(BindCcn(kAccountA, kRegion, "sag-1", "ccn-1"), "Bound");
  const std::string device = Dump(*store().GetDevice("sn-1"));
  const std::string ccn = Dump(*store().GetCcn(kAccountA, kRegion, "ccn-1"));

  Reopen();

  EXPECT_EQ(Dump(*store().GetDevice("sn-1")), device);
  EXPECT_EQ(Dump(*store().GetCcn(kAccountA, kRegion, "ccn-1")), ccn);
  EXPECT_EQ(Sns(kAccountA, "sag-1"), (Ids{"sn-1", "sn-2"}));
  EXPECT_EQ(Bind(kAccountA, kRegion, "sag-1", "sn-3", 2, true), "InstanceFull");
  EXPECT_EQ(Outcome(store().DeleteCcn(kAccountA, kRegion, "ccn-1")), "Conflict");
}

// Durability --------------------------------------------------------------------------------------

// Reopen tests run only on backends that keep data across a reopen.
class DurableStoreTest : public StoreContractTest {};

TEST_P(DurableStoreTest, DataSurvivesCloseAndReopen) {
  CreateAccount(kAccountA);
  CreateUser(kAccountA, "alice");
  CreateKey(kAccountA, "alice", "LTAIk");
  CreatePolicy(kAccountA, "P");
  ASSERT_STORE_OK(store().AttachPolicy(kAccountA, "P", "alice"));
  InstanceRecord r = MakeInstance(kAccountA, kRegion, "sag-1", 10);
  CreateInstance(r);
  ASSERT_STORE_OK(store().PutSetting("k", "v"));
  auto key_before = store().GetAccessKey("LTAIk");
  ASSERT_STORE_OK(key_before);

  Reopen();

  EXPECT_STORE_OK(store().GetAccount(kAccountA));
  EXPECT_STORE_OK(store().GetUser(kAccountA, "alice"));
  auto key_after = store().GetAccessKey("LTAIk");
  ASSERT_STORE_OK(key_after);
  EXPECT_EQ(Dump(*key_after), Dump(*key_before));
  EXPECT_EQ(store().ListPoliciesForUser(kAccountA, "alice")->size(), 1u);
  EXPECT_EQ(Dump(*store().GetInstance(kAccountA, kRegion, "sag-1")), Dump(r));
  EXPECT_EQ(store().GetSetting("k")->value_or(""), "v");
  // Invariants still hold after reopening.
  EXPECT_EQ(Outcome(store().DeleteUser(kAccountA, "alice")), "Conflict");
  EXPECT_EQ(Outcome(store().CreateInstance(r)), "AlreadyExists");
}

// Concurrency -------------------------------------------------------------------------------------

constexpr int kThreads = 8;
constexpr int kCallsPerThread = 50;

TEST_P(StoreContractTest, ConcurrentCreatesAllSucceedWithExactCounts) {
  CreateAccount(kAccountA);
  CreateUser(kAccountA, "alice");
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &failures] {
      for (int i = 0; i < kCallsPerThread; ++i) {
        const std::string suffix = std::to_string(t) + "-" + std::to_string(i);
        if (!store().CreateAccessKey({.id = "LTAI" + suffix,
                                      .account_id = kAccountA,
                                      .user_name = "alice",
                                      .sealed_secret = "s",
                                      .create_ms = i})) {
          ++failures;
        }
        if (!store().CreateInstance(MakeInstance(kAccountA, kRegion, "sag-" + suffix, i))) {
          ++failures;
        }
        // Reads interleave with the writes.
        if (!store().GetInstance(kAccountA, kRegion, "sag-" + suffix)) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  EXPECT_EQ(failures.load(), 0);
  auto keys = store().ListAccessKeys(kAccountA, "alice");
  ASSERT_STORE_OK(keys);
  EXPECT_EQ(keys->size(), static_cast<size_t>(kThreads * kCallsPerThread));
  std::set<std::string> distinct;
  for (const AccessKeyRecord& k : *keys) {
    distinct.insert(k.id);
  }
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kThreads * kCallsPerThread));
  InstanceFilter f;
  f.account_id = kAccountA;
  f.limit = 1;
  int64_t total = 0;
  ListIds(f, &total);
  EXPECT_EQ(total, kThreads * kCallsPerThread);
}

TEST_P(StoreContractTest, ConcurrentCreateOfTheSameUserHasExactlyOneWinner) {
  CreateAccount(kAccountA);
  std::atomic<int> ok{0};
  std::atomic<int> already_exists{0};
  std::atomic<int> other{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      while (!go.load()) {
        std::this_thread::yield();
      }
      auto r = store().CreateUser(
          {.account_id = kAccountA, .name = "racer", .display_name = std::to_string(t)});
      if (r) {
        ++ok;
      } else if (r.error().code == StoreErrorCode::kAlreadyExists) {
        ++already_exists;
      } else {
        ++other;
      }
    });
  }
  go = true;
  for (std::thread& t : threads) {
    t.join();
  }
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(already_exists.load(), kThreads - 1);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(store().ListUsers(kAccountA)->size(), 1u);
}

TEST_P(StoreContractTest, ConcurrentReadersSeeConsistentPages) {
  std::atomic<bool> done{false};
  std::atomic<int> inconsistent{0};
  std::thread writer([&] {
    for (int i = 0; i < 100; ++i) {
      if (!store().CreateInstance(
              MakeInstance(kAccountA, kRegion, "sag-" + std::to_string(i), i))) {
        ++inconsistent;
      }
    }
    done = true;
  });
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      int64_t last_total = 0;
      while (!done.load()) {
        InstanceFilter f;
        f.account_id = kAccountA;
        f.limit = 1000;
        auto page = store().ListInstances(f);
        // Items and total come from one snapshot, and the count never goes backwards.
        if (!page || static_cast<int64_t>(page->items.size()) != page->total ||
            page->total < last_total) {
          ++inconsistent;
          return;
        }
        last_total = page->total;
      }
    });
  }
  writer.join();
  for (std::thread& t : readers) {
    t.join();
  }
  EXPECT_EQ(inconsistent.load(), 0);
}

// Binding races -----------------------------------------------------------------------------------

// Starts `threads` threads that wait for one signal and then run body(thread index) at once.
void RunTogether(int threads, const std::function<void(int)>& body) {
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> pool;
  pool.reserve(static_cast<size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      ++ready;
      while (!go.load()) {
        std::this_thread::yield();
      }
      body(t);
    });
  }
  while (ready.load() < threads) {
    std::this_thread::yield();
  }
  go = true;
  for (std::thread& t : pool) {
    t.join();
  }
}

// Races run only on backends that serve several connections at once.
class ConcurrentBindingTest : public BindingTest {};

TEST_P(ConcurrentBindingTest, ConcurrentBindsOfOneSerialNumberHaveExactlyOneWinner) {
  constexpr int kInstances = 64;
  constexpr int kRounds = 20;
  // Instances in two accounts and two regions: a device is bound once whatever the account.
  auto account = [](int i) { return std::string(i % 2 == 0 ? kAccountA : kAccountB); };
  auto region = [](int i) { return std::string(i % 4 < 2 ? kRegion : kOtherRegion); };
  auto instance = [](int i) { return "sag-race-" + std::to_string(i); };
  for (int i = 0; i < kInstances; ++i) {
    CreateHw(account(i), region(i), instance(i), "sag-100wm", i);
  }
  for (int round = 0; round < kRounds; ++round) {
    const std::string sn = "sn-race-" + std::to_string(round);
    // Even rounds: a registered device; odd rounds: created on bind (open registry) as well.
    const bool register_unknown = round % 2 == 1;
    if (!register_unknown) {
      Register(sn);
    }
    std::vector<std::string> outcomes(kInstances);
    RunTogether(kInstances, [&](int t) {
      outcomes[static_cast<size_t>(t)] =
          Bind(account(t), region(t), instance(t), sn, 1, register_unknown, 1000 + round);
    });
    int bound = 0;
    int elsewhere = 0;
    int winner = -1;
    for (int t = 0; t < kInstances; ++t) {
      const std::string& o = outcomes[static_cast<size_t>(t)];
      if (o == "Bound") {
        ++bound;
        winner = t;
      } else if (o == "BoundElsewhere") {
        ++elsewhere;
      } else {
        ADD_FAILURE() << "round " << round << " thread " << t << ": " << o;
      }
    }
    ASSERT_EQ(bound, 1) << "round " << round;
    ASSERT_EQ(elsewhere, kInstances - 1) << "round " << round;
    // The stored state agrees with the single winner.
    auto device = store().GetDevice(sn);
    ASSERT_STORE_OK(device);
    EXPECT_EQ(device->instance_id, instance(winner));
    EXPECT_EQ(device->account_id, account(winner));
    InstanceFilter f;
    f.account_id = account(winner);
    f.serial_number = sn;
    EXPECT_EQ(ListIds(f), (Ids{instance(winner)}));
    f.account_id = account(winner + 1);
    EXPECT_EQ(ListIds(f), Ids{});
    EXPECT_EQ(Sns(account(winner), instance(winner)), (Ids{sn}));
    // Free the winner (max 1) for the next round.
    ASSERT_EQ(Unbind(account(winner), region(winner), instance(winner), sn), "Unbound");
  }
  EXPECT_EQ(*store().CountDevices(), kRounds);
}

TEST_P(ConcurrentBindingTest, ConcurrentBindsToOneInstanceNeverExceedMaxDevices) {
  constexpr int kRounds = 50;
  constexpr int kBinders = 3;
  for (int round = 0; round < kRounds; ++round) {
    const std::string id = "sag-ha-" + std::to_string(round);
    CreateHw(kAccountA, kRegion, id, "sag-1000", round);
    std::vector<std::string> sns;
    for (int t = 0; t < kBinders; ++t) {
      sns.push_back("sn-ha-" + std::to_string(round) + "-" + std::to_string(t));
      if (t != 0) {  // one device of each round is created on bind
        Register(sns.back(), "sag-1000");
      }
    }
    std::vector<std::string> outcomes(kBinders);
    RunTogether(kBinders, [&](int t) {
      const auto i = static_cast<size_t>(t);
      outcomes[i] = Bind(kAccountA, kRegion, id, sns[i], 2, t == 0, 2000 + round);
    });
    int bound = 0;
    int full = 0;
    Ids winners;
    for (int t = 0; t < kBinders; ++t) {
      const std::string& o = outcomes[static_cast<size_t>(t)];
      if (o == "Bound") {
        ++bound;
        winners.push_back(sns[static_cast<size_t>(t)]);
      } else if (o == "InstanceFull") {
        ++full;
      } else {
        ADD_FAILURE() << "round " << round << " thread " << t << ": " << o;
      }
    }
    ASSERT_EQ(bound, 2) << "round " << round;
    ASSERT_EQ(full, 1) << "round " << round;
    Ids stored = Sns(kAccountA, id);
    ASSERT_EQ(stored.size(), 2u);
    std::sort(stored.begin(), stored.end());
    std::sort(winners.begin(), winners.end());
    EXPECT_EQ(stored, winners) << "round " << round;
  }
}

// Device channel: secrets, runtime, facets -------------------------------------------------------

class DeviceChannelStoreTest : public StoreContractTest {
 protected:
  void Register(const std::string& sn, const std::string& sealed = "") {
    DeviceRecord d;
    d.serial_number = sn;
    d.hardware_model = "sag-1000";
    d.sealed_secret = sealed;
    d.create_ms = 5;
    ASSERT_STORE_OK(store().RegisterDevice(d));
  }
  std::string Desire(const std::string& sn, std::string_view facet, std::string_view value,
                     int64_t now_ms, bool require_synchronized = false) {
    return OutcomeName(store().SetDesiredFacet(sn, facet, value, now_ms, require_synchronized));
  }
  DeviceFacetRecord Facet(const std::string& sn, std::string_view facet) {
    auto facets = store().GetDeviceFacets(sn);
    EXPECT_TRUE(facets.has_value());
    if (facets) {
      for (auto& f : *facets) {
        if (f.facet == facet) return f;
      }
    }
    return {};
  }
};

TEST_P(DeviceChannelStoreTest, RuntimeIsRecordedAndReadBack) {
  Register("sagrun0001");
  ASSERT_STORE_OK(store().RecordDeviceConnected("sagrun0001", "2.0.0", "1.0.0", 100, 200));
  ASSERT_STORE_OK(store().RecordDeviceOffline("sagrun0001", "lease_expired", 300));
  auto d = store().GetDevice("sagrun0001");
  ASSERT_STORE_OK(d);
  EXPECT_EQ(d->firmware_version, "2.0.0");
  EXPECT_EQ(d->dpi_version, "1.0.0");
  EXPECT_EQ(d->boot_ms, 100);
  EXPECT_EQ(d->last_connected_ms, 200);
  EXPECT_EQ(d->last_offline_ms, 300);
  EXPECT_EQ(d->offline_reason, "lease_expired");
  EXPECT_EQ(Outcome(store().RecordDeviceConnected("sagmissing", "", "", 0, 1)), "NotFound");
  EXPECT_EQ(Outcome(store().RecordDeviceOffline("sagmissing", "closed", 1)), "NotFound");
}

TEST_P(DeviceChannelStoreTest, DesiredGenerationsGrowAndAppliedNeverLowers) {
  Register("sagfacet01");
  EXPECT_TRUE(store().GetDeviceFacets("sagfacet01")->empty());
  EXPECT_EQ(Desire("sagfacet01", kFacetAdminPassword, R"({"hash":"h1"})", 10), "Set 1");
  EXPECT_EQ(Desire("sagfacet01", kFacetAdminPassword, R"({"hash":"h2"})", 11), "Set 2");
  ASSERT_STORE_OK(store().RecordApplied("sagfacet01", kFacetAdminPassword, 2, "ok", "", 12));
  ASSERT_STORE_OK(store().RecordApplied("sagfacet01", kFacetAdminPassword, 1, "ok", "", 13));
  DeviceFacetRecord f = Facet("sagfacet01", kFacetAdminPassword);
  EXPECT_EQ(f.desired_generation, 2);
  EXPECT_EQ(f.desired_value, R"({"hash":"h2"})");
  EXPECT_EQ(f.applied_generation, 2);
  EXPECT_EQ(f.update_ms, 13);
  // A failure is recorded but does not confirm.
  EXPECT_EQ(Desire("sagfacet01", kFacetAdminPassword, R"({"hash":"h3"})", 14), "Set 3");
  ASSERT_STORE_OK(
      store().RecordApplied("sagfacet01", kFacetAdminPassword, 3, "failed", "disk", 15));
  f = Facet("sagfacet01", kFacetAdminPassword);
  EXPECT_EQ(f.applied_generation, 2);
  EXPECT_EQ(f.result_generation, 3);
  EXPECT_EQ(f.last_result, "failed");
  EXPECT_EQ(f.last_detail, "disk");
  EXPECT_EQ(Desire("sagmissing", kFacetReboot, "{}", 1), "NotFound");
  EXPECT_EQ(Desire("sagmissing", kFacetReboot, "{}", 1, /*require_synchronized=*/true), "NotFound");
  EXPECT_EQ(Outcome(store().RecordApplied("sagmissing", kFacetReboot, 1, "ok", "", 1)), "NotFound");
}

TEST_P(DeviceChannelStoreTest, NewGenerationExceedsWhatTheDeviceReportedApplied) {
  Register("sagfacet02");
  // The device reports generation 5 applied (e.g. the database was restored from a backup).
  ASSERT_STORE_OK(store().RecordApplied("sagfacet02", kFacetReboot, 5, "ok", "", 1));
  EXPECT_EQ(Desire("sagfacet02", kFacetReboot, "{}", 2), "Set 6");
}

TEST_P(DeviceChannelStoreTest, NewGenerationExceedsWhatTheDeviceReportedFailed) {
  Register("sagfacet04");
  ASSERT_STORE_OK(store().RecordApplied("sagfacet04", kFacetAdminPassword, 7, "failed", "", 1));
  EXPECT_EQ(Desire("sagfacet04", kFacetAdminPassword, "{}", 2, /*require_synchronized=*/true),
            "Set 8");
}

TEST_P(DeviceChannelStoreTest, RequireSynchronizedRefusesWhileAChangeIsUnconfirmed) {
  Register("sagfacet05");
  // No row yet: synchronized.
  EXPECT_EQ(Desire("sagfacet05", kFacetAdminPassword, R"({"hash":"h1"})", 1, true), "Set 1");
  EXPECT_EQ(Desire("sagfacet05", kFacetAdminPassword, R"({"hash":"h2"})", 2, true),
            "Unsynchronized");
  DeviceFacetRecord f = Facet("sagfacet05", kFacetAdminPassword);
  EXPECT_EQ(f.desired_generation, 1);
  EXPECT_EQ(f.desired_value, R"({"hash":"h1"})");
  EXPECT_EQ(f.update_ms, 1);
  // A failed answer leaves the change unconfirmed.
  ASSERT_STORE_OK(store().RecordApplied("sagfacet05", kFacetAdminPassword, 1, "failed", "", 3));
  EXPECT_EQ(Desire("sagfacet05", kFacetAdminPassword, R"({"hash":"h2"})", 4, true),
            "Unsynchronized");
  // Other facets are independent; without the flag the change is always made.
  EXPECT_EQ(Desire("sagfacet05", kFacetReboot, "{}", 5, true), "Set 1");
  EXPECT_EQ(Desire("sagfacet05", kFacetAdminPassword, R"({"hash":"h3"})", 6), "Set 2");
  ASSERT_STORE_OK(store().RecordApplied("sagfacet05", kFacetAdminPassword, 2, "ok", "", 7));
  EXPECT_EQ(Desire("sagfacet05", kFacetAdminPassword, R"({"hash":"h4"})", 8, true), "Set 3");
}

// Races run only on backends that serve several connections at once.
class ConcurrentDeviceChannelStoreTest : public DeviceChannelStoreTest {};

TEST_P(ConcurrentDeviceChannelStoreTest, ConcurrentSetDesiredGivesDistinctGenerations) {
  Register("sagfacet03");
  constexpr int kWriters = 4, kEach = 10;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<int64_t> gens;
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        auto r = store().SetDesiredFacet("sagfacet03", kFacetDpi, "{}", 1, false);
        std::lock_guard lock(mu);
        if (r && r->outcome == DesiredOutcome::kSet) gens.push_back(r->generation);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::sort(gens.begin(), gens.end());
  ASSERT_EQ(gens.size(), static_cast<size_t>(kWriters * kEach));
  for (size_t i = 0; i < gens.size(); ++i) EXPECT_EQ(gens[i], static_cast<int64_t>(i) + 1);
}

TEST_P(ConcurrentDeviceChannelStoreTest, OfConcurrentSynchronizedChangesExactlyOneIsMade) {
  Register("sagfacet06");
  constexpr int kWriters = 4, kRounds = 10;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::thread> threads;
    std::vector<std::string> outcomes(kWriters);
    for (int t = 0; t < kWriters; ++t) {
      threads.emplace_back([&, t] {
        outcomes[static_cast<size_t>(t)] =
            Desire("sagfacet06", kFacetAdminPassword, "{}", round, /*require_synchronized=*/true);
      });
    }
    for (auto& t : threads) t.join();
    const std::string made = "Set " + std::to_string(round + 1);
    EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), made), 1) << "round " << round;
    EXPECT_EQ(std::count(outcomes.begin(), outcomes.end(), "Unsynchronized"), kWriters - 1)
        << "round " << round;
    ASSERT_STORE_OK(
        store().RecordApplied("sagfacet06", kFacetAdminPassword, round + 1, "ok", "", round));
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContractTest, ::testing::ValuesIn(Backends()), BackendName);
INSTANTIATE_TEST_SUITE_P(Backends, ListInstancesTest, ::testing::ValuesIn(Backends()), BackendName);
INSTANTIATE_TEST_SUITE_P(Backends, BindingTest, ::testing::ValuesIn(Backends()), BackendName);
INSTANTIATE_TEST_SUITE_P(Backends, DeviceChannelStoreTest, ::testing::ValuesIn(Backends()),
                         BackendName);

std::vector<BackendFactory> BackendsWhere(bool BackendFactory::*property) {
  std::vector<BackendFactory> out;
  for (auto& b : Backends()) {
    if (b.*property) out.push_back(b);
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Backends, DurableStoreTest,
                         ::testing::ValuesIn(BackendsWhere(&BackendFactory::durable)), BackendName);
INSTANTIATE_TEST_SUITE_P(Backends, DurableBindingTest,
                         ::testing::ValuesIn(BackendsWhere(&BackendFactory::durable)), BackendName);
INSTANTIATE_TEST_SUITE_P(Backends, ConcurrentBindingTest,
                         ::testing::ValuesIn(BackendsWhere(&BackendFactory::multi_connection)),
                         BackendName);
INSTANTIATE_TEST_SUITE_P(Backends, ConcurrentDeviceChannelStoreTest,
                         ::testing::ValuesIn(BackendsWhere(&BackendFactory::multi_connection)),
                         BackendName);

}  // namespace
}  // namespace sag::store
