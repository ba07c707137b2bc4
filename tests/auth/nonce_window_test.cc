#include "auth/nonce_window.h"

#include <atomic>
#include <cmath>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "auth/fingerprint_set.h"

namespace sag::auth {
namespace {

constexpr int64_t kWindow = 15 * 60 * 1000;
constexpr int64_t kT0 = 1'700'000'000'000;

// A request signed at timestamp_ms, as the gateway describes it.
NonceUse Use(std::string_view key, std::string_view nonce, int64_t timestamp_ms) {
  return NonceUse{.access_key_id = key,
                  .nonce = nonce,
                  .timestamp_ms = timestamp_ms,
                  .valid_until_ms = timestamp_ms + kWindow,
                  .changes_state = false};
}

ReplayVerdict Verdict(NonceWindow& window, std::string_view key, std::string_view nonce,
                      int64_t timestamp_ms, int64_t now_ms) {
  return window.Check(Use(key, nonce, timestamp_ms), now_ms).verdict;
}

// The end of the minute in which a window ending at ms ends.
int64_t MinuteEnd(int64_t ms) { return (ms / NonceWindow::kBucketMs + 1) * NonceWindow::kBucketMs; }

TEST(FingerprintSetTest, InsertsContainsAndGrows) {
  FingerprintSet set;
  EXPECT_FALSE(set.Contains(42));
  for (uint64_t i = 0; i < 10'000; ++i) ASSERT_TRUE(set.Insert(i * 0x9E3779B97F4A7C15ull + 7));
  EXPECT_EQ(set.size(), 10'000u);
  for (uint64_t i = 0; i < 10'000; ++i) {
    ASSERT_TRUE(set.Contains(i * 0x9E3779B97F4A7C15ull + 7));
    ASSERT_FALSE(set.Insert(i * 0x9E3779B97F4A7C15ull + 7));
  }
  EXPECT_FALSE(set.Contains(8));
  // Never more than three quarters full, never less than three eighths once grown.
  EXPECT_LE(set.size() * 4, set.memory_bytes() / 8 * 3);
  EXPECT_GE(set.size() * 8, set.memory_bytes() / 8 * 3);
}

TEST(FingerprintSetTest, ZeroIsStoredAsOne) {
  FingerprintSet set;
  EXPECT_TRUE(set.Insert(0));
  EXPECT_TRUE(set.Contains(0));
  EXPECT_TRUE(set.Contains(1));
  EXPECT_FALSE(set.Insert(1));
}

TEST(NonceWindowTest, FirstUseThenReplay) {
  NonceWindow window;
  EXPECT_EQ(Verdict(window, "AK1", "nonce-1", kT0, kT0), ReplayVerdict::kNew);
  EXPECT_EQ(Verdict(window, "AK1", "nonce-1", kT0, kT0), ReplayVerdict::kReplay);
  EXPECT_EQ(Verdict(window, "AK1", "nonce-1", kT0, kT0 + kWindow), ReplayVerdict::kReplay);
  // The same nonce under another timestamp is still the same nonce.
  EXPECT_EQ(Verdict(window, "AK1", "nonce-1", kT0 + 5000, kT0 + 5000), ReplayVerdict::kReplay);
  EXPECT_EQ(window.size(), 1u);
  EXPECT_EQ(window.KeySize("AK1"), 1u);
}

TEST(NonceWindowTest, SameNonceWithAnotherKeyIsNew) {
  NonceWindow window;
  EXPECT_EQ(Verdict(window, "AK1", "nonce-1", kT0, kT0), ReplayVerdict::kNew);
  EXPECT_EQ(Verdict(window, "AK2", "nonce-1", kT0, kT0), ReplayVerdict::kNew);
  EXPECT_EQ(Verdict(window, "AK1", "nonce-2", kT0, kT0), ReplayVerdict::kNew);
  EXPECT_EQ(Verdict(window, "AK2", "nonce-1", kT0, kT0 + 1), ReplayVerdict::kReplay);
  EXPECT_EQ(window.keys(), 2u);
}

TEST(NonceWindowTest, PairEncodingIsUnambiguous) {
  NonceWindow window;
  EXPECT_EQ(Verdict(window, "AK1", "2nonce", kT0, kT0), ReplayVerdict::kNew);
  EXPECT_EQ(Verdict(window, "AK12", "nonce", kT0, kT0), ReplayVerdict::kNew);
  EXPECT_EQ(Verdict(window, "", "AK12nonce", kT0, kT0), ReplayVerdict::kNew);
}

// A client whose clock runs 14 minutes ahead signs a request that stays acceptable until 29
// minutes from now: its nonce must be remembered that long, not 15 minutes from its arrival.
TEST(NonceWindowTest, RememberedUntilTheTimestampLeavesTheWindow) {
  NonceWindow window;
  const int64_t ahead = kT0 + 14 * 60 * 1000;
  EXPECT_EQ(Verdict(window, "AK1", "ahead", ahead, kT0), ReplayVerdict::kNew);
  EXPECT_EQ(Verdict(window, "AK1", "ahead", ahead, kT0 + 20 * 60 * 1000), ReplayVerdict::kReplay);
  EXPECT_EQ(Verdict(window, "AK1", "ahead", ahead, ahead + kWindow), ReplayVerdict::kReplay);
  // Dropped with its minute, once that minute has passed.
  EXPECT_EQ(Verdict(window, "AK1", "ahead", ahead, MinuteEnd(ahead + kWindow)),
            ReplayVerdict::kNew);
}

TEST(NonceWindowTest, ExpireDropsPassedMinutesAndQuietKeys) {
  NonceWindow window;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(Verdict(window, "AK" + std::to_string(i % 7), "old-" + std::to_string(i), kT0, kT0),
              ReplayVerdict::kNew);
  }
  ASSERT_EQ(Verdict(window, "AK1", "later", kT0 + 120'000, kT0 + 120'000), ReplayVerdict::kNew);
  EXPECT_EQ(window.size(), 1001u);
  EXPECT_EQ(window.keys(), 7u);
  EXPECT_GT(window.memory_bytes(), 0u);
  window.Expire(MinuteEnd(kT0 + kWindow));
  EXPECT_EQ(window.size(), 1u);
  EXPECT_EQ(window.keys(), 1u);
  EXPECT_EQ(Verdict(window, "AK1", "later", kT0 + 120'000, kT0 + kWindow), ReplayVerdict::kReplay);
  window.Expire(MinuteEnd(kT0 + 120'000 + kWindow));
  EXPECT_EQ(window.size(), 0u);
  EXPECT_EQ(window.keys(), 0u);
  EXPECT_EQ(window.memory_bytes(), 0u);
}

TEST(NonceWindowTest, OneKeysFloodThrottlesOnlyThatKey) {
  NonceWindow window({.per_key_max = 100, .global_max = 1'000'000});
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(Verdict(window, "flood", std::to_string(i), kT0, kT0), ReplayVerdict::kNew) << i;
  }
  const ReplayCheck refused = window.Check(Use("flood", "one-more", kT0), kT0);
  EXPECT_EQ(refused.verdict, ReplayVerdict::kThrottled);
  // The key may retry once its oldest minute has gone.
  EXPECT_EQ(refused.retry_after_ms, MinuteEnd(kT0 + kWindow) - kT0);
  // Its replays are still replays; the refused nonce was not used up.
  EXPECT_EQ(Verdict(window, "flood", "7", kT0, kT0 + 1), ReplayVerdict::kReplay);
  EXPECT_EQ(window.KeySize("flood"), 100u);
  // Every other key goes on.
  EXPECT_EQ(Verdict(window, "operator", "n", kT0, kT0 + 1), ReplayVerdict::kNew);
  EXPECT_EQ(Verdict(window, "tenant-b", "n", kT0, kT0 + 1), ReplayVerdict::kNew);
  // Once the flood's minute has passed, the key has room again, and the refused nonce is new.
  EXPECT_EQ(Verdict(window, "flood", "one-more", kT0 + kWindow, MinuteEnd(kT0 + kWindow)),
            ReplayVerdict::kNew);
}

TEST(NonceWindowTest, RetryAfterIsAtLeastOneMillisecond) {
  NonceWindow window({.per_key_max = 1, .global_max = 100});
  ASSERT_EQ(Verdict(window, "AK", "a", kT0, kT0), ReplayVerdict::kNew);
  const ReplayCheck refused = window.Check(Use("AK", "b", kT0), MinuteEnd(kT0 + kWindow) - 1);
  EXPECT_EQ(refused.verdict, ReplayVerdict::kThrottled);
  EXPECT_EQ(refused.retry_after_ms, 1);
}

// Beyond half the global bound, the keys that hold more than their fair share stop; the others
// go on, and the global bound is never exceeded.
TEST(NonceWindowTest, UnderGlobalPressureEachKeyGetsItsFairShare) {
  NonceWindow window({.per_key_max = 1000, .global_max = 100});
  int accepted_a = 0;
  for (int i = 0; i < 200; ++i) {
    if (Verdict(window, "A", std::to_string(i), kT0, kT0) == ReplayVerdict::kNew) ++accepted_a;
  }
  EXPECT_EQ(accepted_a, 50);  // alone, A reaches half the bound: its share of it
  int accepted_b = 0;
  for (int i = 0; i < 200; ++i) {
    if (Verdict(window, "B", std::to_string(i), kT0, kT0) == ReplayVerdict::kNew) ++accepted_b;
  }
  EXPECT_EQ(accepted_b, 25);  // (100 / 2) / 2 keys
  EXPECT_EQ(Verdict(window, "A", "more", kT0, kT0), ReplayVerdict::kThrottled);
  EXPECT_EQ(Verdict(window, "C", "first", kT0, kT0), ReplayVerdict::kNew);
  // However many keys arrive, the bound holds.
  for (int k = 0; k < 500; ++k) {
    for (int i = 0; i < 3; ++i) {
      Verdict(window, "K" + std::to_string(k), std::to_string(i), kT0, kT0);
    }
  }
  EXPECT_LE(window.size(), 100u);
}

// A fingerprint of b bits refuses a new nonce of a key holding n pairs with probability n / 2^b.
// Measured with 16 bits (at 64 bits the rate is too small to observe): the refusals counted over
// 20,000 fresh nonces must match the sum of the predicted rates within six standard deviations.
TEST(NonceWindowTest, FalseRefusalRateMatchesTheFingerprintWidth) {
  NonceWindow window({.per_key_max = 1'000'000, .global_max = 2'000'000, .fingerprint_bits = 16});
  double expected = 0;
  int refused = 0;
  for (int i = 0; i < 20'000; ++i) {
    expected += window.FalseRefusalRate(window.KeySize("AK"));
    const ReplayVerdict v = Verdict(window, "AK", "fresh-" + std::to_string(i), kT0, kT0);
    if (v == ReplayVerdict::kReplay) ++refused;
    ASSERT_NE(v, ReplayVerdict::kThrottled);
  }
  EXPECT_GT(expected, 2000.0);
  EXPECT_NEAR(refused, expected, 6 * std::sqrt(expected));
  // The real width: about one in a trillion at the default per-key bound.
  NonceWindow full;
  EXPECT_NEAR(full.FalseRefusalRate(20'000'000), 20e6 / std::ldexp(1.0, 64), 1e-15);
  EXPECT_LT(full.FalseRefusalRate(20'000'000), 1.1e-12);
}

// 10.7-21.3 bytes per pair: what the documented memory cost rests on.
TEST(NonceWindowTest, MemoryPerPairStaysWithinTheStatedRange) {
  NonceWindow window;
  for (int i = 0; i < 100'000; ++i) {
    ASSERT_EQ(Verdict(window, "AK", std::to_string(i), kT0, kT0), ReplayVerdict::kNew);
  }
  const double per_pair = static_cast<double>(window.memory_bytes()) / 100'000;
  EXPECT_GE(per_pair, 10.6);
  EXPECT_LE(per_pair, 21.4);
}

TEST(NonceWindowTest, RestoredPairsAreReplaysWhateverTheBounds) {
  NonceWindow window({.per_key_max = 2, .global_max = 100});
  window.Restore("AK", "a", kT0 + kWindow, kT0);
  window.Restore("AK", "b", kT0 + kWindow, kT0);
  window.Restore("AK", "c", kT0 + kWindow, kT0);
  window.Restore("AK", "gone", kT0 - 1, kT0);  // already expired: ignored
  EXPECT_EQ(window.KeySize("AK"), 3u);
  EXPECT_EQ(Verdict(window, "AK", "c", kT0, kT0), ReplayVerdict::kReplay);
  EXPECT_EQ(Verdict(window, "AK", "d", kT0, kT0), ReplayVerdict::kThrottled);
  EXPECT_EQ(Verdict(window, "AK2", "gone", kT0, kT0), ReplayVerdict::kNew);
}

TEST(NonceWindowTest, ConcurrentUniqueNoncesAreAllNew) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 10'000;
  NonceWindow window;
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&window, &accepted, t] {
      const std::string key = "AK" + std::to_string(t % 2);
      for (int i = 0; i < kPerThread; ++i) {
        const std::string nonce = std::to_string(t) + "-" + std::to_string(i);
        if (Verdict(window, key, nonce, kT0 + i, kT0 + i) == ReplayVerdict::kNew) {
          accepted.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(accepted.load(), kThreads * kPerThread);
  EXPECT_EQ(window.size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST(NonceWindowTest, ConcurrentSameNonceIsAcceptedExactlyOnce) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 200;
  NonceWindow window;
  for (int round = 0; round < kRounds; ++round) {
    const std::string nonce = "race-" + std::to_string(round);
    std::atomic<int> accepted{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        while (!go.load()) std::this_thread::yield();
        if (Verdict(window, "AK1", nonce, kT0, kT0) == ReplayVerdict::kNew) accepted.fetch_add(1);
      });
    }
    go.store(true);
    for (std::thread& thread : threads) thread.join();
    ASSERT_EQ(accepted.load(), 1) << "round " << round;
  }
}

}  // namespace
}  // namespace sag::auth
