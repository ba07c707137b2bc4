// The server's notion of time, read through one interface so that tests can move it.
#pragma once

#include <atomic>
#include <cstdint>

namespace sag {

// A source of the current time in epoch milliseconds. Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  // Current time, epoch milliseconds.
  virtual int64_t NowMs() const = 0;
};

// The real wall clock.
class SystemClock : public Clock {
 public:
  int64_t NowMs() const override;
};

// Wall clock plus an offset that an operator may move forward or back (test mode). Business time
// (instance expiry, schedules) reads this clock; request signing windows use the real wall clock,
// because SDK clients sign with real time.
class OffsetClock : public Clock {
 public:
  explicit OffsetClock(const Clock& base) : base_(base) {}
  int64_t NowMs() const override { return base_.NowMs() + offset_ms_.load(); }
  // Moves the clock by delta_ms (may be negative).
  void Advance(int64_t delta_ms) { offset_ms_ += delta_ms; }
  // Sets the clock to read now_ms at this instant.
  void Set(int64_t now_ms) { offset_ms_ = now_ms - base_.NowMs(); }
  int64_t offset_ms() const { return offset_ms_.load(); }
  void set_offset_ms(int64_t offset) { offset_ms_ = offset; }

 private:
  const Clock& base_;
  std::atomic<int64_t> offset_ms_{0};
};

// A clock that only moves when told to; for unit tests.
class FakeClock : public Clock {
 public:
  explicit FakeClock(int64_t now_ms) : now_ms_(now_ms) {}
  int64_t NowMs() const override { return now_ms_.load(); }
  void Set(int64_t now_ms) { now_ms_ = now_ms; }
  void Advance(int64_t delta_ms) { now_ms_ += delta_ms; }

 private:
  std::atomic<int64_t> now_ms_;
};

}  // namespace sag
