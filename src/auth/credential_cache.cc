#include "auth/credential_cache.h"

#include <utility>

namespace sag::auth {

std::string CredentialCache::UserKey(std::string_view account_id, std::string_view user_name) {
  std::string key(account_id);
  key += '\n';
  key += user_name;
  return key;
}

std::optional<CachedCredential> CredentialCache::GetCredential(std::string_view key_id,
                                                               int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto it = credentials_.find(std::string(key_id));
  if (it == credentials_.end() || it->second.expires_ms <= now_ms) return std::nullopt;
  return it->second.value;
}

void CredentialCache::PutCredential(std::string_view key_id, CachedCredential credential,
                                    int64_t now_ms) {
  std::lock_guard lock(mu_);
  if (credentials_.size() >= max_entries_) credentials_.clear();  // bounded; refills on demand
  credentials_[std::string(key_id)] = {std::move(credential), now_ms + ttl_ms_};
}

std::optional<std::vector<Policy>> CredentialCache::GetPolicies(std::string_view account_id,
                                                                std::string_view user_name,
                                                                int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto it = policies_.find(UserKey(account_id, user_name));
  if (it == policies_.end() || it->second.expires_ms <= now_ms) return std::nullopt;
  return it->second.value;
}

void CredentialCache::PutPolicies(std::string_view account_id, std::string_view user_name,
                                  std::vector<Policy> policies, int64_t now_ms) {
  std::lock_guard lock(mu_);
  if (policies_.size() >= max_entries_) policies_.clear();
  policies_[UserKey(account_id, user_name)] = {std::move(policies), now_ms + ttl_ms_};
}

void CredentialCache::InvalidateKey(std::string_view key_id) {
  DropKey(key_id);
  Announce(CacheInvalidation::Kind::kKey, key_id, "");
}

void CredentialCache::InvalidateUser(std::string_view account_id, std::string_view user_name) {
  DropUser(account_id, user_name);
  Announce(CacheInvalidation::Kind::kUser, account_id, user_name);
}

void CredentialCache::InvalidateAccountPolicies(std::string_view account_id) {
  DropAccountPolicies(account_id);
  Announce(CacheInvalidation::Kind::kAccountPolicies, account_id, "");
}

void CredentialCache::Apply(const CacheInvalidation& i) {
  switch (i.kind) {
    case CacheInvalidation::Kind::kKey:
      DropKey(i.first);
      return;
    case CacheInvalidation::Kind::kUser:
      DropUser(i.first, i.second);
      return;
    case CacheInvalidation::Kind::kAccountPolicies:
      DropAccountPolicies(i.first);
      return;
  }
}

void CredentialCache::Clear() {
  std::lock_guard lock(mu_);
  credentials_.clear();
  policies_.clear();
}

void CredentialCache::Announce(CacheInvalidation::Kind kind, std::string_view first,
                               std::string_view second) {
  if (announce_) announce_(CacheInvalidation{kind, std::string(first), std::string(second)});
}

void CredentialCache::DropKey(std::string_view key_id) {
  std::lock_guard lock(mu_);
  credentials_.erase(std::string(key_id));
}

void CredentialCache::DropUser(std::string_view account_id, std::string_view user_name) {
  std::lock_guard lock(mu_);
  for (auto it = credentials_.begin(); it != credentials_.end();) {
    const CachedCredential& c = it->second.value;
    it = (c.account_id == account_id && c.user_name == user_name) ? credentials_.erase(it)
                                                                  : std::next(it);
  }
  policies_.erase(UserKey(account_id, user_name));
}

void CredentialCache::DropAccountPolicies(std::string_view account_id) {
  std::lock_guard lock(mu_);
  std::string prefix = std::string(account_id) + '\n';
  for (auto it = policies_.begin(); it != policies_.end();) {
    it = it->first.starts_with(prefix) ? policies_.erase(it) : std::next(it);
  }
}

}  // namespace sag::auth
