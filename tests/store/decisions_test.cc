// The store's decision rules (store/decisions.h), without a database: each outcome of each rule,
// and the order in which the checks decide.

#include "store/decisions.h"

#include <gtest/gtest.h>

#include "store/store.h"
#include "store/store_test_support.h"

namespace sag::store {
namespace {

using ::sag::store::testing::Name;

BindFacts Facts() {
  return BindFacts{.instance_id = "sag-1",
                   .hardware_spec = "sag-1000",
                   .bound_devices = 0,
                   .max_devices = 1,
                   .register_unknown = false,
                   .device = BindFacts::Device{
                       .retired = false, .hardware_model = "sag-1000", .bound_instance_id = ""}};
}

TEST(DecideBindTest, AFreeMatchingDeviceIsBound) { EXPECT_EQ(Name(DecideBind(Facts())), "Bound"); }

TEST(DecideBindTest, AnUnknownDeviceIsUnknownUnlessItMayBeRegistered) {
  BindFacts f = Facts();
  f.device.reset();
  EXPECT_EQ(Name(DecideBind(f)), "DeviceUnknown");
  f.register_unknown = true;
  EXPECT_EQ(Name(DecideBind(f)), "Bound");  // create it, then decide again on it
  f.bound_devices = 1;
  EXPECT_EQ(Name(DecideBind(f)), "InstanceFull");
}

TEST(DecideBindTest, EachFailingCheckDecides) {
  BindFacts f = Facts();
  f.device->retired = true;
  EXPECT_EQ(Name(DecideBind(f)), "DeviceRetired");
  f = Facts();
  f.device->hardware_model = "sag-100wm";
  EXPECT_EQ(Name(DecideBind(f)), "ModelMismatch");
  f = Facts();
  f.device->bound_instance_id = "sag-2";
  EXPECT_EQ(Name(DecideBind(f)), "BoundElsewhere");
  f.device->bound_instance_id = "sag-1";
  EXPECT_EQ(Name(DecideBind(f)), "AlreadyBoundHere");
  f = Facts();
  f.bound_devices = 1;
  EXPECT_EQ(Name(DecideBind(f)), "InstanceFull");
  f.max_devices = 2;
  EXPECT_EQ(Name(DecideBind(f)), "Bound");
}

TEST(DecideBindTest, ChecksDecideInTheirDocumentedOrder) {
  BindFacts f = Facts();  // every check fails: the first in the order wins
  f.bound_devices = 5;
  f.device->bound_instance_id = "sag-2";
  f.device->hardware_model = "sag-100wm";
  f.device->retired = true;
  EXPECT_EQ(Name(DecideBind(f)), "DeviceRetired");
  f.device->retired = false;
  EXPECT_EQ(Name(DecideBind(f)), "ModelMismatch");
  f.device->hardware_model = "sag-1000";
  EXPECT_EQ(Name(DecideBind(f)), "BoundElsewhere");
  f.device->bound_instance_id = "sag-1";
  EXPECT_EQ(Name(DecideBind(f)), "AlreadyBoundHere");  // before the room check
}

TEST(DecideActivateTest, ActiveIsCheckedBeforeTheDevices) {
  EXPECT_EQ(Name(DecideActivate(InstanceStatus::kActive, 0)), "AlreadyActive");
  EXPECT_EQ(Name(DecideActivate(InstanceStatus::kInit, 0)), "NoDevice");
  EXPECT_EQ(Name(DecideActivate(InstanceStatus::kInit, 1)), "Activated");
}

TEST(DecideCcnTest, BindAndUnbind) {
  EXPECT_EQ(Name(DecideCcnBind("", "ccn-1")), "Bound");
  EXPECT_EQ(Name(DecideCcnBind("ccn-1", "ccn-1")), "AlreadyBound");
  EXPECT_EQ(Name(DecideCcnBind("ccn-2", "ccn-1")), "BoundToOther");
  EXPECT_EQ(Name(DecideCcnUnbind("ccn-1", "ccn-1")), "Unbound");
  EXPECT_EQ(Name(DecideCcnUnbind("", "ccn-1")), "NotBound");
  EXPECT_EQ(Name(DecideCcnUnbind("ccn-2", "ccn-1")), "NotBound");
}

DeviceFacetRecord Facet(int64_t desired, int64_t applied) {
  DeviceFacetRecord f;
  f.desired_generation = desired;
  f.applied_generation = applied;
  return f;
}

TEST(FacetRulesTest, AChangeIsUnconfirmedUntilTheDeviceAppliedIt) {
  EXPECT_FALSE(HasUnconfirmedChange(Facet(0, 0)));
  EXPECT_TRUE(HasUnconfirmedChange(Facet(3, 2)));
  EXPECT_FALSE(HasUnconfirmedChange(Facet(3, 3)));
  EXPECT_FALSE(HasUnconfirmedChange(Facet(3, 7)));  // the device applied more than remembered
}

TEST(FacetRulesTest, TheNextGenerationIsNewerThanAnythingSeen) {
  EXPECT_EQ(NextDesiredGeneration(Facet(0, 0)), 1);
  EXPECT_EQ(NextDesiredGeneration(Facet(4, 2)), 5);
  EXPECT_EQ(NextDesiredGeneration(Facet(4, 9)), 10);
}

TEST(FacetRulesTest, OnlyAnOkReportRaisesTheAppliedGenerationAndNeverLowersIt) {
  DeviceFacetRecord f = Facet(5, 3);
  ApplyReport(5, "failed", "disk full", f);
  EXPECT_EQ(f.applied_generation, 3);
  EXPECT_EQ(f.result_generation, 5);
  EXPECT_EQ(f.last_result, "failed");
  EXPECT_EQ(f.last_detail, "disk full");
  ApplyReport(5, "ok", "", f);
  EXPECT_EQ(f.applied_generation, 5);
  ApplyReport(4, "ok", "late", f);  // a late report of an older generation
  EXPECT_EQ(f.applied_generation, 5);
  EXPECT_EQ(f.result_generation, 4);
  EXPECT_EQ(f.last_detail, "late");
}

}  // namespace
}  // namespace sag::store
