#include "auth/nonce_cache.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <string>
#include <utility>

namespace sag::auth {
namespace {

// An unambiguous key for the pair: the key id's length, ':', the key id, then the nonce.
std::string PairKey(std::string_view access_key_id, std::string_view nonce) {
  std::string length = std::to_string(access_key_id.size());
  std::string key;
  key.reserve(length.size() + 1 + access_key_id.size() + nonce.size());
  key.append(length).append(1, ':').append(access_key_id).append(nonce);
  return key;
}

// now_ms + window_ms, saturating instead of overflowing.
int64_t ExpiryFor(int64_t now_ms, int64_t window_ms) {
  if (now_ms > std::numeric_limits<int64_t>::max() - window_ms) {
    return std::numeric_limits<int64_t>::max();
  }
  return now_ms + window_ms;
}

}  // namespace

NonceCache::NonceCache(int64_t window_ms, std::size_t max_entries)
    : window_ms_(std::max<int64_t>(window_ms, 1)),
      max_entries_(std::max<std::size_t>(max_entries, 1)) {}

bool NonceCache::Remember(std::string_view access_key_id, std::string_view nonce, int64_t now_ms) {
  std::string key = PairKey(access_key_id, nonce);
  Shard& shard = shards_[std::hash<std::string>{}(key) % kShards];
  {
    std::lock_guard<std::mutex> lock(shard.mu);
    const Outcome outcome = TryRemember(shard, key, now_ms);
    if (outcome != Outcome::kFull) return outcome == Outcome::kNew;
  }
  // Full: other shards may still hold expired pairs that no traffic has swept yet. Sweep them all
  // (one shard lock at a time, never two at once) and try once more.
  Expire(now_ms);
  std::lock_guard<std::mutex> lock(shard.mu);
  return TryRemember(shard, key, now_ms) == Outcome::kNew;
}

void NonceCache::Expire(int64_t now_ms) {
  for (Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    ExpireLocked(shard, now_ms);
  }
}

NonceCache::Outcome NonceCache::TryRemember(Shard& shard, std::string& key, int64_t now_ms) {
  ExpireLocked(shard, now_ms);
  const int64_t expiry = ExpiryFor(now_ms, window_ms_);
  auto it = shard.expiry.find(key);
  if (it != shard.expiry.end()) {
    if (now_ms < it->second) return Outcome::kReplay;
    // Seen before but its window has ended (its queue entry is not at the head yet because an
    // earlier entry carries a later expiry): start a new window. The old queue entry stays and is
    // skipped when it reaches the head, since it no longer matches the map's expiry.
    it->second = expiry;
    shard.queue.emplace_back(expiry, &it->first);
    return Outcome::kNew;
  }
  // Reserve a slot first so that concurrent inserts in other shards cannot overshoot the cap.
  if (size_.fetch_add(1, std::memory_order_relaxed) >= max_entries_) {
    size_.fetch_sub(1, std::memory_order_relaxed);
    return Outcome::kFull;
  }
  auto inserted = shard.expiry.emplace(std::move(key), expiry).first;
  shard.queue.emplace_back(expiry, &inserted->first);
  return Outcome::kNew;
}

void NonceCache::ExpireLocked(Shard& shard, int64_t now_ms) {
  while (!shard.queue.empty() && shard.queue.front().first <= now_ms) {
    auto [expiry, key] = shard.queue.front();
    auto it = shard.expiry.find(*key);
    // Erase only when this entry is the pair's latest window; an older entry for a renewed pair is
    // simply dropped (the key pointer stays valid until the latest entry erases the node).
    if (it != shard.expiry.end() && it->second == expiry) {
      shard.expiry.erase(it);
      size_.fetch_sub(1, std::memory_order_relaxed);
    }
    shard.queue.pop_front();
  }
}

}  // namespace sag::auth
