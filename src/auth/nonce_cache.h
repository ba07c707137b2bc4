// Replay protection for signed requests: remembers each (AccessKeyId, SignatureNonce) pair for a
// window, so that a captured request cannot be sent again while its timestamp is still accepted.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/replay_guard.h"

namespace sag::auth {

// A sharded, thread-safe set of recently seen (access_key_id, nonce) pairs.
//
// Each pair is remembered until now_ms + window_ms. Expired pairs are dropped incrementally: every
// call expires the old entries of the shard it touches, so memory stays bounded by the request
// rate times the window. The window should cover the signature timestamp tolerance on both sides.
//
// Capacity: at most max_entries pairs are held. Nothing still inside its window is ever evicted to
// make room, because that would let a replay of the evicted pair through. When the cache is full
// (even after dropping everything expired), Remember returns false for a new pair, i.e. the server
// fails closed and rejects the request as a replay: correctness over availability.
class NonceCache : public ReplayGuard {
 public:
  // The default window: 15 minutes.
  static constexpr int64_t kDefaultWindowMs = 15 * 60 * 1000;
  // The default capacity: one million pairs (on the order of 150 MB at typical key/nonce lengths).
  static constexpr std::size_t kDefaultMaxEntries = 1'000'000;

  // window_ms: how long a pair is remembered (values < 1 are treated as 1). max_entries: the most
  // pairs held at once (values < 1 are treated as 1).
  explicit NonceCache(int64_t window_ms = kDefaultWindowMs,
                      std::size_t max_entries = kDefaultMaxEntries);

  NonceCache(const NonceCache&) = delete;
  NonceCache& operator=(const NonceCache&) = delete;

  // Records the pair at time now_ms (epoch milliseconds). Returns true when the pair was not seen
  // within the window (it is then remembered until now_ms + window_ms), false when it is a replay,
  // or when the cache is full and the pair cannot be stored (fail closed; see the class comment).
  bool Remember(std::string_view access_key_id, std::string_view nonce, int64_t now_ms);

  // ReplayGuard: Remember as a verdict (never kUnavailable).
  ReplayVerdict Check(std::string_view access_key_id, std::string_view nonce,
                      int64_t now_ms) override {
    return Remember(access_key_id, nonce, now_ms) ? ReplayVerdict::kNew : ReplayVerdict::kReplay;
  }

  // Drops every pair whose window has ended by now_ms, in all shards.
  void Expire(int64_t now_ms);

  // The number of pairs currently held, including expired ones not yet dropped.
  std::size_t size() const { return size_.load(std::memory_order_relaxed); }

  // The window, in milliseconds.
  int64_t window_ms() const { return window_ms_; }

  // The capacity, in pairs.
  std::size_t max_entries() const { return max_entries_; }

 private:
  static constexpr std::size_t kShards = 16;

  // One independently locked part of the cache.
  struct Shard {
    std::mutex mu;
    // Pair key -> the time (exclusive) until which it counts as seen.
    std::unordered_map<std::string, int64_t> expiry;
    // (expiry, key in `expiry`) in insertion order: expiry is non-decreasing as long as callers'
    // clocks are. Points at the map node's key (stable across rehashing) so each key is stored
    // once.
    std::deque<std::pair<int64_t, const std::string*>> queue;
  };

  enum class Outcome { kNew, kReplay, kFull };

  // Tries to record key in shard; the caller holds shard.mu. key is moved from only on kNew.
  Outcome TryRemember(Shard& shard, std::string& key, int64_t now_ms);
  // Drops the expired head of shard's queue; the caller holds shard.mu.
  void ExpireLocked(Shard& shard, int64_t now_ms);

  const int64_t window_ms_;
  const std::size_t max_entries_;
  std::atomic<std::size_t> size_{0};
  std::array<Shard, kShards> shards_;
};

}  // namespace sag::auth
