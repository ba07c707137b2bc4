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

TEST(ClientIpPoolTest, PlaceClientUserDecidesInTheDocumentedOrder) {
  CreateClientUserRequest request;
  request.pool = {{10, 12}};
  request.max_users = 3;
  request.user.user_name = "alice01";
  ClientUserRecord user;
  EXPECT_EQ(PlaceClientUser(request, {10}, &user), CreateClientUserOutcome::kCreated);
  EXPECT_EQ(user.client_ip, 11u);
  EXPECT_EQ(user.user_name, "alice01");
  EXPECT_EQ(PlaceClientUser(request, {10, 11, 12}, &user), CreateClientUserOutcome::kOverLimit);
  request.max_users = 10;
  EXPECT_EQ(PlaceClientUser(request, {10, 11, 12}, &user), CreateClientUserOutcome::kPoolExhausted);
  request.user.is_static_ip = true;
  request.user.client_ip = 11;
  EXPECT_EQ(PlaceClientUser(request, {10, 11}, &user), CreateClientUserOutcome::kIpTaken);
  EXPECT_EQ(PlaceClientUser(request, {10, 12}, &user), CreateClientUserOutcome::kCreated);
  EXPECT_EQ(user.client_ip, 11u);
}

}  // namespace
}  // namespace sag::store
