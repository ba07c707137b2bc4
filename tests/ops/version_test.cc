#include "ops/version.h"

#include <gtest/gtest.h>

namespace sag::ops {
namespace {

TEST(VersionTest, ComparesSegmentsAsNumbers) {
  EXPECT_EQ(CompareVersions("2.10.0", "2.9.9"), 1);
  EXPECT_EQ(CompareVersions("1.5.0", "1.5"), 0);
  EXPECT_EQ(CompareVersions("1.4.9", "1.5.0"), -1);
  EXPECT_EQ(CompareVersions("10", "9.99"), 1);
  EXPECT_EQ(CompareVersions("2.3.0.1", "2.3.0.1"), 0);
}

TEST(VersionTest, RejectsWhatIsNotAVersion) {
  for (const char* bad : {"", "1..2", "1.2.", ".1", "1.a", "v1.2", "1.-2"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(CompareVersions(bad, "1.0").has_value());
  }
}

}  // namespace
}  // namespace sag::ops
