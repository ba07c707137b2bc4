// The replay window of one node, in memory: which (AccessKeyId, SignatureNonce) pairs were used
// while their timestamps are still accepted, bounded per AccessKey and in all
// (docs/semantics.md "Nonce window").
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/fingerprint_set.h"
#include "auth/replay_guard.h"

namespace sag::auth {

struct NonceWindowOptions {
  // The most pairs one AccessKey may hold at once (sagd --nonce-window-per-key).
  size_t per_key_max = 20'000'000;
  // The most pairs all keys together may hold (sagd --nonce-window-global); see NonceWindow.
  size_t global_max = 40'000'000;
  // Bits kept of each pair's fingerprint (1-64). Fewer only to measure false refusals in tests.
  int fingerprint_bits = 64;
};

// A pair is kept as a 64-bit keyed hash (SipHash-2-4 under a key drawn at start) of the key id and
// the nonce, in a per-key set of the minute in which its timestamp stops being accepted; a
// minute's set is dropped as a whole once that minute has passed. A new nonce is refused as a
// replay only if its fingerprint equals one of the key's live fingerprints: for a key holding n
// pairs that happens with probability n / 2^64 (FalseRefusalRate), 1.1e-12 at 20 million.
//
// Bounds. A key holding per_key_max pairs is refused (kThrottled) until its oldest minute expires;
// other keys are not affected. While all keys together hold less than half of global_max, that is
// the only limit. Beyond half, a key may add a pair only while it holds less than its fair share,
// (global_max / 2) / (number of keys holding pairs), so the keys that flood stop and the others go
// on; and nothing is added once global_max pairs are held (which the fair share makes reachable
// only when every key holds its share). Memory is 10.7-21.3 bytes per pair (FingerprintSet) plus
// a few hundred bytes per key and minute.
//
// Thread-safe: keys are spread over independently locked shards.
class NonceWindow : public ReplayGuard {
 public:
  // The granularity of expiry: pairs are dropped at most this long after their window ends.
  static constexpr int64_t kBucketMs = 60'000;

  explicit NonceWindow(NonceWindowOptions options = {});

  NonceWindow(const NonceWindow&) = delete;
  NonceWindow& operator=(const NonceWindow&) = delete;

  // kNew (the pair is remembered until at least use.valid_until_ms), kReplay, or kThrottled with
  // the time until the key's oldest minute expires. Never kUnavailable.
  ReplayCheck Check(const NonceUse& use, int64_t now_ms) override;

  // Remembers a pair known to be used (reloaded from the durable journal) until valid_until_ms,
  // whatever the bounds; a pair already expired at now_ms is ignored.
  void Restore(std::string_view access_key_id, std::string_view nonce, int64_t valid_until_ms,
               int64_t now_ms);

  // Drops every minute that has passed by now_ms, in all shards (Check does so for the key it
  // touches; call this periodically for the keys that went quiet).
  void Expire(int64_t now_ms);

  // Pairs held, including those of passed minutes not yet dropped.
  size_t size() const { return total_.load(std::memory_order_relaxed); }
  // Keys holding at least one pair.
  size_t keys() const { return keys_.load(std::memory_order_relaxed); }
  // Pairs held by one key.
  size_t KeySize(std::string_view access_key_id) const;
  // Bytes held by the fingerprint sets.
  size_t memory_bytes() const;
  const NonceWindowOptions& options() const { return options_; }

  // The probability that a new nonce of a key holding n pairs is refused as a replay.
  double FalseRefusalRate(size_t n) const;

 private:
  static constexpr size_t kShards = 16;
  // Full sweeps (Expire) under pressure happen at most this often.
  static constexpr int64_t kSweepIntervalMs = 1000;

  struct KeyWindow {
    // End (exclusive, epoch ms) of a minute -> fingerprints of the pairs whose window ends in it.
    std::map<int64_t, FingerprintSet> minutes;
    size_t count = 0;
  };
  // Lets the key map be searched with a string_view.
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view id) const { return std::hash<std::string_view>{}(id); }
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, KeyWindow, KeyHash, std::equal_to<>> keys;
  };

  uint64_t Fingerprint(std::string_view access_key_id, std::string_view nonce) const;
  Shard& ShardOf(std::string_view access_key_id);
  const Shard& ShardOf(std::string_view access_key_id) const;
  // Whether key may add a pair now.
  bool HasRoom(const KeyWindow& key) const;
  // Drops key's passed minutes; the caller holds its shard's lock.
  void ExpireKey(KeyWindow& key, int64_t now_ms);
  // Inserts fingerprint into key's minute for valid_until_ms; true when it was new there.
  bool Insert(KeyWindow& key, uint64_t fingerprint, int64_t valid_until_ms);
  // The key's entry, created when absent; the caller holds its shard's lock.
  KeyWindow& Entry(Shard& shard, std::string_view access_key_id);
  // Removes the key's entry when it holds nothing; the caller holds its shard's lock.
  void EraseIfEmpty(Shard& shard, std::string_view access_key_id);

  const NonceWindowOptions options_;
  const uint64_t fingerprint_mask_;
  std::array<unsigned char, 16> hash_key_{};
  std::atomic<size_t> total_{0};
  std::atomic<size_t> keys_{0};
  std::atomic<int64_t> last_sweep_ms_{0};
  std::array<Shard, kShards> shards_;
};

}  // namespace sag::auth
