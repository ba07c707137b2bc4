// The replay check of signed requests, whatever keeps the window: in memory on one node
// (NonceCache) or in the shared store for several nodes (SharedNonceWindow).
#pragma once

#include <cstdint>
#include <string_view>

namespace sag::auth {

enum class ReplayVerdict {
  kNew,          // first use of the pair within the window: the request may proceed
  kReplay,       // the pair was used within the window (or cannot be remembered: fail closed)
  kUnavailable,  // the shared window cannot be reached now: the request must fail, retryably
};

class ReplayGuard {
 public:
  virtual ~ReplayGuard() = default;
  // Records (access_key_id, nonce) at now_ms (epoch ms, real time) for the guard's window.
  virtual ReplayVerdict Check(std::string_view access_key_id, std::string_view nonce,
                              int64_t now_ms) = 0;
};

}  // namespace sag::auth
