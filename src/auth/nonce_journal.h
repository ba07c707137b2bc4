// Makes one node's NonceWindow survive restarts, on that node's own store (SQLite), without
// waiting for the disk on any request (docs/semantics.md "Nonce window"):
//   - a call that may change state has its nonce written (not synced) before Check answers kNew,
//     so a crash of the process cannot lose it, and the call's own commit syncs it to disk;
//   - the other nonces are queued and written in batches by a background thread;
//   - Stop writes what is queued and records the stop as clean;
//   - Start reloads the nonces still valid into the window and, when the previous run did not
//     stop cleanly (kill -9, a crash), sets the restart fence at the next whole second: a request
//     whose timestamp lies before it is refused as a replay, since its nonce may have been in the
//     lost queue; Start returns once the fence has passed, so that a request signed afterwards
//     (whole-second timestamps, as SDKs sign) is not refused.
//     The fence is stored, so later restarts keep it; it lapses by itself, as such timestamps
//     leave the accepted window.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "auth/nonce_window.h"
#include "auth/replay_guard.h"
#include "common/clock.h"
#include "common/periodic_task.h"
#include "common/result.h"
#include "store/store.h"

namespace sag::auth {

struct NonceJournalOptions {
  // How often queued nonces are written.
  std::chrono::milliseconds flush_interval{50};
  // The most nonces written in one transaction.
  size_t batch_max = 5000;
  // false: no writer thread; nonces are written only by Flush and Stop (tests).
  bool writer_thread = true;
};

class NonceJournal : public ReplayGuard {
 public:
  // The settings recording whether the last run stopped cleanly ("running" / "clean"), and the
  // fence (epoch ms) set by the last start that followed an unclean stop.
  static constexpr std::string_view kStateSetting = "nonce_journal_state";
  static constexpr std::string_view kFenceSetting = "nonce_journal_fence_ms";

  // window, store and wall_clock must outlive the journal.
  NonceJournal(NonceWindow& window, store::Store& store, const Clock& wall_clock,
               NonceJournalOptions options = {});
  ~NonceJournal() override;

  NonceJournal(const NonceJournal&) = delete;
  NonceJournal& operator=(const NonceJournal&) = delete;

  // Reloads, sets the fence, records this run as running and starts the writer; after an unclean
  // stop it then waits (less than a second) until the wall clock has passed the fence. Call once,
  // before the first Check and before serving. Fails when the store cannot be read or written.
  Result<void, std::string> Start();

  // The fence, then the window; on kNew the nonce is written (changes_state) or queued. A write
  // that fails is kUnavailable (the window keeps the pair: a retry must use a new nonce).
  ReplayCheck Check(const NonceUse& use, int64_t now_ms) override;

  // Stops the writer, writes what is queued and, when all of it was written, records the stop as
  // clean. Call once no request can reach Check any more; later calls, and a call without a
  // successful Start, do nothing.
  void Stop();

  // Writes the queued nonces now; false when the store failed (what failed stays queued).
  bool Flush();

  // Requests whose timestamp (epoch ms) is before this are refused; 0 when no run ever stopped
  // uncleanly.
  int64_t fence_ms() const { return fence_ms_; }
  // Nonces queued, not yet written.
  size_t queued() const;

 private:
  // One run of the writer: writes what is queued.
  void WriteQueued();
  // Deletes the expired rows, in batches.
  void Purge();

  NonceWindow& window_;
  store::Store& store_;
  const Clock& wall_clock_;
  const NonceJournalOptions options_;
  int64_t fence_ms_ = 0;  // set by Start, before any Check

  mutable std::mutex mu_;
  std::vector<store::NonceRecord> queue_;  // guarded by mu_
  bool started_ = false;                   // guarded by mu_
  bool stopped_ = false;                   // guarded by mu_
  // False after a write failed: a full queue then waits for the next interval instead of waking
  // the writer at once (which would retry a failing store in a loop).
  std::atomic<bool> last_write_ok_{true};
  PeriodicTask writer_;  // every flush_interval, and at once when the queue is full
  PeriodicTask purger_;  // every kPurgeInterval
};

}  // namespace sag::auth
