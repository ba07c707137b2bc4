// The replay check of signed requests, whatever keeps the window: in memory on one node
// (NonceWindow, made durable on SQLite by NonceJournal), or shared by every node through the store
// (SharedNonceWindow).
#pragma once

#include <cstdint>
#include <string_view>

namespace sag::auth {

enum class ReplayVerdict {
  kNew,          // first use of the pair within the window: the request may proceed
  kReplay,       // the pair was used within the window (or may have been: the restart fence)
  kThrottled,    // the AccessKey holds as many pairs as it may: refused, retryable later
  kUnavailable,  // the durable or shared window cannot be reached now: the request must fail
};

struct ReplayCheck {
  ReplayVerdict verdict = ReplayVerdict::kNew;
  // kThrottled: milliseconds until the key is expected to have room again (at least 1).
  int64_t retry_after_ms = 0;
};

// One signed request's use of its nonce.
struct NonceUse {
  std::string_view access_key_id;
  std::string_view nonce;
  int64_t timestamp_ms = 0;    // the request's signed timestamp (epoch ms)
  int64_t valid_until_ms = 0;  // the last instant that timestamp is accepted: remembered till then
  // The call may change state. A durable window makes such a nonce durable before it answers kNew,
  // so that the call cannot run twice, whatever happens to the process afterwards.
  bool changes_state = true;
};

class ReplayGuard {
 public:
  virtual ~ReplayGuard() = default;
  // Records use at now_ms (epoch ms, real time). Thread-safe in every implementation.
  virtual ReplayCheck Check(const NonceUse& use, int64_t now_ms) = 0;
};

}  // namespace sag::auth
