// The agent's reconnect backoff (docs/device-protocol.md §5).
#pragma once

#include <cstdint>
#include <random>

namespace sag::device::agent {

// Reconnect backoff with full jitter (protocol §5): the n-th consecutive failed attempt (n >= 1)
// waits a uniformly random time in [0, min(cap, base * 2^n)].
class Backoff {
 public:
  // base_ms and cap_ms are the protocol's 1 s and 60 s unless a test shortens them.
  explicit Backoff(int64_t base_ms = 1000, int64_t cap_ms = 60000);

  // Upper bound of the n-th wait: min(cap, base * 2^n), n >= 0.
  int64_t MaxWaitMs(int n) const;
  // Counts one more failed attempt and returns its random wait.
  int64_t NextWaitMs(std::mt19937_64& rng);
  // Applies the reset rule: a session that lasted longer than one lease resets the count.
  void OnSessionEnded(int64_t session_ms, int64_t lease_ms);
  // Resets the count of consecutive failures.
  void Reset() { failures_ = 0; }
  // Consecutive failed attempts so far.
  int failures() const { return failures_; }

 private:
  int64_t base_ms_;
  int64_t cap_ms_;
  int failures_ = 0;
};

}  // namespace sag::device::agent
