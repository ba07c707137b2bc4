#include "auth/nonce_cache.h"

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace sag::auth {
namespace {

constexpr int64_t kWindow = 15 * 60 * 1000;
constexpr int64_t kT0 = 1'700'000'000'000;

TEST(NonceCacheTest, FirstUseThenReplay) {
  NonceCache cache(kWindow);
  EXPECT_TRUE(cache.Remember("AK1", "nonce-1", kT0));
  EXPECT_FALSE(cache.Remember("AK1", "nonce-1", kT0));
  EXPECT_FALSE(cache.Remember("AK1", "nonce-1", kT0 + 1000));
  EXPECT_FALSE(cache.Remember("AK1", "nonce-1", kT0 + kWindow - 1));
  EXPECT_EQ(cache.size(), 1u);
}

TEST(NonceCacheTest, SameNonceWithAnotherKeyIsNew) {
  NonceCache cache(kWindow);
  EXPECT_TRUE(cache.Remember("AK1", "nonce-1", kT0));
  EXPECT_TRUE(cache.Remember("AK2", "nonce-1", kT0));
  EXPECT_TRUE(cache.Remember("AK1", "nonce-2", kT0));
  EXPECT_FALSE(cache.Remember("AK2", "nonce-1", kT0 + 1));
}

TEST(NonceCacheTest, PairEncodingIsUnambiguous) {
  NonceCache cache(kWindow);
  EXPECT_TRUE(cache.Remember("AK1", "2nonce", kT0));
  EXPECT_TRUE(cache.Remember("AK12", "nonce", kT0));
  EXPECT_TRUE(cache.Remember("", "AK12nonce", kT0));
}

TEST(NonceCacheTest, ReplayAfterWindowIsNew) {
  NonceCache cache(kWindow);
  EXPECT_TRUE(cache.Remember("AK1", "nonce-1", kT0));
  EXPECT_TRUE(cache.Remember("AK1", "nonce-1", kT0 + kWindow));
  // The second use starts a new window.
  EXPECT_FALSE(cache.Remember("AK1", "nonce-1", kT0 + kWindow + 1));
  EXPECT_FALSE(cache.Remember("AK1", "nonce-1", kT0 + 2 * kWindow - 1));
  EXPECT_TRUE(cache.Remember("AK1", "nonce-1", kT0 + 2 * kWindow));
}

TEST(NonceCacheTest, ExpiryFreesMemory) {
  NonceCache cache(kWindow);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(cache.Remember("AK1", "old-" + std::to_string(i), kT0));
  }
  EXPECT_EQ(cache.size(), 1000u);
  // New traffic after the window sweeps the shards it touches; 1000 pairs touch all 16 shards.
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(cache.Remember("AK1", "new-" + std::to_string(i), kT0 + kWindow + i));
  }
  EXPECT_EQ(cache.size(), 1000u);
  // An explicit sweep drops everything once all windows have ended.
  cache.Expire(kT0 + 2 * kWindow + 1000);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_TRUE(cache.Remember("AK1", "old-0", kT0 + 2 * kWindow + 1000));
}

TEST(NonceCacheTest, ExpireKeepsPairsInsideTheWindow) {
  NonceCache cache(kWindow);
  EXPECT_TRUE(cache.Remember("AK1", "a", kT0));
  EXPECT_TRUE(cache.Remember("AK1", "b", kT0 + 10));
  cache.Expire(kT0 + kWindow + 5);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_FALSE(cache.Remember("AK1", "b", kT0 + kWindow + 5));
  EXPECT_TRUE(cache.Remember("AK1", "a", kT0 + kWindow + 5));
}

TEST(NonceCacheTest, OutOfOrderClocksStillRejectReplays) {
  NonceCache cache(kWindow);
  // A caller with a later clock registers first; one with an earlier clock follows.
  EXPECT_TRUE(cache.Remember("AK1", "late", kT0 + 5000));
  EXPECT_TRUE(cache.Remember("AK1", "early", kT0));
  EXPECT_FALSE(cache.Remember("AK1", "early", kT0 + kWindow - 1));
  EXPECT_FALSE(cache.Remember("AK1", "late", kT0 + kWindow + 4999));
  EXPECT_TRUE(cache.Remember("AK1", "early", kT0 + kWindow));
  EXPECT_TRUE(cache.Remember("AK1", "late", kT0 + kWindow + 5000));
}

TEST(NonceCacheTest, FullCacheFailsClosedWithoutEvictingLivePairs) {
  NonceCache cache(kWindow, /*max_entries=*/3);
  EXPECT_TRUE(cache.Remember("AK1", "a", kT0));
  EXPECT_TRUE(cache.Remember("AK1", "b", kT0 + 1));
  EXPECT_TRUE(cache.Remember("AK1", "c", kT0 + 2));
  // Full: a new pair cannot be stored, so it is refused; the live pairs are still replays.
  EXPECT_FALSE(cache.Remember("AK1", "d", kT0 + 3));
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_FALSE(cache.Remember("AK1", "a", kT0 + 3));
  EXPECT_FALSE(cache.Remember("AK1", "b", kT0 + 3));
  EXPECT_FALSE(cache.Remember("AK1", "c", kT0 + 3));
  // Once "a" leaves its window, whatever shard it sits in is swept and there is room again.
  EXPECT_TRUE(cache.Remember("AK1", "d", kT0 + kWindow));
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_FALSE(cache.Remember("AK1", "d", kT0 + kWindow));
  EXPECT_FALSE(cache.Remember("AK1", "b", kT0 + kWindow));
}

TEST(NonceCacheTest, ConcurrentUniqueNoncesAreAllNew) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 10'000;
  NonceCache cache(kWindow);
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&cache, &accepted, t] {
      const std::string key = "AK" + std::to_string(t % 2);
      for (int i = 0; i < kPerThread; ++i) {
        const std::string nonce = std::to_string(t) + "-" + std::to_string(i);
        if (cache.Remember(key, nonce, kT0 + i)) accepted.fetch_add(1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(accepted.load(), kThreads * kPerThread);
  EXPECT_EQ(cache.size(), static_cast<std::size_t>(kThreads * kPerThread));
}

TEST(NonceCacheTest, ConcurrentSameNonceIsAcceptedExactlyOnce) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 200;
  NonceCache cache(kWindow);
  for (int round = 0; round < kRounds; ++round) {
    const std::string nonce = "race-" + std::to_string(round);
    std::atomic<int> accepted{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        while (!go.load()) std::this_thread::yield();
        if (cache.Remember("AK1", nonce, kT0)) accepted.fetch_add(1);
      });
    }
    go.store(true);
    for (std::thread& thread : threads) thread.join();
    ASSERT_EQ(accepted.load(), 1) << "round " << round;
  }
}

}  // namespace
}  // namespace sag::auth
