// DecideConfigFacet (store/config_decisions.h): which computed configuration value is stored.
#include "store/config_decisions.h"

#include <gtest/gtest.h>

namespace sag::store {
namespace {

TEST(DecideConfigFacetTest, ANewerRevisionWithAnotherValueGetsANewGeneration) {
  EXPECT_EQ(DecideConfigFacet(ConfigFacetStamp{"sag-1", 3}, "sag-1", 4, "old", "new"),
            ConfigFacetDecision::kNewGeneration);
  EXPECT_EQ(DecideConfigFacet(std::nullopt, "sag-1", 1, "empty", "new"),
            ConfigFacetDecision::kNewGeneration);
}

TEST(DecideConfigFacetTest, AnEqualValueOnlyRecordsTheRevision) {
  EXPECT_EQ(DecideConfigFacet(ConfigFacetStamp{"sag-1", 3}, "sag-1", 4, "same", "same"),
            ConfigFacetDecision::kRecordOnly);
  EXPECT_EQ(DecideConfigFacet(std::nullopt, "sag-1", 1, "empty", "empty"),
            ConfigFacetDecision::kRecordOnly);
}

TEST(DecideConfigFacetTest, AValueComputedAtAnOlderOrEqualRevisionIsSkipped) {
  EXPECT_EQ(DecideConfigFacet(ConfigFacetStamp{"sag-1", 5}, "sag-1", 4, "new", "old"),
            ConfigFacetDecision::kSkip);
  EXPECT_EQ(DecideConfigFacet(ConfigFacetStamp{"sag-1", 5}, "sag-1", 5, "new", "other"),
            ConfigFacetDecision::kSkip);
}

TEST(DecideConfigFacetTest, AStampOfAnotherInstanceDoesNotCount) {
  // The device was rebound: revisions of another account's counter are not comparable.
  EXPECT_EQ(DecideConfigFacet(ConfigFacetStamp{"sag-old", 50}, "sag-new", 2, "old", "new"),
            ConfigFacetDecision::kNewGeneration);
}

}  // namespace
}  // namespace sag::store
