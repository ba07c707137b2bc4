#include "device/agent/backoff.h"

#include <algorithm>

namespace sag::device::agent {

Backoff::Backoff(int64_t base_ms, int64_t cap_ms) : base_ms_(base_ms), cap_ms_(cap_ms) {}

int64_t Backoff::MaxWaitMs(int n) const {
  int64_t bound = base_ms_;
  for (int i = 0; i < n && bound < cap_ms_; ++i) bound *= 2;
  return std::min(bound, cap_ms_);
}

int64_t Backoff::NextWaitMs(std::mt19937_64& rng) {
  if (failures_ < 1000) ++failures_;
  std::uniform_int_distribution<int64_t> dist(0, MaxWaitMs(failures_));
  return dist(rng);
}

void Backoff::OnSessionEnded(int64_t session_ms, int64_t lease_ms) {
  if (lease_ms > 0 && session_ms > lease_ms) failures_ = 0;
}

}  // namespace sag::device::agent
