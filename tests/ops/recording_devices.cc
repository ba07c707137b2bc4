#include "ops/recording_devices.h"

#include <utility>

#include <gtest/gtest.h>

namespace sag::ops::testing {

void RecordingDevices::SetOnline(std::string_view serial_number, bool online) {
  if (online) {
    online_.emplace(serial_number);
  } else if (auto it = online_.find(serial_number); it != online_.end()) {
    online_.erase(it);
  }
}

bool RecordingDevices::IsOnline(std::string_view serial_number) const {
  return online_.contains(serial_number);
}

bool RecordingDevices::Push(std::string_view serial_number, std::string_view facet,
                            int64_t generation, std::string_view value_json) {
  if (!IsOnline(serial_number)) return false;
  pushes_.push_back(PushRecord{std::string(serial_number), std::string(facet), generation,
                               std::string(value_json)});
  return true;
}

void RecordingDevices::AwaitDevice(DeviceWait wait, WaitCallback done) {
  waits_.push_back(wait);
  pending_.push_back(PendingWait{std::move(wait), std::move(done)});
}

void RecordingDevices::Disconnect(std::string_view serial_number) {
  disconnects_.emplace_back(serial_number);
  SetOnline(serial_number, false);
}

int RecordingDevices::EndWaits() {
  std::vector<PendingWait> ending = std::move(pending_);
  pending_.clear();
  for (PendingWait& p : ending) {
    const DeviceWait& w = p.wait;
    WaitOutcome outcome = WaitOutcome::kApplied;
    switch (answer_) {
      case DeviceAnswer::kApply:
      case DeviceAnswer::kFail: {
        const bool ok = answer_ == DeviceAnswer::kApply;
        auto recorded =
            store_.RecordApplied(w.serial_number, w.facet, w.generation, ok ? "ok" : "failed",
                                 ok ? "" : "refused by the test", clock_.NowMs());
        EXPECT_TRUE(recorded.has_value()) << "RecordApplied: " << recorded.error().detail;
        // Only the confirmed kind of wait tells a failure apart; any report acknowledges.
        outcome = ok || w.until == WaitUntil::kAcknowledged ? WaitOutcome::kApplied
                                                            : WaitOutcome::kFailed;
        break;
      }
      case DeviceAnswer::kStaySilent:
        clock_.Advance(w.timeout.count());
        outcome = WaitOutcome::kTimeout;
        break;
      case DeviceAnswer::kGoOffline:
        SetOnline(w.serial_number, false);
        // A wait for an acknowledgement outlives sessions: only its timeout ends it.
        if (w.until == WaitUntil::kAcknowledged) clock_.Advance(w.timeout.count());
        outcome =
            w.until == WaitUntil::kAcknowledged ? WaitOutcome::kTimeout : WaitOutcome::kOffline;
        break;
    }
    p.done(outcome);
  }
  return static_cast<int>(ending.size());
}

}  // namespace sag::ops::testing
