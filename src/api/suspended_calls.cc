#include "api/suspended_calls.h"

#include <algorithm>

namespace sag::api {

SuspendedCalls::Slot::Slot(SuspendedCalls& owner, std::string account_id)
    : owner_(owner), account_id_(std::move(account_id)) {}

SuspendedCalls::Slot::~Slot() { owner_.Release(account_id_); }

SuspendedCalls::SuspendedCalls(int per_account) : per_account_(std::max(per_account, 1)) {}

std::unique_ptr<SuspendedCalls::Slot> SuspendedCalls::TryAcquire(const std::string& account_id) {
  {
    std::lock_guard lock(mu_);
    int& held = held_[account_id];
    if (held >= per_account_) return nullptr;
    ++held;
  }
  return std::make_unique<Slot>(*this, account_id);
}

int SuspendedCalls::held(const std::string& account_id) const {
  std::lock_guard lock(mu_);
  auto it = held_.find(account_id);
  return it == held_.end() ? 0 : it->second;
}

void SuspendedCalls::Release(const std::string& account_id) {
  std::lock_guard lock(mu_);
  auto it = held_.find(account_id);
  if (it == held_.end()) return;
  if (--it->second <= 0) held_.erase(it);
}

}  // namespace sag::api
