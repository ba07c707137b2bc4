// A device channel for unit tests of operations: it records what operations push, wait for and
// disconnect, and answers each wait the way it is told to (the device applies, fails, stays silent
// until the wait's timeout, or goes offline meanwhile). Nothing runs on another thread: a wait
// ends only when the test (or the harness, tests/ops/op_harness.h) calls EndWaits().
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "ops/device_control.h"
#include "store/store.h"

namespace sag::ops::testing {

// How the devices answer the waits that end next.
enum class DeviceAnswer {
  kApply,       // the device reports the generation applied ("ok"): kApplied
  kFail,        // the device reports it failed: kFailed
  kStaySilent,  // no report: the wait's timeout passes (the clock moves by it): kTimeout
  kGoOffline,   // the session ends before any report: the device is offline, kOffline
};

class RecordingDevices : public DeviceControl {
 public:
  // store: where an answering device's report is recorded (as the real channel records it before
  // it ends the wait); clock: moved by a silent device's timeout.
  RecordingDevices(store::Store& store, FakeClock& clock) : store_(store), clock_(clock) {}

  struct PushRecord {
    std::string serial_number;
    std::string facet;
    int64_t generation = 0;
    std::string value_json;
  };

  // Marks the device online (holding a session) or offline.
  void SetOnline(std::string_view serial_number, bool online);
  // How the waits ended by EndWaits() are answered (kApply until set).
  void AnswerWith(DeviceAnswer answer) { answer_ = answer; }
  // Ends every wait started so far, in order, as answer_with says; returns how many ended.
  int EndWaits();

  const std::vector<PushRecord>& pushes() const { return pushes_; }
  const std::vector<DeviceWait>& waits() const { return waits_; }
  const std::vector<std::string>& disconnects() const { return disconnects_; }

  // DeviceControl.
  bool IsOnline(std::string_view serial_number) const override;
  bool Push(std::string_view serial_number, std::string_view facet, int64_t generation,
            std::string_view value_json) override;
  void AwaitDevice(DeviceWait wait, WaitCallback done) override;
  void Disconnect(std::string_view serial_number) override;

 private:
  struct PendingWait {
    DeviceWait wait;
    WaitCallback done;
  };

  store::Store& store_;
  FakeClock& clock_;
  DeviceAnswer answer_ = DeviceAnswer::kApply;
  std::set<std::string, std::less<>> online_;
  std::vector<PushRecord> pushes_;
  std::vector<DeviceWait> waits_;
  std::vector<PendingWait> pending_;
  std::vector<std::string> disconnects_;
};

}  // namespace sag::ops::testing
