// The nonce replay window shared by every node on one database (docs/deployment.md): each
// (AccessKeyId, SignatureNonce) pair is inserted into the store's nonces table, whose primary key
// lets exactly one node accept it; expired pairs are purged in the background by Purge.
#pragma once

#include <cstdint>

#include "auth/replay_guard.h"
#include "store/store.h"

namespace sag::auth {

class SharedNonceWindow : public ReplayGuard {
 public:
  // store must outlive the window. window_ms: how long a pair counts as used.
  explicit SharedNonceWindow(store::ClusterStore& store, int64_t window_ms = 15 * 60 * 1000)
      : store_(store), window_ms_(window_ms) {}

  // One store round trip; kUnavailable when the store fails.
  ReplayVerdict Check(std::string_view access_key_id, std::string_view nonce,
                      int64_t now_ms) override;
  // Deletes the pairs expired by now_ms, in batches; returns how many (0 on a store failure,
  // which is logged). Call periodically from a background thread.
  int64_t Purge(int64_t now_ms);

 private:
  store::ClusterStore& store_;
  const int64_t window_ms_;
};

}  // namespace sag::auth
