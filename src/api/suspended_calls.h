// The per-account cap on calls that may wait for a device: each such call holds a slot of its
// account from before its operation runs until its response is ready, so one account's waiting
// calls cannot use up what the other accounts need. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace sag::api {

class SuspendedCalls {
 public:
  // A held slot; destroying it frees the slot. Must not outlive the SuspendedCalls.
  class Slot {
   public:
    Slot(SuspendedCalls& owner, std::string account_id);
    ~Slot();
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    SuspendedCalls& owner_;
    std::string account_id_;
  };

  // per_account: how many slots one account may hold at once (at least 1).
  explicit SuspendedCalls(int per_account);

  // A slot of account_id, or null when the account holds per_account slots already.
  std::unique_ptr<Slot> TryAcquire(const std::string& account_id);
  // The slots account_id holds now.
  int held(const std::string& account_id) const;

 private:
  void Release(const std::string& account_id);

  const int per_account_;
  mutable std::mutex mu_;
  std::map<std::string, int> held_;  // accounts holding at least one slot
};

}  // namespace sag::api
