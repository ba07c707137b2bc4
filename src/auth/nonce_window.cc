#include "auth/nonce_window.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include <sodium.h>

#include "common/crypto.h"

namespace sag::auth {
namespace {

// The exclusive end of the minute in which a window ending at valid_until_ms ends.
int64_t MinuteEnd(int64_t valid_until_ms) {
  constexpr int64_t kLast = std::numeric_limits<int64_t>::max() / NonceWindow::kBucketMs - 1;
  const int64_t minute = std::clamp<int64_t>(valid_until_ms / NonceWindow::kBucketMs, 0, kLast);
  return (minute + 1) * NonceWindow::kBucketMs;
}

uint64_t MaskFor(int bits) {
  if (bits >= 64) return ~uint64_t{0};
  return (uint64_t{1} << std::max(bits, 1)) - 1;
}

}  // namespace

NonceWindow::NonceWindow(NonceWindowOptions options)
    : options_(options), fingerprint_mask_(MaskFor(options.fingerprint_bits)) {
  InitCrypto();
  const std::string key = RandomBytes(hash_key_.size());
  std::copy(key.begin(), key.end(), hash_key_.begin());
}

uint64_t NonceWindow::Fingerprint(std::string_view access_key_id, std::string_view nonce) const {
  // The key id's length first, so that ("ab", "c") and ("a", "bc") differ.
  std::string input = std::to_string(access_key_id.size());
  input.reserve(input.size() + 1 + access_key_id.size() + nonce.size());
  input.append(1, ':').append(access_key_id).append(nonce);
  unsigned char out[crypto_shorthash_BYTES];
  crypto_shorthash(out, reinterpret_cast<const unsigned char*>(input.data()), input.size(),
                   hash_key_.data());
  uint64_t fingerprint = 0;
  for (unsigned char byte : out) fingerprint = (fingerprint << 8) | byte;
  return fingerprint & fingerprint_mask_;
}

NonceWindow::Shard& NonceWindow::ShardOf(std::string_view access_key_id) {
  return shards_[std::hash<std::string_view>{}(access_key_id) % kShards];
}

const NonceWindow::Shard& NonceWindow::ShardOf(std::string_view access_key_id) const {
  return shards_[std::hash<std::string_view>{}(access_key_id) % kShards];
}

ReplayCheck NonceWindow::Check(const NonceUse& use, int64_t now_ms) {
  const size_t pressure = options_.global_max / 2;
  if (size() >= pressure) {
    // Quiet keys may still count pairs whose minute has passed: sweep them, now and then.
    int64_t last = last_sweep_ms_.load(std::memory_order_relaxed);
    if (now_ms - last >= kSweepIntervalMs &&
        last_sweep_ms_.compare_exchange_strong(last, now_ms, std::memory_order_relaxed)) {
      Expire(now_ms);
    }
  }
  const uint64_t fingerprint = Fingerprint(use.access_key_id, use.nonce);
  Shard& shard = ShardOf(use.access_key_id);
  std::lock_guard lock(shard.mu);
  KeyWindow& key = Entry(shard, use.access_key_id);
  ExpireKey(key, now_ms);
  for (const auto& [end, set] : key.minutes) {
    if (set.Contains(fingerprint)) return {ReplayVerdict::kReplay};
  }
  if (!HasRoom(key)) {
    const int64_t retry_after =
        key.minutes.empty() ? kBucketMs : key.minutes.begin()->first - now_ms;
    EraseIfEmpty(shard, use.access_key_id);
    return {ReplayVerdict::kThrottled, std::max<int64_t>(retry_after, 1)};
  }
  Insert(key, fingerprint, std::max(use.valid_until_ms, now_ms));
  return {ReplayVerdict::kNew};
}

void NonceWindow::Restore(std::string_view access_key_id, std::string_view nonce,
                          int64_t valid_until_ms, int64_t now_ms) {
  if (valid_until_ms < now_ms) return;
  const uint64_t fingerprint = Fingerprint(access_key_id, nonce);
  Shard& shard = ShardOf(access_key_id);
  std::lock_guard lock(shard.mu);
  KeyWindow& key = Entry(shard, access_key_id);
  for (const auto& [end, set] : key.minutes) {
    if (set.Contains(fingerprint)) return;
  }
  Insert(key, fingerprint, valid_until_ms);
}

void NonceWindow::Expire(int64_t now_ms) {
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    for (auto it = shard.keys.begin(); it != shard.keys.end();) {
      ExpireKey(it->second, now_ms);
      if (it->second.count == 0) {
        it = shard.keys.erase(it);
        keys_.fetch_sub(1, std::memory_order_relaxed);
      } else {
        ++it;
      }
    }
  }
}

size_t NonceWindow::KeySize(std::string_view access_key_id) const {
  const Shard& shard = ShardOf(access_key_id);
  std::lock_guard lock(shard.mu);
  auto it = shard.keys.find(access_key_id);
  return it == shard.keys.end() ? 0 : it->second.count;
}

size_t NonceWindow::memory_bytes() const {
  size_t bytes = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    for (const auto& [id, key] : shard.keys) {
      for (const auto& [end, set] : key.minutes) bytes += set.memory_bytes();
    }
  }
  return bytes;
}

double NonceWindow::FalseRefusalRate(size_t n) const {
  return static_cast<double>(n) / std::ldexp(1.0, std::clamp(options_.fingerprint_bits, 1, 64));
}

bool NonceWindow::HasRoom(const KeyWindow& key) const {
  if (key.count >= options_.per_key_max) return false;
  const size_t total = size();
  if (total >= options_.global_max) return false;
  const size_t pressure = options_.global_max / 2;
  if (total < pressure) return true;
  const size_t holders = std::max<size_t>(keys(), 1);
  return key.count < pressure / holders;
}

void NonceWindow::ExpireKey(KeyWindow& key, int64_t now_ms) {
  while (!key.minutes.empty() && key.minutes.begin()->first <= now_ms) {
    const size_t dropped = key.minutes.begin()->second.size();
    key.count -= dropped;
    total_.fetch_sub(dropped, std::memory_order_relaxed);
    key.minutes.erase(key.minutes.begin());
  }
}

bool NonceWindow::Insert(KeyWindow& key, uint64_t fingerprint, int64_t valid_until_ms) {
  if (!key.minutes[MinuteEnd(valid_until_ms)].Insert(fingerprint)) return false;
  ++key.count;
  total_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

NonceWindow::KeyWindow& NonceWindow::Entry(Shard& shard, std::string_view access_key_id) {
  auto it = shard.keys.find(access_key_id);
  if (it != shard.keys.end()) return it->second;
  keys_.fetch_add(1, std::memory_order_relaxed);
  return shard.keys.emplace(std::string(access_key_id), KeyWindow{}).first->second;
}

void NonceWindow::EraseIfEmpty(Shard& shard, std::string_view access_key_id) {
  auto it = shard.keys.find(access_key_id);
  if (it != shard.keys.end() && it->second.count == 0) {
    shard.keys.erase(it);
    keys_.fetch_sub(1, std::memory_order_relaxed);
  }
}

}  // namespace sag::auth
