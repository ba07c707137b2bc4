// A short-lived in-memory cache of what authenticating a call needs: the AccessKey's owner and
// secret, and the parsed RAM policies of RAM users. It spares the store three to four reads per
// call. Entries live at most ttl_ms; the operations that change keys, users or policies invalidate
// the affected entries at once, so a disabled key stops working immediately on this node, and, with
// several nodes, on the others as soon as the announced invalidation reaches them (a PostgreSQL
// NOTIFY; ttl_ms is the bound when one is lost). Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/policy.h"
#include "common/cluster_message.h"

namespace sag::auth {

// The caller behind an AccessKey.
struct CachedCredential {
  std::string account_id;
  std::string user_name;
  std::string secret;  // plaintext, in memory only: needed to verify signatures
  bool enabled = true;
  bool is_root = false;
  bool is_operator = false;
};

// What one Invalidate* call dropped, as announced to other nodes (the cluster message; published
// with cluster::EncodeClusterMessage).
using CacheInvalidation = cluster::CredentialsChanged;

class CredentialCache {
 public:
  explicit CredentialCache(int64_t ttl_ms = 2000, size_t max_entries = 100000)
      : ttl_ms_(ttl_ms), max_entries_(max_entries) {}

  // The credential for key_id if cached and fresh at now_ms.
  std::optional<CachedCredential> GetCredential(std::string_view key_id, int64_t now_ms);
  void PutCredential(std::string_view key_id, CachedCredential credential, int64_t now_ms);

  // The parsed policies of (account, user) if cached and fresh.
  std::optional<std::vector<Policy>> GetPolicies(std::string_view account_id,
                                                 std::string_view user_name, int64_t now_ms);
  void PutPolicies(std::string_view account_id, std::string_view user_name,
                   std::vector<Policy> policies, int64_t now_ms);

  // Drops one AccessKey's entry.
  void InvalidateKey(std::string_view key_id);
  // Drops every entry of a user (its keys and its policies).
  void InvalidateUser(std::string_view account_id, std::string_view user_name);
  // Drops every cached policy set of an account (a policy document or attachment changed).
  void InvalidateAccountPolicies(std::string_view account_id);

  // Called after every Invalidate* with what it dropped (several nodes: tells the others). Set
  // once, before the cache is shared.
  void set_announcer(std::function<void(const CacheInvalidation&)> announce) {
    announce_ = std::move(announce);
  }
  // Applies another node's invalidation here, without announcing it again.
  void Apply(const CacheInvalidation& invalidation);
  // Drops every entry (e.g. when this node may have missed announcements).
  void Clear();

 private:
  template <typename T>
  struct Entry {
    T value;
    int64_t expires_ms;
  };
  static std::string UserKey(std::string_view account_id, std::string_view user_name);

  void DropKey(std::string_view key_id);
  void DropUser(std::string_view account_id, std::string_view user_name);
  void DropAccountPolicies(std::string_view account_id);
  void Announce(CacheInvalidation::Kind kind, std::string_view first, std::string_view second);

  const int64_t ttl_ms_;
  const size_t max_entries_;
  std::function<void(const CacheInvalidation&)> announce_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry<CachedCredential>> credentials_;  // guarded by mu_
  std::unordered_map<std::string, Entry<std::vector<Policy>>> policies_;  // guarded by mu_
};

}  // namespace sag::auth
