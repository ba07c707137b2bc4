// The ACL part of the Store contract (store/acl_store.h) and the configuration facets built on it
// (store/config_facet_store.h): ACL scoping and quota, rule order and outcomes, associations, the
// consistent read the acl facet is computed from, and SetConfigFacets keeping the latest
// computation whatever order concurrent changes commit in. Every backend must pass it unchanged.

#include <string>
#include <thread>
#include <type_traits>
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
using ::sag::store::testing::MultiConnectionBackends;
using ::sag::store::testing::Outcome;

constexpr char kAccountA[] = "1000000000000001";
constexpr char kAccountB[] = "1000000000000002";
constexpr char kRegion[] = "cn-shanghai";

AclRecord Acl(const std::string& id, const std::string& account = kAccountA,
              const std::string& type = "acl-hardware", int64_t create_ms = 1) {
  return AclRecord{.id = id,
                   .account_id = account,
                   .region_id = kRegion,
                   .name = "name-" + id,
                   .acl_type = type,
                   .resource_group_id = "rg-1",
                   .create_ms = create_ms};
}

AclRuleRecord Rule(const std::string& acl, const std::string& id, int64_t priority,
                   int64_t create_ms, const std::string& type = "LAN") {
  return AclRuleRecord{.id = id,
                       .acl_id = acl,
                       .name = "",
                       .description = "d-" + id,
                       .direction = "in",
                       .type = type,
                       .policy = "drop",
                       .priority = priority,
                       .ip_protocol = "TCP",
                       .source_cidr = "10.0.0.0/8",
                       .source_port_range = "-1/-1",
                       .dest_cidr = "0.0.0.0/0",
                       .dest_port_range = "80/80",
                       .dpi_group_ids = {"20", "21"},
                       .dpi_signature_ids = {},
                       .create_ms = create_ms};
}

DeviceRecord Device(const std::string& sn) {
  DeviceRecord d;
  d.serial_number = sn;
  d.hardware_model = "sag-100wm";
  d.create_ms = 1;
  return d;
}

AclFilter Filter(std::vector<std::string> ids, std::string acl_type, int64_t limit = 10) {
  AclFilter f;
  f.account_id = kAccountA;
  f.ids = std::move(ids);
  f.acl_type = std::move(acl_type);
  f.limit = limit;
  return f;
}

std::string Name(AclCreateOutcome o) {
  return o == AclCreateOutcome::kCreated ? "Created" : "LimitReached";
}
std::string Name(AclRuleOutcome o) {
  switch (o) {
    case AclRuleOutcome::kDone:
      return "Done";
    case AclRuleOutcome::kAclNotFound:
      return "AclNotFound";
    case AclRuleOutcome::kRuleNotFound:
      return "RuleNotFound";
    case AclRuleOutcome::kLimitReached:
      return "LimitReached";
    case AclRuleOutcome::kWanOnSag1000:
      return "WanOnSag1000";
  }
  return "?";
}
std::string Name(AclAssociateOutcome o) {
  switch (o) {
    case AclAssociateOutcome::kAssociated:
      return "Associated";
    case AclAssociateOutcome::kInstanceNotFound:
      return "InstanceNotFound";
    case AclAssociateOutcome::kAclNotFound:
      return "AclNotFound";
    case AclAssociateOutcome::kAlreadyAssociated:
      return "AlreadyAssociated";
    case AclAssociateOutcome::kOtherAssociated:
      return "OtherAssociated";
    case AclAssociateOutcome::kSoftwareInstance:
      return "SoftwareInstance";
    case AclAssociateOutcome::kTypeMismatch:
      return "TypeMismatch";
    case AclAssociateOutcome::kWanOnSag1000:
      return "WanOnSag1000";
  }
  return "?";
}
std::string Name(AclDisassociateOutcome o) {
  switch (o) {
    case AclDisassociateOutcome::kDisassociated:
      return "Disassociated";
    case AclDisassociateOutcome::kInstanceNotFound:
      return "InstanceNotFound";
    case AclDisassociateOutcome::kAclNotFound:
      return "AclNotFound";
    case AclDisassociateOutcome::kNotAssociated:
      return "NotAssociated";
  }
  return "?";
}

template <typename R>
std::string Of(const StoreResult<R>& r) {
  if (!r.has_value()) return std::string(StoreErrorCodeName(r.error().code));
  if constexpr (std::is_same_v<R, AclRuleResult>) {
    return Name(r->outcome);
  } else {
    return Name(*r);
  }
}

class AclStoreTest : public ::testing::TestWithParam<BackendFactory> {
 protected:
  void SetUp() override {
    GetParam().fresh();
    store_ = GetParam().open();
    ASSERT_NE(store_, nullptr);
    for (const char* account : {kAccountA, kAccountB}) {
      ASSERT_STORE_OK(store().CreateAccount({.id = account, .name = "n", .create_ms = 1}));
    }
  }
  Store& store() { return *store_; }

  void AddInstance(const std::string& id, const std::string& spec = "sag-100wm",
                   const std::string& account = kAccountA) {
    InstanceRecord r = MakeInstance(account, kRegion, id, 1);
    r.hardware_spec = spec;
    if (spec == "sag-software") r.instance_type = "software";
    ASSERT_STORE_OK(store().CreateInstance(r));
  }
  void AddBoundDevice(const std::string& instance, const std::string& sn) {
    ASSERT_STORE_OK(store().RegisterDevice(Device(sn)));
    BindSerialNumberRequest req;
    req.account_id = kAccountA;
    req.region_id = kRegion;
    req.instance_id = instance;
    req.serial_number = sn;
    req.max_devices = 2;
    req.now_ms = 1;
    auto bound = store().BindSerialNumber(req);
    ASSERT_STORE_OK(bound);
    ASSERT_EQ(*bound, BindOutcome::kBound);
  }
  // The acl facet row of sn, or an empty record.
  DeviceFacetRecord AclFacet(const std::string& sn) {
    auto facets = store().GetDeviceFacets(sn);
    EXPECT_TRUE(facets.has_value());
    if (facets) {
      for (const DeviceFacetRecord& f : *facets) {
        if (f.facet == "acl") return f;
      }
    }
    return {};
  }

  std::unique_ptr<Store> store_;
};

TEST_P(AclStoreTest, CreateIsScopedToItsAccountAndCountsTheRegionQuota) {
  EXPECT_EQ(Of(store().CreateAcl(Acl("acl-1"), 2)), "Created");
  EXPECT_EQ(Of(store().CreateAcl(Acl("acl-1", kAccountB), 2)), "AlreadyExists");
  EXPECT_EQ(Of(store().CreateAcl(Acl("acl-2", kAccountA, "acl-software", 2), 2)), "Created");
  EXPECT_EQ(Of(store().CreateAcl(Acl("acl-3"), 2)), "LimitReached");
  EXPECT_EQ(Of(store().CreateAcl(Acl("acl-3", kAccountB), 2)), "Created");

  auto got = store().GetAcl(kAccountA, kRegion, "acl-2");
  ASSERT_STORE_OK(got);
  EXPECT_EQ(got->acl_type, "acl-software");
  EXPECT_EQ(got->instance_count, 0);
  EXPECT_EQ(Outcome(store().GetAcl(kAccountB, kRegion, "acl-2")), "NotFound");
  EXPECT_EQ(Outcome(store().GetAcl(kAccountA, "cn-beijing", "acl-2")), "NotFound");
  EXPECT_STORE_OK(store().GetAcl(kAccountA, "", "acl-2"));

  AclFilter first_page = Filter({}, "", 1);
  first_page.region_id = kRegion;
  auto page = store().ListAcls(first_page);
  ASSERT_STORE_OK(page);
  EXPECT_EQ(page->total, 2);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].id, "acl-1");
  auto filtered = store().ListAcls(Filter({"acl-2", "acl-3", "acl-none"}, "acl-software"));
  ASSERT_STORE_OK(filtered);
  ASSERT_EQ(filtered->items.size(), 1u);
  EXPECT_EQ(filtered->items[0].id, "acl-2");

  ASSERT_STORE_OK(store().RenameAcl(kAccountA, kRegion, "acl-1", "renamed"));
  EXPECT_EQ(store().GetAcl(kAccountA, kRegion, "acl-1")->name, "renamed");
  EXPECT_EQ(Outcome(store().RenameAcl(kAccountB, kRegion, "acl-1", "x")), "NotFound");
  EXPECT_EQ(Outcome(store().DeleteAcl(kAccountB, kRegion, "acl-1")), "NotFound");
  ASSERT_STORE_OK(store().DeleteAcl(kAccountA, kRegion, "acl-1"));
  EXPECT_EQ(Outcome(store().GetAcl(kAccountA, kRegion, "acl-1")), "NotFound");
}

TEST_P(AclStoreTest, RulesComeInEvaluationOrderAndChangeOnlyTheirOwnAcl) {
  ASSERT_STORE_OK(store().CreateAcl(Acl("acl-1"), 10));
  EXPECT_EQ(Of(store().AddAclRule(kAccountA, kRegion, Rule("acl-1", "acr-c", 5, 10), 3)), "Done");
  EXPECT_EQ(Of(store().AddAclRule(kAccountA, kRegion, Rule("acl-1", "acr-b", 1, 20), 3)), "Done");
  EXPECT_EQ(Of(store().AddAclRule(kAccountA, kRegion, Rule("acl-1", "acr-a", 5, 5), 3)), "Done");
  EXPECT_EQ(Of(store().AddAclRule(kAccountA, kRegion, Rule("acl-1", "acr-d", 1, 1), 3)),
            "LimitReached");
  EXPECT_EQ(Of(store().AddAclRule(kAccountB, kRegion, Rule("acl-1", "acr-d", 1, 1), 3)),
            "AclNotFound");
  auto rules = store().ListAclRules(kAccountA, kRegion, "acl-1");
  ASSERT_STORE_OK(rules);
  ASSERT_EQ(rules->size(), 3u);
  EXPECT_EQ((*rules)[0].id, "acr-b");
  EXPECT_EQ((*rules)[1].id, "acr-a");
  EXPECT_EQ((*rules)[2].id, "acr-c");
  EXPECT_EQ((*rules)[0].dpi_group_ids, (std::vector<std::string>{"20", "21"}));
  EXPECT_TRUE((*rules)[0].dpi_signature_ids.empty());

  AclRuleRecord changed = Rule("acl-1", "acr-c", 0, 999);
  changed.policy = "accept";
  auto replaced = store().ReplaceAclRule(kAccountA, kRegion, changed);
  ASSERT_STORE_OK(replaced);
  EXPECT_EQ(replaced->outcome, AclRuleOutcome::kDone);
  EXPECT_EQ(replaced->rule.create_ms, 10);  // kept
  rules = store().ListAclRules(kAccountA, kRegion, "acl-1");
  ASSERT_STORE_OK(rules);
  EXPECT_EQ((*rules)[0].id, "acr-c");
  EXPECT_EQ((*rules)[0].policy, "accept");
  EXPECT_EQ(Of(store().ReplaceAclRule(kAccountA, kRegion, Rule("acl-1", "acr-x", 1, 1))),
            "RuleNotFound");

  auto deleted = store().DeleteAclRule(kAccountA, kRegion, "acl-1", "acr-b");
  ASSERT_STORE_OK(deleted);
  EXPECT_EQ(deleted->outcome, AclRuleOutcome::kDone);
  EXPECT_EQ(deleted->rule.description, "d-acr-b");
  EXPECT_EQ(Of(store().DeleteAclRule(kAccountA, kRegion, "acl-1", "acr-b")), "RuleNotFound");
  EXPECT_EQ(Of(store().DeleteAclRule(kAccountA, kRegion, "acl-9", "acr-a")), "AclNotFound");
  EXPECT_EQ(Outcome(store().ListAclRules(kAccountB, kRegion, "acl-1")), "NotFound");
}

TEST_P(AclStoreTest, AssociationOutcomesInTheirDocumentedOrder) {
  AddInstance("sag-hw");
  AddInstance("sag-app", "sag-software");
  AddInstance("sag-1k", "sag-1000");
  AddInstance("sag-other", "sag-100wm", kAccountB);
  ASSERT_STORE_OK(store().CreateAcl(Acl("acl-hw"), 10));
  ASSERT_STORE_OK(store().CreateAcl(Acl("acl-sw", kAccountA, "acl-software"), 10));
  ASSERT_STORE_OK(store().CreateAcl(Acl("acl-wan"), 10));
  ASSERT_STORE_OK(store().AddAclRule(kAccountA, kRegion, Rule("acl-wan", "acr-w", 1, 1, "WAN"), 9));

  auto associate = [&](const char* acl, const char* instance) {
    return Of(store().AssociateAcl(kAccountA, kRegion, acl, instance, 100));
  };
  EXPECT_EQ(associate("acl-hw", "sag-other"), "InstanceNotFound");
  EXPECT_EQ(associate("acl-none", "sag-hw"), "AclNotFound");
  EXPECT_EQ(associate("acl-hw", "sag-app"), "SoftwareInstance");
  EXPECT_EQ(associate("acl-sw", "sag-hw"), "TypeMismatch");
  EXPECT_EQ(associate("acl-wan", "sag-1k"), "WanOnSag1000");
  EXPECT_EQ(associate("acl-hw", "sag-hw"), "Associated");
  EXPECT_EQ(associate("acl-hw", "sag-hw"), "AlreadyAssociated");
  EXPECT_EQ(associate("acl-wan", "sag-hw"), "OtherAssociated");
  EXPECT_EQ(associate("acl-sw", "sag-app"), "Associated");
  EXPECT_EQ(associate("acl-hw", "sag-1k"), "Associated");
  EXPECT_EQ(Of(store().AddAclRule(kAccountA, kRegion, Rule("acl-hw", "acr-w2", 1, 1, "WAN"), 9)),
            "WanOnSag1000");

  EXPECT_EQ(store().GetAcl(kAccountA, kRegion, "acl-hw")->instance_count, 2);
  auto of = store().AclsOfInstances(kAccountA, {"sag-hw", "sag-app", "sag-other", "sag-none"});
  ASSERT_STORE_OK(of);
  EXPECT_EQ(*of, (std::map<std::string, std::string>{{"sag-hw", "acl-hw"}, {"sag-app", "acl-sw"}}));

  auto disassociate = [&](const char* acl, const char* instance) {
    return Of(store().DisassociateAcl(kAccountA, kRegion, acl, instance));
  };
  EXPECT_EQ(disassociate("acl-hw", "sag-other"), "InstanceNotFound");
  EXPECT_EQ(disassociate("acl-none", "sag-hw"), "AclNotFound");
  EXPECT_EQ(disassociate("acl-wan", "sag-hw"), "NotAssociated");
  EXPECT_EQ(disassociate("acl-hw", "sag-1k"), "Disassociated");
  EXPECT_EQ(disassociate("acl-hw", "sag-1k"), "NotAssociated");

  // Deleting the ACL ends its associations and says which; deleting an instance ends its own.
  ASSERT_STORE_OK(store().DeleteInstance(kAccountA, kRegion, "sag-app"));
  EXPECT_EQ(*store().ListAclInstances(kAccountA, kRegion, "acl-sw"), std::vector<std::string>{});
  auto gone = store().DeleteAcl(kAccountA, kRegion, "acl-hw");
  ASSERT_STORE_OK(gone);
  EXPECT_EQ(*gone, std::vector<std::string>{"sag-hw"});
  EXPECT_EQ(associate("acl-wan", "sag-hw"), "Associated");
}

TEST_P(AclStoreTest, ConfigFacetsKeepTheLatestComputationAndSkipStaleOnes) {
  AddInstance("sag-1");
  AddBoundDevice("sag-1", "SN1");
  ASSERT_STORE_OK(store().CreateAcl(Acl("acl-1"), 10));
  ASSERT_STORE_OK(store().AssociateAcl(kAccountA, kRegion, "acl-1", "sag-1", 1));
  auto first = store().ReadAclConfig(kAccountA, {"sag-1", "sag-missing"});
  ASSERT_STORE_OK(first);
  ASSERT_EQ(first->instances.size(), 1u);
  EXPECT_EQ(first->instances[0].acl_id, "acl-1");
  EXPECT_EQ(first->instances[0].serial_numbers, std::vector<std::string>{"SN1"});
  EXPECT_TRUE(first->rules.at("acl-1").empty());
  ASSERT_STORE_OK(store().AddAclRule(kAccountA, kRegion, Rule("acl-1", "acr-1", 1, 1), 9));
  auto second = store().ReadAclConfig(kAccountA, {"sag-1"});
  ASSERT_STORE_OK(second);
  EXPECT_GT(second->revision, first->revision);
  EXPECT_EQ(second->rules.at("acl-1").size(), 1u);

  auto update = [&](int64_t revision, const std::string& value, const std::string& sn = "SN1") {
    return store().SetConfigFacets({.facet = "acl",
                                    .empty_value = "empty",
                                    .revision = revision,
                                    .values = {{"sag-1", sn, value}},
                                    .now_ms = 5});
  };
  // Equal to the empty value: recorded, no generation.
  auto none = update(first->revision, "empty");
  ASSERT_STORE_OK(none);
  EXPECT_TRUE(none->empty());
  EXPECT_TRUE(store().GetDeviceFacets("SN1")->empty());  // nothing configured: no facet row
  // The later computation lands first; the earlier one, arriving late, is skipped.
  auto later = update(second->revision, "one rule");
  ASSERT_STORE_OK(later);
  ASSERT_EQ(later->size(), 1u);
  EXPECT_EQ((*later)[0].generation, 1);
  auto stale = update(first->revision, "no rules");
  ASSERT_STORE_OK(stale);
  EXPECT_TRUE(stale->empty());
  auto same = update(second->revision, "one rule");
  ASSERT_STORE_OK(same);
  EXPECT_TRUE(same->empty());
  EXPECT_EQ(AclFacet("SN1").desired_value, "one rule");
  EXPECT_EQ(AclFacet("SN1").desired_generation, 1);
  // A device not bound to the instance is skipped.
  ASSERT_STORE_OK(store().RegisterDevice(Device("SN2")));
  auto unbound = update(second->revision + 1, "x", "SN2");
  ASSERT_STORE_OK(unbound);
  EXPECT_TRUE(unbound->empty());
  EXPECT_EQ(AclFacet("SN2").desired_generation, 0);
}

class ConcurrentAclStoreTest : public AclStoreTest {};

// Concurrent rule additions, each followed by the computation of the facet from what it read:
// whatever order they commit in, the device ends on the value computed from every rule.
TEST_P(ConcurrentAclStoreTest, ConcurrentEditsLeaveTheDeviceOnTheLastComputation) {
  AddInstance("sag-1");
  AddBoundDevice("sag-1", "SN1");
  ASSERT_STORE_OK(store().CreateAcl(Acl("acl-1"), 10));
  ASSERT_STORE_OK(store().AssociateAcl(kAccountA, kRegion, "acl-1", "sag-1", 1));
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      std::unique_ptr<Store> own = GetParam().open();
      ASSERT_NE(own, nullptr);
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = "acr-" + std::to_string(t) + "-" + std::to_string(i);
        ASSERT_STORE_OK(own->AddAclRule(kAccountA, kRegion, Rule("acl-1", id, 1, t * 100 + i), 99));
        auto config = own->ReadAclConfig(kAccountA, {"sag-1"});
        ASSERT_STORE_OK(config);
        const std::string value = std::to_string(config->rules.at("acl-1").size());
        ASSERT_STORE_OK(own->SetConfigFacets({.facet = "acl",
                                              .empty_value = "0",
                                              .revision = config->revision,
                                              .values = {{"sag-1", "SN1", value}},
                                              .now_ms = 5}));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(AclFacet("SN1").desired_value, std::to_string(kThreads * kPerThread));
}

INSTANTIATE_TEST_SUITE_P(Backends, AclStoreTest, ::testing::ValuesIn(Backends()), BackendName);
INSTANTIATE_TEST_SUITE_P(Backends, ConcurrentAclStoreTest,
                         ::testing::ValuesIn(MultiConnectionBackends()), BackendName);

}  // namespace
}  // namespace sag::store
