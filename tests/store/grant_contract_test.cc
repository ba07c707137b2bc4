// The grant and flow-log parts of the Store contract (store/grant_store.h, store/flow_log_store.h,
// store/device_secret_store.h): SAG -> CCN grants and binding through them across accounts, CCN ->
// CEN grants, VBR grants and bindings, flow logs with their quota and instances, and a device's
// secret rotation. Every backend must pass it unchanged.

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

constexpr char kOwner[] = "1000000000000001";    // owns the SAG instance
constexpr char kGrantee[] = "1000000000000002";  // owns the CCN the instance is granted to
constexpr char kRegion[] = "cn-shanghai";
constexpr char kSag[] = "sag-owned1";
constexpr char kOwnerCcn[] = "ccn-owner1";
constexpr char kGranteeCcn[] = "ccn-grantee1";

class GrantStoreTest : public ::testing::TestWithParam<BackendFactory> {
 protected:
  void SetUp() override {
    GetParam().fresh();
    store_ = GetParam().open();
    ASSERT_NE(store_, nullptr);
    for (const char* account : {kOwner, kGrantee}) {
      ASSERT_STORE_OK(store().CreateAccount({.id = account, .name = "n", .create_ms = 1}));
    }
    InstanceRecord sag = MakeInstance(kOwner, kRegion, kSag, 1);
    sag.ccn_id = "";
    ASSERT_STORE_OK(store().CreateInstance(sag));
    ASSERT_STORE_OK(store().CreateCcn(Ccn(kOwner, kOwnerCcn)));
    ASSERT_STORE_OK(store().CreateCcn(Ccn(kGrantee, kGranteeCcn)));
  }

  static CcnRecord Ccn(const std::string& account, const std::string& id) {
    CcnRecord c;
    c.id = id;
    c.account_id = account;
    c.region_id = kRegion;
    c.name = "n";
    c.create_ms = 1;
    return c;
  }

  static SagCcnGrantRecord SagGrant(const std::string& id, const std::string& ccn_id,
                                    const std::string& ccn_uid) {
    return SagCcnGrantRecord{.id = id,
                             .account_id = kOwner,
                             .region_id = kRegion,
                             .instance_id = kSag,
                             .ccn_id = ccn_id,
                             .ccn_uid = ccn_uid,
                             .grant_traffic_service = true,
                             .create_ms = 5};
  }

  std::string SagCcnOf(const std::string& account, const std::string& id) {
    auto in = store().GetInstance(account, "", id);
    return in ? in->ccn_id : "error: " + Outcome(in);
  }

  Store& store() { return *store_; }

 private:
  std::unique_ptr<Store> store_;
};

TEST_P(GrantStoreTest, SagGrantOutcomesInOrder) {
  auto missing = store().GrantSagToCcn(SagCcnGrantRecord{.id = "sgc-x",
                                                         .account_id = kGrantee,
                                                         .region_id = kRegion,
                                                         .instance_id = kSag,
                                                         .ccn_id = kGranteeCcn,
                                                         .ccn_uid = kGrantee,
                                                         .grant_traffic_service = false,
                                                         .create_ms = 1});
  ASSERT_STORE_OK(missing);
  EXPECT_EQ(missing->first, SagGrantOutcome::kInstanceNotFound);  // another account's instance

  auto granted = store().GrantSagToCcn(SagGrant("sgc-1", kGranteeCcn, kGrantee));
  ASSERT_STORE_OK(granted);
  EXPECT_EQ(granted->first, SagGrantOutcome::kGranted);
  EXPECT_EQ(granted->second, "sgc-1");

  auto again = store().GrantSagToCcn(SagGrant("sgc-2", kGranteeCcn, kGrantee));
  ASSERT_STORE_OK(again);
  EXPECT_EQ(again->first, SagGrantOutcome::kAlreadyGranted);
  EXPECT_EQ(again->second, "sgc-1");

  auto elsewhere = store().GrantSagToCcn(SagGrant("sgc-3", "ccn-other", kGrantee));
  ASSERT_STORE_OK(elsewhere);
  EXPECT_EQ(elsewhere->first, SagGrantOutcome::kGrantedElsewhere);

  auto page = store().ListSagCcnGrants(kOwner, kRegion, kSag, 0, 10);
  ASSERT_STORE_OK(page);
  ASSERT_EQ(page->total, 1);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].id, "sgc-1");
  EXPECT_EQ(page->items[0].ccn_uid, kGrantee);
  EXPECT_TRUE(page->items[0].grant_traffic_service);
  EXPECT_EQ(page->items[0].create_ms, 5);
  auto theirs = store().ListSagCcnGrants(kGrantee, kRegion, kSag, 0, 10);
  ASSERT_STORE_OK(theirs);
  EXPECT_EQ(theirs->total, 0);  // only the owner lists an instance's grants

  auto to_ccn = store().ListGrantsToCcn(kGrantee, kGranteeCcn);
  ASSERT_STORE_OK(to_ccn);
  ASSERT_EQ(to_ccn->size(), 1u);
  EXPECT_EQ((*to_ccn)[0].instance_id, kSag);
}

TEST_P(GrantStoreTest, GrantedInstanceBindsToTheGranteesCcnOnly) {
  auto not_granted = store().BindGrantedInstance(kGrantee, kGranteeCcn, kOwner, kSag, true);
  ASSERT_STORE_OK(not_granted);
  EXPECT_EQ(*not_granted, GrantedBindOutcome::kNotGranted);

  ASSERT_STORE_OK(store().GrantSagToCcn(SagGrant("sgc-1", kGranteeCcn, kGrantee)));
  // A third account naming the grantee's CCN is not the grantee.
  auto stranger = store().BindGrantedInstance(kOwner, kGranteeCcn, kOwner, kSag, true);
  ASSERT_STORE_OK(stranger);
  EXPECT_EQ(*stranger, GrantedBindOutcome::kNotGranted);

  auto bound = store().BindGrantedInstance(kGrantee, kGranteeCcn, kOwner, kSag, true);
  ASSERT_STORE_OK(bound);
  EXPECT_EQ(*bound, GrantedBindOutcome::kBound);
  EXPECT_EQ(SagCcnOf(kOwner, kSag), kGranteeCcn);
  auto ccn = store().GetCcn(kGrantee, kRegion, kGranteeCcn);
  ASSERT_STORE_OK(ccn);
  EXPECT_EQ(ccn->instance_count, 1);  // the other account's instance counts
  EXPECT_EQ(Outcome(store().DeleteCcn(kGrantee, kRegion, kGranteeCcn)), "Conflict");

  auto twice = store().BindGrantedInstance(kGrantee, kGranteeCcn, kOwner, kSag, true);
  ASSERT_STORE_OK(twice);
  EXPECT_EQ(*twice, GrantedBindOutcome::kAlreadyBound);

  auto unbound = store().BindGrantedInstance(kGrantee, kGranteeCcn, kOwner, kSag, false);
  ASSERT_STORE_OK(unbound);
  EXPECT_EQ(*unbound, GrantedBindOutcome::kUnbound);
  EXPECT_EQ(SagCcnOf(kOwner, kSag), "");
  auto not_bound = store().BindGrantedInstance(kGrantee, kGranteeCcn, kOwner, kSag, false);
  ASSERT_STORE_OK(not_bound);
  EXPECT_EQ(*not_bound, GrantedBindOutcome::kNotBound);
}

TEST_P(GrantStoreTest, GrantedBindNeedsTheGranteesCcnInTheInstancesRegion) {
  ASSERT_STORE_OK(store().GrantSagToCcn(SagGrant("sgc-1", "ccn-missing", kGrantee)));
  auto bind = store().BindGrantedInstance(kGrantee, "ccn-missing", kOwner, kSag, true);
  ASSERT_STORE_OK(bind);
  EXPECT_EQ(*bind, GrantedBindOutcome::kCcnNotFound);
  EXPECT_EQ(SagCcnOf(kOwner, kSag), "");
}

TEST_P(GrantStoreTest, RevokeUnbindsFromTheGranteesCcn) {
  ASSERT_STORE_OK(store().GrantSagToCcn(SagGrant("sgc-1", kGranteeCcn, kGrantee)));
  ASSERT_STORE_OK(store().BindGrantedInstance(kGrantee, kGranteeCcn, kOwner, kSag, true));

  auto wrong_ccn = store().RevokeSagFromCcn(kOwner, kRegion, kSag, "ccn-other");
  ASSERT_STORE_OK(wrong_ccn);
  EXPECT_EQ(*wrong_ccn, SagRevokeOutcome::kNotGranted);
  auto not_owner = store().RevokeSagFromCcn(kGrantee, kRegion, kSag, kGranteeCcn);
  ASSERT_STORE_OK(not_owner);
  EXPECT_EQ(*not_owner, SagRevokeOutcome::kInstanceNotFound);
  EXPECT_EQ(SagCcnOf(kOwner, kSag), kGranteeCcn);

  auto revoked = store().RevokeSagFromCcn(kOwner, kRegion, kSag, kGranteeCcn);
  ASSERT_STORE_OK(revoked);
  EXPECT_EQ(*revoked, SagRevokeOutcome::kRevoked);
  EXPECT_EQ(SagCcnOf(kOwner, kSag), "");
  auto page = store().ListSagCcnGrants(kOwner, kRegion, kSag, 0, 10);
  ASSERT_STORE_OK(page);
  EXPECT_EQ(page->total, 0);
  auto again = store().RevokeSagFromCcn(kOwner, kRegion, kSag, kGranteeCcn);
  ASSERT_STORE_OK(again);
  EXPECT_EQ(*again, SagRevokeOutcome::kNotGranted);
}

TEST_P(GrantStoreTest, DeletingTheInstanceRemovesItsGrant) {
  ASSERT_STORE_OK(store().GrantSagToCcn(SagGrant("sgc-1", kGranteeCcn, kGrantee)));
  ASSERT_STORE_OK(store().DeleteInstance(kOwner, kRegion, kSag));
  auto to_ccn = store().ListGrantsToCcn(kGrantee, kGranteeCcn);
  ASSERT_STORE_OK(to_ccn);
  EXPECT_TRUE(to_ccn->empty());
}

TEST_P(GrantStoreTest, CenGrantsAreUpdatedInPlaceAndGoWithTheirCcn) {
  CenGrantRecord g{.id = "grant-1",
                   .account_id = kOwner,
                   .region_id = kRegion,
                   .ccn_id = kOwnerCcn,
                   .cen_id = "cen-1",
                   .cen_uid = kGrantee,
                   .grant_traffic_service = false,
                   .create_ms = 10,
                   .modify_ms = 10};
  CenGrantRecord foreign = g;
  foreign.account_id = kGrantee;
  auto missing = store().GrantCcnToCen(foreign);
  ASSERT_STORE_OK(missing);
  EXPECT_EQ(*missing, CenOutcome::kCcnNotFound);

  auto done = store().GrantCcnToCen(g);
  ASSERT_STORE_OK(done);
  EXPECT_EQ(*done, CenOutcome::kDone);
  CenGrantRecord update = g;
  update.id = "grant-2";
  update.grant_traffic_service = true;
  update.create_ms = 20;
  update.modify_ms = 20;
  ASSERT_STORE_OK(store().GrantCcnToCen(update));

  auto page = store().ListCenGrants(kOwner, kRegion, kOwnerCcn, 0, 10);
  ASSERT_STORE_OK(page);
  ASSERT_EQ(page->total, 1);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].id, "grant-1");
  EXPECT_TRUE(page->items[0].grant_traffic_service);
  EXPECT_EQ(page->items[0].create_ms, 10);
  EXPECT_EQ(page->items[0].modify_ms, 20);
  auto other_ccn = store().ListCenGrants(kOwner, kRegion, "ccn-other", 0, 10);
  ASSERT_STORE_OK(other_ccn);
  EXPECT_EQ(other_ccn->total, 0);

  auto wrong_cen = store().RevokeCcnFromCen(kOwner, kRegion, kOwnerCcn, "cen-2");
  ASSERT_STORE_OK(wrong_cen);
  EXPECT_EQ(*wrong_cen, CenOutcome::kNotGranted);
  auto revoked = store().RevokeCcnFromCen(kOwner, kRegion, kOwnerCcn, "cen-1");
  ASSERT_STORE_OK(revoked);
  EXPECT_EQ(*revoked, CenOutcome::kDone);

  ASSERT_STORE_OK(store().GrantCcnToCen(g));
  ASSERT_STORE_OK(store().DeleteCcn(kOwner, kRegion, kOwnerCcn));
  auto after = store().ListCenGrants(kOwner, "", "", 0, 10);
  ASSERT_STORE_OK(after);
  EXPECT_EQ(after->total, 0);
}

TEST_P(GrantStoreTest, CcnAttachesToOneCen) {
  auto attached = store().AttachCcnToCen(kOwner, kRegion, kOwnerCcn, "cen-1", 5);
  ASSERT_STORE_OK(attached);
  EXPECT_EQ(*attached, CenOutcome::kDone);
  auto same = store().AttachCcnToCen(kOwner, kRegion, kOwnerCcn, "cen-1", 6);
  ASSERT_STORE_OK(same);
  EXPECT_EQ(*same, CenOutcome::kDone);
  auto other = store().AttachCcnToCen(kOwner, kRegion, kOwnerCcn, "cen-2", 6);
  ASSERT_STORE_OK(other);
  EXPECT_EQ(*other, CenOutcome::kAttachedOther);
  auto cen = store().GetCcnCen(kOwnerCcn);
  ASSERT_STORE_OK(cen);
  EXPECT_EQ(*cen, "cen-1");
  EXPECT_EQ(Outcome(store().DeleteCcn(kOwner, kRegion, kOwnerCcn)), "Conflict");

  auto wrong = store().DetachCcnFromCen(kOwner, kRegion, kOwnerCcn, "cen-2");
  ASSERT_STORE_OK(wrong);
  EXPECT_EQ(*wrong, CenOutcome::kNotAttached);
  auto detached = store().DetachCcnFromCen(kOwner, kRegion, kOwnerCcn, "cen-1");
  ASSERT_STORE_OK(detached);
  EXPECT_EQ(*detached, CenOutcome::kDone);
  auto none = store().GetCcnCen(kOwnerCcn);
  ASSERT_STORE_OK(none);
  EXPECT_EQ(*none, "");
  auto foreign = store().AttachCcnToCen(kGrantee, kRegion, kOwnerCcn, "cen-1", 7);
  ASSERT_STORE_OK(foreign);
  EXPECT_EQ(*foreign, CenOutcome::kCcnNotFound);
}

TEST_P(GrantStoreTest, VbrBindingThroughAGrant) {
  VbrGrantRecord g{.id = "sgv-1",
                   .account_id = kOwner,
                   .region_id = kRegion,
                   .instance_id = kSag,
                   .vbr_id = "vbr-1",
                   .vbr_region_id = kRegion,
                   .vbr_uid = kGrantee,
                   .create_ms = 3,
                   .bound = false};
  auto granted = store().GrantSagToVbr(g);
  ASSERT_STORE_OK(granted);
  EXPECT_EQ(*granted, VbrGrantOutcome::kDone);

  VbrBindRequest bind{.caller_account_id = kGrantee,
                      .owner_account_id = kOwner,
                      .region_id = kRegion,
                      .instance_id = kSag,
                      .vbr_id = "vbr-1",
                      .vbr_region_id = kRegion,
                      .now_ms = 4};
  auto no_ccn = store().BindVbr(bind);
  ASSERT_STORE_OK(no_ccn);
  EXPECT_EQ(*no_ccn, VbrBindOutcome::kNotBoundCcn);
  ASSERT_STORE_OK(store().BindInstanceToCcn(kOwner, kRegion, kSag, kOwnerCcn));
  VbrBindRequest ungranted = bind;
  ungranted.vbr_id = "vbr-2";
  auto refused = store().BindVbr(ungranted);
  ASSERT_STORE_OK(refused);
  EXPECT_EQ(*refused, VbrBindOutcome::kInstanceNotFound);

  auto bound = store().BindVbr(bind);
  ASSERT_STORE_OK(bound);
  EXPECT_EQ(*bound, VbrBindOutcome::kBound);
  auto twice = store().BindVbr(bind);
  ASSERT_STORE_OK(twice);
  EXPECT_EQ(*twice, VbrBindOutcome::kAlreadyBound);
  auto relations = store().ListVbrBindings({"vbr-2", "vbr-1"}, kRegion);
  ASSERT_STORE_OK(relations);
  ASSERT_EQ(relations->size(), 1u);
  EXPECT_EQ((*relations)[0].instance_id, kSag);
  EXPECT_EQ((*relations)[0].instance_account_id, kOwner);
  auto grants = store().ListVbrGrants(kOwner, kRegion, kSag, "", 0, 10);
  ASSERT_STORE_OK(grants);
  ASSERT_EQ(grants->items.size(), 1u);
  EXPECT_TRUE(grants->items[0].bound);

  // Revoking the grant takes the grantee's binding with it.
  auto revoked = store().RevokeSagFromVbr(kOwner, kRegion, kSag, "vbr-1");
  ASSERT_STORE_OK(revoked);
  EXPECT_EQ(*revoked, VbrGrantOutcome::kDone);
  auto gone = store().ListVbrBindings({"vbr-1"}, kRegion);
  ASSERT_STORE_OK(gone);
  EXPECT_TRUE(gone->empty());
  auto not_bound = store().UnbindVbr(bind);
  ASSERT_STORE_OK(not_bound);
  EXPECT_EQ(*not_bound, VbrBindOutcome::kInstanceNotFound);  // no grant any more
}

FlowLogRecord FlowLog(const std::string& id, const std::string& account, int64_t create_ms) {
  FlowLogRecord f;
  f.id = id;
  f.account_id = account;
  f.region_id = kRegion;
  f.name = "name-" + id;
  f.description = "description of " + id;
  f.output_type = "netflow";
  f.netflow_server_ip = "192.0.2.10";
  f.netflow_server_port = 9996;
  f.netflow_version = "V5";
  f.create_ms = create_ms;
  return f;
}

TEST_P(GrantStoreTest, FlowLogsKeepTheirSettingsAndTheirQuota) {
  auto first = store().CreateFlowLog(FlowLog("fl-1", kOwner, 1), 2);
  ASSERT_STORE_OK(first);
  EXPECT_TRUE(*first);
  ASSERT_STORE_OK(store().CreateFlowLog(FlowLog("fl-2", kOwner, 2), 2));
  auto over = store().CreateFlowLog(FlowLog("fl-3", kOwner, 3), 2);
  ASSERT_STORE_OK(over);
  EXPECT_FALSE(*over);
  auto theirs = store().CreateFlowLog(FlowLog("fl-4", kGrantee, 4), 2);  // per account
  ASSERT_STORE_OK(theirs);
  EXPECT_TRUE(*theirs);
  EXPECT_EQ(Outcome(store().CreateFlowLog(FlowLog("fl-1", kGrantee, 5), 2)), "AlreadyExists");

  auto got = store().GetFlowLog(kOwner, kRegion, "fl-1");
  ASSERT_STORE_OK(got);
  EXPECT_EQ(got->netflow_server_ip, "192.0.2.10");
  EXPECT_EQ(got->netflow_server_port, 9996);
  EXPECT_EQ(got->netflow_version, "V5");
  EXPECT_EQ(got->status, "Inactive");
  EXPECT_EQ(Outcome(store().GetFlowLog(kGrantee, kRegion, "fl-1")), "NotFound");

  FlowLogRecord changed = *got;
  changed.status = "Active";
  changed.active_aging = 60;
  changed.create_ms = 999;  // ignored
  auto updated = store().UpdateFlowLog(changed);
  ASSERT_STORE_OK(updated);
  EXPECT_EQ(updated->status, "Active");
  EXPECT_EQ(updated->active_aging, 60);
  EXPECT_EQ(updated->create_ms, 1);

  FlowLogFilter filter;
  filter.account_id = kOwner;
  filter.status = "Active";
  auto active = store().ListFlowLogs(filter);
  ASSERT_STORE_OK(active);
  ASSERT_EQ(active->total, 1);
  EXPECT_EQ(active->items[0].id, "fl-1");
  filter.status = "";
  filter.limit = 1;
  filter.offset = 1;
  auto second = store().ListFlowLogs(filter);
  ASSERT_STORE_OK(second);
  EXPECT_EQ(second->total, 2);
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_EQ(second->items[0].id, "fl-2");
}

TEST_P(GrantStoreTest, FlowLogInstancesOneFlowLogEach) {
  ASSERT_STORE_OK(store().CreateFlowLog(FlowLog("fl-1", kOwner, 1), 10));
  ASSERT_STORE_OK(store().CreateFlowLog(FlowLog("fl-2", kOwner, 2), 10));
  auto no_flow_log = store().LinkFlowLog(kOwner, kRegion, "fl-9", kSag, true);
  ASSERT_STORE_OK(no_flow_log);
  EXPECT_EQ(*no_flow_log, FlowLogLinkOutcome::kFlowLogNotFound);
  auto no_instance = store().LinkFlowLog(kOwner, kRegion, "fl-1", "sag-none", true);
  ASSERT_STORE_OK(no_instance);
  EXPECT_EQ(*no_instance, FlowLogLinkOutcome::kInstanceNotFound);

  auto done = store().LinkFlowLog(kOwner, kRegion, "fl-1", kSag, true);
  ASSERT_STORE_OK(done);
  EXPECT_EQ(*done, FlowLogLinkOutcome::kDone);
  auto elsewhere = store().LinkFlowLog(kOwner, kRegion, "fl-2", kSag, true);
  ASSERT_STORE_OK(elsewhere);
  EXPECT_EQ(*elsewhere, FlowLogLinkOutcome::kAssociatedElsewhere);
  auto of = store().FlowLogOfInstance(kSag);
  ASSERT_STORE_OK(of);
  EXPECT_EQ(of->value_or(""), "fl-1");
  auto members = store().ListFlowLogInstances(kOwner, kRegion, "fl-1", 0, 10);
  ASSERT_STORE_OK(members);
  EXPECT_EQ(members->second, 1);
  ASSERT_EQ(members->first.size(), 1u);
  EXPECT_EQ(members->first[0].instance_id, kSag);
  auto unbound = store().ListInstancesWithoutFlowLog(kOwner, kRegion);
  ASSERT_STORE_OK(unbound);
  EXPECT_TRUE(unbound->empty());
  auto got = store().GetFlowLog(kOwner, kRegion, "fl-1");
  ASSERT_STORE_OK(got);
  EXPECT_EQ(got->total_sag_num, 1);
  EXPECT_EQ(Outcome(store().DeleteFlowLog(kOwner, kRegion, "fl-1")), "Conflict");

  auto wrong = store().LinkFlowLog(kOwner, kRegion, "fl-2", kSag, false);
  ASSERT_STORE_OK(wrong);
  EXPECT_EQ(*wrong, FlowLogLinkOutcome::kNotAssociated);
  auto off = store().LinkFlowLog(kOwner, kRegion, "fl-1", kSag, false);
  ASSERT_STORE_OK(off);
  EXPECT_EQ(*off, FlowLogLinkOutcome::kDone);
  auto free_again = store().ListInstancesWithoutFlowLog(kOwner, kRegion);
  ASSERT_STORE_OK(free_again);
  ASSERT_EQ(free_again->size(), 1u);
  EXPECT_EQ((*free_again)[0].instance_id, kSag);
  ASSERT_STORE_OK(store().DeleteFlowLog(kOwner, kRegion, "fl-1"));
  EXPECT_EQ(Outcome(store().DeleteFlowLog(kOwner, kRegion, "fl-1")), "NotFound");
}

TEST_P(GrantStoreTest, RotatedSecretReplacesTheBoundDevicesSecret) {
  DeviceRecord device;
  device.serial_number = "sag-sn-1";
  device.hardware_model = "sag-100wm";
  device.sealed_secret = "old";
  device.create_ms = 1;
  ASSERT_STORE_OK(store().RegisterDevice(device));
  EXPECT_EQ(Outcome(store().RotateDeviceSecret(kSag, "sag-sn-1", "new", 9)), "NotFound");
  auto bound = store().BindSerialNumber({.account_id = kOwner,
                                         .region_id = kRegion,
                                         .instance_id = kSag,
                                         .serial_number = "sag-sn-1",
                                         .max_devices = 2,
                                         .register_unknown = false,
                                         .now_ms = 2,
                                         .sealed_secret = ""});
  ASSERT_STORE_OK(bound);
  ASSERT_EQ(*bound, BindOutcome::kBound);
  ASSERT_STORE_OK(store().RotateDeviceSecret(kSag, "sag-sn-1", "new", 9));
  auto got = store().GetDevice("sag-sn-1");
  ASSERT_STORE_OK(got);
  EXPECT_EQ(got->sealed_secret, "new");
  EXPECT_TRUE(got->secret_generated);
  EXPECT_EQ(got->secret_ms, 9);
}

INSTANTIATE_TEST_SUITE_P(Backends, GrantStoreTest, ::testing::ValuesIn(Backends()), BackendName);

}  // namespace
}  // namespace sag::store
