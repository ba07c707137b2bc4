// The Store contract: every backend must pass this suite unchanged. The tests use only the Store
// interface (store/store.h); a new backend joins by adding a factory to Backends().

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_store.h"
#include "store/store.h"
#include "store/store_test_support.h"

namespace sag::store {
namespace {

using ::sag::store::testing::Dump;
using ::sag::store::testing::MakeInstance;
using ::sag::store::testing::NewDatabasePath;
using ::sag::store::testing::Outcome;

// A backend under test.
struct BackendFactory {
  std::string name;
  // Makes the next open() use a new, empty database.
  std::function<void()> fresh;
  // Opens the current database; null on failure. Opening again after closing the previous store
  // reaches the same data when `durable`.
  std::function<std::unique_ptr<Store>()> open;
  bool durable = false;
};

std::unique_ptr<Store> OpenSqlite(const std::string& path) {
  auto store = SqliteStore::Open(path);
  if (!store) {
    ADD_FAILURE() << "SqliteStore::Open(" << path << "): " << store.error();
    return nullptr;
  }
  return std::move(store).value();
}

std::vector<BackendFactory> Backends() {
  std::vector<BackendFactory> backends;
  {
    auto path = std::make_shared<std::string>();
    backends.push_back(BackendFactory{
        .name = "SqliteFile",
        .fresh = [path] { *path = NewDatabasePath(); },
        .open = [path] { return OpenSqlite(*path); },
        .durable = true,
    });
  }
  backends.push_back(BackendFactory{
      .name = "SqliteMemory",
      .fresh = [] {},
      .open = [] { return OpenSqlite(":memory:"); },
      .durable = false,
  });
  return backends;
}

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
//   sag-d   30         gamma   Offline software  sag-software (none)
//   sag-c   40         alphabet active hardware  sag-100wm   ccn-2
//   sag-f   15 (kOtherRegion) alpha Active hardware sag-100wm ccn-1
class ListInstancesTest : public StoreContractTest {
 protected:
  void SetUp() override {
    StoreContractTest::SetUp();
    if (HasFatalFailure()) {
      return;
    }
    Add("sag-e", kRegion, 10, "alpha", "Active", "hardware", "sag-100wm", "ccn-1");
    Add("sag-b", kRegion, 20, "beta", "Init", "hardware", "sag-1000", "ccn-2");
    Add("sag-a", kRegion, 20, "alpha", "Active", "software", "sag-vcpe", "ccn-1");
    Add("sag-d", kRegion, 30, "gamma", "Offline", "software", "sag-software", "");
    Add("sag-c", kRegion, 40, "alphabet", "active", "hardware", "sag-100wm", "ccn-2");
    Add("sag-f", kOtherRegion, 15, "alpha", "Active", "hardware", "sag-100wm", "ccn-1");
    InstanceRecord other = MakeInstance(kAccountB, kRegion, "sag-z", 1);
    CreateInstance(other);
  }

  void Add(const std::string& id, const std::string& region, int64_t create_ms,
           const std::string& name, const std::string& status, const std::string& type,
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

TEST_P(ListInstancesTest, FiltersByStatusCaseInsensitively) {
  InstanceFilter f = All();
  f.status = "ACTIVE";
  int64_t total = 0;
  EXPECT_EQ(ListIds(f, &total), (Ids{"sag-e", "sag-f", "sag-a", "sag-c"}));
  EXPECT_EQ(total, 4);
  f.status = "init";
  EXPECT_EQ(ListIds(f, &total), (Ids{"sag-b"}));
  f.status = "Act";
  EXPECT_EQ(ListIds(f, &total), Ids{});
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
  f.status = "active";
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
  patch.status = "Offline";
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
  expected.status = "Offline";
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

// Durability --------------------------------------------------------------------------------------

TEST_P(StoreContractTest, DataSurvivesCloseAndReopen) {
  if (!GetParam().durable) {
    GTEST_SKIP() << GetParam().name << " does not keep data across reopen";
  }
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

std::string BackendName(const ::testing::TestParamInfo<BackendFactory>& info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContractTest, ::testing::ValuesIn(Backends()), BackendName);
INSTANTIATE_TEST_SUITE_P(Backends, ListInstancesTest, ::testing::ValuesIn(Backends()), BackendName);

}  // namespace
}  // namespace sag::store
