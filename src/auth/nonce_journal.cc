#include "auth/nonce_journal.h"

#include <algorithm>
#include <charconv>
#include <thread>
#include <utility>

#include "common/log.h"

namespace sag::auth {
namespace {

// How often expired rows are deleted, and how many per statement.
constexpr std::chrono::seconds kPurgeInterval{60};
constexpr int64_t kPurgeBatch = 10000;

constexpr std::string_view kRunning = "running";
constexpr std::string_view kClean = "clean";

// A stored fence; 0 (no fence) when it is not a number.
int64_t ParseInt(const std::string& text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() ? value : 0;
}

}  // namespace

NonceJournal::NonceJournal(NonceWindow& window, store::Store& store, const Clock& wall_clock,
                           NonceJournalOptions options)
    : window_(window),
      store_(store),
      wall_clock_(wall_clock),
      options_(options),
      writer_(options_.flush_interval, [this] { WriteQueued(); }),
      purger_(kPurgeInterval, [this] { Purge(); }) {}

NonceJournal::~NonceJournal() { Stop(); }

Result<void, std::string> NonceJournal::Start() {
  const int64_t now = wall_clock_.NowMs();
  auto state = store_.GetSetting(kStateSetting);
  if (!state)
    return MakeUnexpected("nonce journal: cannot read its state: " + state.error().detail);
  auto fence = store_.GetSetting(kFenceSetting);
  if (!fence)
    return MakeUnexpected("nonce journal: cannot read its fence: " + fence.error().detail);
  // An earlier fence holds until its timestamps have left the window, clean stops or not.
  if (fence->has_value()) fence_ms_ = ParseInt(**fence);
  // No state at all: a new database (or one written before the journal existed).
  const bool unclean = state->has_value() && **state != kClean;
  if (unclean) {
    // The next whole second: SDKs sign with whole-second timestamps, so a request signed once the
    // wait below is over carries one at or after the fence.
    fence_ms_ = (now + 999) / 1000 * 1000;
    if (auto r = store_.PutSetting(kFenceSetting, std::to_string(fence_ms_)); !r) {
      return MakeUnexpected("nonce journal: cannot record its fence: " + r.error().detail);
    }
  }
  size_t reloaded = 0;
  auto loaded = store_.ForEachNonce(now, [&](const store::NonceRecord& record) {
    window_.Restore(record.access_key_id, record.nonce, record.expires_ms - 1, now);
    ++reloaded;
  });
  if (!loaded) return MakeUnexpected("nonce journal: cannot reload: " + loaded.error().detail);
  if (auto r = store_.PutSetting(kStateSetting, kRunning); !r) {
    return MakeUnexpected("nonce journal: cannot record its state: " + r.error().detail);
  }
  LogInfo("nonce journal: " + std::to_string(reloaded) + " nonces reloaded" +
          (unclean ? "; the last run did not stop cleanly: requests signed before this start are "
                     "refused as replays"
                   : ""));
  {
    std::lock_guard lock(mu_);
    started_ = true;
  }
  if (unclean) {
    const int64_t wait_ms = fence_ms_ - wall_clock_.NowMs();
    if (wait_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
  }
  if (options_.writer_thread) {
    writer_.Start();
    purger_.Start();
  }
  return {};
}

ReplayCheck NonceJournal::Check(const NonceUse& use, int64_t now_ms) {
  if (use.timestamp_ms < fence_ms_) return {ReplayVerdict::kReplay};
  const ReplayCheck check = window_.Check(use, now_ms);
  if (check.verdict != ReplayVerdict::kNew) return check;
  store::NonceRecord record{std::string(use.access_key_id), std::string(use.nonce),
                            std::max(use.valid_until_ms, now_ms) + 1};
  if (use.changes_state) {
    if (auto written = store_.RecordNonces({std::move(record)}); !written) {
      LogWarn("nonce journal: cannot write a nonce: " + written.error().detail);
      return {ReplayVerdict::kUnavailable};
    }
    return check;
  }
  std::lock_guard lock(mu_);
  queue_.push_back(std::move(record));
  if (queue_.size() >= options_.batch_max && last_write_ok_) writer_.Wake();
  return check;
}

bool NonceJournal::Flush() {
  std::vector<store::NonceRecord> pending;
  {
    std::lock_guard lock(mu_);
    pending.swap(queue_);
  }
  for (size_t done = 0; done < pending.size(); done += options_.batch_max) {
    const auto first = pending.begin() + static_cast<std::ptrdiff_t>(done);
    const auto last = pending.begin() + static_cast<std::ptrdiff_t>(
                                            std::min(pending.size(), done + options_.batch_max));
    if (auto r = store_.RecordNonces(std::vector<store::NonceRecord>(first, last)); !r) {
      LogWarn("nonce journal: cannot write " + std::to_string(pending.size() - done) +
              " nonces (kept for the next attempt): " + r.error().detail);
      std::lock_guard lock(mu_);
      queue_.insert(queue_.end(), std::make_move_iterator(first),
                    std::make_move_iterator(pending.end()));
      return false;
    }
  }
  return true;
}

void NonceJournal::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_ || !started_) return;  // never started: the recorded state stays as it was
    stopped_ = true;
  }
  writer_.Stop();
  purger_.Stop();
  if (!Flush()) {
    LogError("nonce journal: queued nonces could not be written; the next start fences");
    return;
  }
  if (auto r = store_.PutSetting(kStateSetting, kClean); !r) {
    LogError("nonce journal: cannot record the clean stop: " + r.error().detail);
  }
}

size_t NonceJournal::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void NonceJournal::WriteQueued() { last_write_ok_ = Flush(); }

void NonceJournal::Purge() {
  const int64_t now = wall_clock_.NowMs();
  while (true) {
    auto deleted = store_.PurgeNonces(now, kPurgeBatch);
    if (!deleted) {
      LogWarn("nonce journal: purge: " + deleted.error().detail);
      return;
    }
    if (*deleted < kPurgeBatch) return;
  }
}

}  // namespace sag::auth
