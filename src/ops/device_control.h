// What operations need from the device channel: presence, pushing a desired facet generation to
// an online device, waiting for the device's answer without holding a thread, and ending a
// device's session. Implemented by device::DeviceHub; operations see only this interface.
//
// Threading: every method is thread-safe and returns without waiting for a device (IsOnline, Push
// and Disconnect may read the store, to reach a device connected to another node). A wait's
// callback runs later on one of the device channel's own threads, never inside AwaitDevice.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace sag::ops {

// How a wait for a device ended.
enum class WaitOutcome {
  kApplied,  // kConfirmed: the device applied the generation; kAcknowledged: it acknowledged it
  kFailed,   // kConfirmed: the device answered failed or reverted for the generation
  kOffline,  // the device was not online, its session ended or was replaced (kConfirmed only), or
             // sagd is stopping
  kTimeout,  // no answer within the wait's timeout
};

// What a wait waits for.
enum class WaitUntil {
  // The device's applied report for the generation: ok (kApplied) or failed/reverted (kFailed).
  // The session present when the wait begins must answer: its end, or a new session of the device,
  // is kOffline.
  kConfirmed,
  // The device's first report of any kind for the generation (a progress report, or an applied
  // report whatever its result): kApplied. Reconnects do not end it; only the timeout does.
  kAcknowledged,
};

// One wait for a device's answer to a facet generation that was pushed to it.
struct DeviceWait {
  std::string serial_number;
  std::string facet;
  int64_t generation = 0;
  WaitUntil until = WaitUntil::kConfirmed;
  std::chrono::milliseconds timeout{0};
};

// Receives how a wait ended.
using WaitCallback = std::function<void(WaitOutcome)>;

class DeviceControl {
 public:
  virtual ~DeviceControl() = default;
  // True while the device holds an authenticated session with a current lease.
  virtual bool IsOnline(std::string_view serial_number) const = 0;
  // Queues {"type":"desired",...} on the device's session; false when the device is not online.
  virtual bool Push(std::string_view serial_number, std::string_view facet, int64_t generation,
                    std::string_view value_json) = 0;
  // Starts wait and returns at once. done is called exactly once, later, on a device-channel
  // thread: it may use the store but must not wait for a device. Only a report for exactly
  // wait.generation answers it (a device reporting another generation, e.g. one it applied before
  // and kept, confirms nothing); reports that arrived between the push and this call count.
  virtual void AwaitDevice(DeviceWait wait, WaitCallback done) = 0;
  // Ends the device's session wherever it is connected (its secret changed); nothing when it is
  // offline.
  virtual void Disconnect(std::string_view serial_number) = 0;
};

}  // namespace sag::ops
