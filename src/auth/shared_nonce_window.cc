#include "auth/shared_nonce_window.h"

#include <algorithm>

#include "common/log.h"

namespace sag::auth {

ReplayCheck SharedNonceWindow::Check(const NonceUse& use, int64_t now_ms) {
  const ReplayCheck local = local_.Check(use, now_ms);
  if (local.verdict != ReplayVerdict::kNew) return local;
  auto fresh = store_.RememberNonce(use.access_key_id, use.nonce, now_ms,
                                    std::max(use.valid_until_ms, now_ms) + 1);
  if (!fresh) {
    LogWarn("nonce window: " + fresh.error().detail);
    return {ReplayVerdict::kUnavailable};
  }
  return {*fresh ? ReplayVerdict::kNew : ReplayVerdict::kReplay};
}

int64_t SharedNonceWindow::Purge(int64_t now_ms) {
  constexpr int64_t kBatch = 10000;
  int64_t total = 0;
  while (true) {
    auto deleted = store_.PurgeNonces(now_ms, kBatch);
    if (!deleted) {
      LogWarn("nonce window: purge: " + deleted.error().detail);
      return total;
    }
    total += *deleted;
    if (*deleted < kBatch) return total;
  }
}

}  // namespace sag::auth
