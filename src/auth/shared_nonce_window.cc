#include "auth/shared_nonce_window.h"

#include "common/log.h"

namespace sag::auth {

ReplayVerdict SharedNonceWindow::Check(std::string_view access_key_id, std::string_view nonce,
                                       int64_t now_ms) {
  auto fresh = store_.RememberNonce(access_key_id, nonce, now_ms, now_ms + window_ms_);
  if (!fresh) {
    LogWarn("nonce window: " + fresh.error().detail);
    return ReplayVerdict::kUnavailable;
  }
  return *fresh ? ReplayVerdict::kNew : ReplayVerdict::kReplay;
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
