// The nonce replay window shared by every node on one database (docs/deployment.md): each
// (AccessKeyId, SignatureNonce) pair is inserted into the store's nonces table, whose primary key
// lets exactly one node accept it; expired pairs are purged in the background by Purge. Each node
// first checks its own NonceWindow, which enforces the per-key and global bounds for what this
// node accepts (docs/semantics.md "Nonce window").
#pragma once

#include <cstdint>

#include "auth/nonce_window.h"
#include "auth/replay_guard.h"
#include "store/store.h"

namespace sag::auth {

class SharedNonceWindow : public ReplayGuard {
 public:
  // local and store must outlive the window.
  SharedNonceWindow(NonceWindow& local, store::ClusterStore& store)
      : local_(local), store_(store) {}

  // The local window (kReplay, kThrottled), then one store round trip: kNew, kReplay (another
  // node accepted the pair), or kUnavailable when the store fails.
  ReplayCheck Check(const NonceUse& use, int64_t now_ms) override;
  // Deletes the pairs expired by now_ms, in batches; returns how many (0 on a store failure,
  // which is logged). Call periodically from a background thread.
  int64_t Purge(int64_t now_ms);

 private:
  NonceWindow& local_;
  store::ClusterStore& store_;
};

}  // namespace sag::auth
