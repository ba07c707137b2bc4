// A compact set of 64-bit fingerprints: open addressing with linear probing, 8 bytes a slot, at
// most three quarters full (so 10.7-21.3 bytes per member), growing by doubling. Members are never
// removed one by one; the owner drops the whole set. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sag::auth {

class FingerprintSet {
 public:
  // Adds fingerprint (any value; 0 is stored as 1). True when it was not a member.
  bool Insert(uint64_t fingerprint);
  // True when fingerprint (0 meaning 1) is a member.
  bool Contains(uint64_t fingerprint) const;

  size_t size() const { return size_; }
  // Bytes of the slot array.
  size_t memory_bytes() const { return slots_.size() * sizeof(uint64_t); }

 private:
  static constexpr size_t kInitialSlots = 16;  // a power of two

  void Grow();
  // The slot holding fingerprint, or the empty slot where it belongs; slots_ is not empty.
  size_t Find(uint64_t fingerprint) const;

  std::vector<uint64_t> slots_;  // 0 = empty; size is zero or a power of two
  size_t size_ = 0;
};

}  // namespace sag::auth
