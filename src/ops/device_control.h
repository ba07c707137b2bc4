// What operations need from the device channel: presence, pushing a desired facet generation to
// an online device, and waiting (bounded) for the device to confirm it. Implemented by
// device::DeviceHub; operations see only this interface.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace sag::ops {

// How a wait for a facet generation ended.
enum class WaitOutcome {
  kApplied,  // the device confirmed a generation >= the awaited one
  kFailed,   // the device answered failed/reverted for the awaited generation (or a later one)
  kOffline,  // the device's session ended (or was replaced) while waiting, or it was not online
  kTimeout,  // no answer within the bound
};

class DeviceControl {
 public:
  virtual ~DeviceControl() = default;
  // True while the device holds an authenticated session with a current lease.
  virtual bool IsOnline(std::string_view serial_number) const = 0;
  // Queues {"type":"desired",...} on the device's session without blocking; false when the device
  // is not online.
  virtual bool Push(std::string_view serial_number, std::string_view facet, int64_t generation,
                    std::string_view value_json) = 0;
  // Blocks the calling (worker) thread until the device confirms generation of facet, fails it,
  // goes offline, or timeout passes. The session present when the wait begins is the one that
  // must answer: a new session (reconnect) counts as offline.
  virtual WaitOutcome WaitApplied(std::string_view serial_number, std::string_view facet,
                                  int64_t generation, std::chrono::milliseconds timeout) = 0;
};

}  // namespace sag::ops
