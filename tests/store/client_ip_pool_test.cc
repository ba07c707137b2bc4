// LowestFreeClientIp: the allocation rule both backends share for dynamic ClientIps.
#include <gtest/gtest.h>

#include "store/store.h"

namespace sag::store {
namespace {

TEST(ClientIpPoolTest, LowestFreeAddressAcrossRangesInOrder) {
  const std::vector<ClientIpRange> pool = {{10, 12}, {100, 101}};
  EXPECT_EQ(LowestFreeClientIp(pool, {}), 10u);
  EXPECT_EQ(LowestFreeClientIp(pool, {10}), 11u);
  EXPECT_EQ(LowestFreeClientIp(pool, {10, 12}), 11u);  // a gap is reused first
  EXPECT_EQ(LowestFreeClientIp(pool, {10, 11, 12}), 100u);
  EXPECT_EQ(LowestFreeClientIp(pool, {5, 10, 11, 12, 100}), 101u);  // used outside the pool
  EXPECT_EQ(LowestFreeClientIp(pool, {10, 11, 12, 100, 101}), std::nullopt);
  EXPECT_EQ(LowestFreeClientIp({}, {}), std::nullopt);
}

TEST(ClientIpPoolTest, TopOfTheAddressSpace) {
  const uint32_t top = 0xFFFFFFFEu;
  EXPECT_EQ(LowestFreeClientIp({{top - 1, top}}, {int64_t{top} - 1}), top);
  EXPECT_EQ(LowestFreeClientIp({{top - 1, top}}, {int64_t{top} - 1, int64_t{top}}), std::nullopt);
}

}  // namespace
}  // namespace sag::store
