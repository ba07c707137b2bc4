#include "auth/fingerprint_set.h"

namespace sag::auth {
namespace {

uint64_t Stored(uint64_t fingerprint) { return fingerprint == 0 ? 1 : fingerprint; }

}  // namespace

bool FingerprintSet::Insert(uint64_t fingerprint) {
  fingerprint = Stored(fingerprint);
  if ((size_ + 1) * 4 > slots_.size() * 3) Grow();
  const size_t slot = Find(fingerprint);
  if (slots_[slot] == fingerprint) return false;
  slots_[slot] = fingerprint;
  ++size_;
  return true;
}

bool FingerprintSet::Contains(uint64_t fingerprint) const {
  if (slots_.empty()) return false;
  fingerprint = Stored(fingerprint);
  return slots_[Find(fingerprint)] == fingerprint;
}

size_t FingerprintSet::Find(uint64_t fingerprint) const {
  // Fingerprints are keyed hashes: their low bits are already uniform.
  const size_t mask = slots_.size() - 1;
  size_t slot = static_cast<size_t>(fingerprint) & mask;
  while (slots_[slot] != 0 && slots_[slot] != fingerprint) slot = (slot + 1) & mask;
  return slot;
}

void FingerprintSet::Grow() {
  std::vector<uint64_t> old;
  old.swap(slots_);
  slots_.assign(old.empty() ? kInitialSlots : old.size() * 2, 0);
  for (uint64_t fingerprint : old) {
    if (fingerprint != 0) slots_[Find(fingerprint)] = fingerprint;
  }
}

}  // namespace sag::auth
