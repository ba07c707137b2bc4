// The pure decisions of the grant, VBR and flow-log store methods (store/grant_decisions.h).

#include "store/grant_decisions.h"

#include <gtest/gtest.h>

namespace sag::store {
namespace {

TEST(DecideSagGrantTest, NoneSameOrOther) {
  EXPECT_EQ(DecideSagGrant(std::nullopt, "ccn-1", "2"), SagGrantOutcome::kGranted);
  SagCcnGrantRecord existing;
  existing.ccn_id = "ccn-1";
  existing.ccn_uid = "2";
  EXPECT_EQ(DecideSagGrant(existing, "ccn-1", "2"), SagGrantOutcome::kAlreadyGranted);
  EXPECT_EQ(DecideSagGrant(existing, "ccn-1", "3"), SagGrantOutcome::kGrantedElsewhere);
  EXPECT_EQ(DecideSagGrant(existing, "ccn-2", "2"), SagGrantOutcome::kGrantedElsewhere);
}

TEST(DecideGrantedBindTest, BindAndUnbind) {
  EXPECT_EQ(DecideGrantedBind("", "ccn-1", true), GrantedBindOutcome::kBound);
  EXPECT_EQ(DecideGrantedBind("ccn-1", "ccn-1", true), GrantedBindOutcome::kAlreadyBound);
  EXPECT_EQ(DecideGrantedBind("ccn-2", "ccn-1", true), GrantedBindOutcome::kBoundToOther);
  EXPECT_EQ(DecideGrantedBind("ccn-1", "ccn-1", false), GrantedBindOutcome::kUnbound);
  EXPECT_EQ(DecideGrantedBind("", "ccn-1", false), GrantedBindOutcome::kNotBound);
  EXPECT_EQ(DecideGrantedBind("ccn-2", "ccn-1", false), GrantedBindOutcome::kNotBound);
}

TEST(DecideVbrBindTest, ChecksInOrder) {
  VbrBindFacts facts{.instance_id = "sag-1",
                     .instance_ccn_id = "",
                     .instance_vbr_id = "vbr-2",
                     .vbr_bound_instance = "sag-9"};
  EXPECT_EQ(DecideVbrBind(facts, "vbr-1", true), VbrBindOutcome::kNotBoundCcn);
  facts.instance_ccn_id = "ccn-1";
  EXPECT_EQ(DecideVbrBind(facts, "vbr-2", true), VbrBindOutcome::kAlreadyBound);
  EXPECT_EQ(DecideVbrBind(facts, "vbr-1", true), VbrBindOutcome::kInstanceBoundOther);
  facts.instance_vbr_id = std::nullopt;
  EXPECT_EQ(DecideVbrBind(facts, "vbr-1", true), VbrBindOutcome::kVbrBoundOther);
  facts.vbr_bound_instance = "sag-1";
  EXPECT_EQ(DecideVbrBind(facts, "vbr-1", true), VbrBindOutcome::kBound);
  facts.vbr_bound_instance = std::nullopt;
  EXPECT_EQ(DecideVbrBind(facts, "vbr-1", true), VbrBindOutcome::kBound);
  EXPECT_EQ(DecideVbrBind(facts, "vbr-1", false), VbrBindOutcome::kNotBound);
  facts.instance_vbr_id = "vbr-1";
  EXPECT_EQ(DecideVbrBind(facts, "vbr-1", false), VbrBindOutcome::kUnbound);
}

TEST(DecideFlowLogLinkTest, AssociateAndDisassociate) {
  EXPECT_EQ(DecideFlowLogLink(std::nullopt, "fl-1", true), FlowLogLinkOutcome::kDone);
  EXPECT_EQ(DecideFlowLogLink("fl-1", "fl-1", true), FlowLogLinkOutcome::kDone);
  EXPECT_EQ(DecideFlowLogLink("fl-2", "fl-1", true), FlowLogLinkOutcome::kAssociatedElsewhere);
  EXPECT_EQ(DecideFlowLogLink("fl-1", "fl-1", false), FlowLogLinkOutcome::kDone);
  EXPECT_EQ(DecideFlowLogLink("fl-2", "fl-1", false), FlowLogLinkOutcome::kNotAssociated);
  EXPECT_EQ(DecideFlowLogLink(std::nullopt, "fl-1", false), FlowLogLinkOutcome::kNotAssociated);
}

}  // namespace
}  // namespace sag::store
