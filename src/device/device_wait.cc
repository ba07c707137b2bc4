// DeviceHub's waits (ops::DeviceControl::AwaitDevice): a wait is a record, not a blocked thread.
// It ends when a report of the device answers it (RecordReport), when the session that must answer
// ends (Register, Unregister, a cluster "offline" message), when sagd stops (Shutdown), or when
// its timer on the hub's pool fires: at its deadline, and, for a device on another node, at every
// store re-read (the safety net for a lost notification or a dead node). Every change to a wait and
// to its timer happens under the hub's mutex; its callback runs on the pool, outside the mutex.
#include <algorithm>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "device/device_hub.h"

namespace sag::device {

namespace {

using SteadyClock = std::chrono::steady_clock;

}  // namespace

struct DeviceHub::Waiter {
  explicit Waiter(boost::asio::thread_pool::executor_type executor) : timer(executor) {}

  ops::DeviceWait wait;
  ops::WaitCallback done;
  SteadyClock::time_point deadline;
  // kConfirmed only: the session that must answer, local (its sequence number) or on another node
  // ("node/session"). Acknowledgement waits are bound to no session.
  uint64_t session_seq = 0;
  std::string remote_holder;
  bool active = true;  // not ended yet
  boost::asio::steady_timer timer;
};

void DeviceHub::AwaitDevice(ops::DeviceWait wait, ops::WaitCallback done) {
  auto w = std::make_shared<Waiter>(store_pool_.get_executor());
  w->wait = std::move(wait);
  w->done = std::move(done);
  const auto now = SteadyClock::now();
  w->deadline = now + w->wait.timeout;
  const std::string& sn = w->wait.serial_number;
  const bool confirmed = w->wait.until == ops::WaitUntil::kConfirmed;

  // Who holds a device connected to another node (read from the store, before taking the lock).
  std::string remote_holder;
  if (confirmed && options_.cluster && !IsLocal(sn)) {
    if (auto presence = RemotePresence(sn)) {
      remote_holder = presence->node_id + "/" + presence->session_id;
    }
  }
  std::optional<ops::WaitOutcome> outcome;
  {
    std::lock_guard lock(mu_);
    if (shutting_down_) {
      outcome = ops::WaitOutcome::kOffline;
    } else if (auto answered = AnsweredLocked(*w)) {
      outcome = answered;
    } else if (confirmed) {
      auto it = online_.find(sn);
      if (it != online_.end()) {
        w->session_seq = it->second.seq;
      } else if (!remote_holder.empty() && !RemoteEndedLocked(sn, remote_holder)) {
        w->remote_holder = remote_holder;
      } else {
        outcome = ops::WaitOutcome::kOffline;
      }
    }
    if (!outcome) {
      waiters_[sn].push_back(w);
      ArmLocked(w, w->remote_holder.empty()
                       ? w->deadline
                       : std::min(w->deadline, now + options_.cluster->recheck));
    }
  }
  if (outcome) Finish(w, *outcome);
}

bool DeviceHub::RemoteEndedLocked(std::string_view serial_number, const std::string& holder) const {
  auto it = remote_ended_.find(serial_number);
  return it != remote_ended_.end() && it->second == holder;
}

bool DeviceHub::IsLocal(std::string_view serial_number) const {
  std::lock_guard lock(mu_);
  return online_.find(serial_number) != online_.end();
}

std::optional<ops::WaitOutcome> DeviceHub::AnsweredLocked(const Waiter& w) const {
  auto device = reports_.find(w.wait.serial_number);
  if (device == reports_.end()) return std::nullopt;
  auto facet = device->second.find(w.wait.facet);
  if (facet == device->second.end()) return std::nullopt;
  const FacetReports& r = facet->second;
  const int64_t g = w.wait.generation;
  const bool confirmed = w.wait.until == ops::WaitUntil::kConfirmed;
  if (r.ok == g) return ops::WaitOutcome::kApplied;
  if (r.failed == g) return confirmed ? ops::WaitOutcome::kFailed : ops::WaitOutcome::kApplied;
  if (!confirmed && r.progress == g) return ops::WaitOutcome::kApplied;
  return std::nullopt;
}

bool DeviceHub::RemoveLocked(const std::shared_ptr<Waiter>& w) {
  if (!w->active) return false;
  w->active = false;
  w->timer.cancel();
  auto it = waiters_.find(w->wait.serial_number);
  if (it != waiters_.end()) {
    std::erase(it->second, w);
    if (it->second.empty()) waiters_.erase(it);
  }
  return true;
}

void DeviceHub::Finish(const std::shared_ptr<Waiter>& w, ops::WaitOutcome outcome) {
  ops::WaitCallback done = std::move(w->done);
  if (!done) return;
  if (pool_joined_) {
    done(outcome);  // nothing runs on the pool any more (sagd is stopping)
    return;
  }
  boost::asio::post(store_pool_, [done = std::move(done), outcome] { done(outcome); });
}

template <typename Pred>
void DeviceHub::EndWaitsLocked(
    std::string_view serial_number, Pred pred, ops::WaitOutcome outcome,
    std::vector<std::pair<std::shared_ptr<Waiter>, ops::WaitOutcome>>* ended) {
  auto it = waiters_.find(serial_number);
  if (it == waiters_.end()) return;
  std::vector<std::shared_ptr<Waiter>> selected;
  for (const auto& w : it->second) {
    if (pred(*w)) selected.push_back(w);
  }
  for (const auto& w : selected) {
    if (RemoveLocked(w)) ended->emplace_back(w, outcome);
  }
}

void DeviceHub::ArmLocked(const std::shared_ptr<Waiter>& w, SteadyClock::time_point at) {
  w->timer.expires_at(at);
  w->timer.async_wait([this, w](boost::system::error_code ec) {
    if (!ec) OnWaiterTimer(w);  // a cancelled or re-armed timer does nothing
  });
}

void DeviceHub::OnWaiterTimer(const std::shared_ptr<Waiter>& w) {
  const auto now = SteadyClock::now();
  std::optional<ops::WaitOutcome> outcome;
  {
    std::lock_guard lock(mu_);
    if (!w->active) return;
    if (now >= w->deadline) {
      // One last look: the answer may have come with the deadline.
      outcome = AnsweredLocked(*w).value_or(ops::WaitOutcome::kTimeout);
      RemoveLocked(w);
    } else if (w->remote_holder.empty()) {
      ArmLocked(w, w->deadline);
      return;
    }
  }
  if (!outcome) {
    // A device on another node: what the store says (outside the lock; this is a pool thread).
    std::optional<ops::WaitOutcome> decided = RecheckRemote(*w);
    std::lock_guard lock(mu_);
    if (!w->active) return;
    if (!decided) {
      ArmLocked(w, std::min(w->deadline, SteadyClock::now() + options_.cluster->recheck));
      return;
    }
    outcome = decided;
    RemoveLocked(w);
  }
  Finish(w, *outcome);
}

std::optional<ops::WaitOutcome> DeviceHub::RecheckRemote(const Waiter& w) {
  const int64_t g = w.wait.generation;
  auto facets = store_.GetDeviceFacets(w.wait.serial_number);
  if (facets) {
    for (const store::DeviceFacetRecord& f : *facets) {
      if (f.facet != w.wait.facet) continue;
      if (f.applied_generation == g || (f.result_generation == g && f.last_result == "ok")) {
        return ops::WaitOutcome::kApplied;
      }
      if (f.result_generation == g && !f.last_result.empty()) return ops::WaitOutcome::kFailed;
    }
  }
  auto current = RemotePresence(w.wait.serial_number);
  if (!current || current->node_id + "/" + current->session_id != w.remote_holder) {
    return ops::WaitOutcome::kOffline;
  }
  return std::nullopt;
}

void DeviceHub::RecheckRemoteWaits() {
  const auto now = SteadyClock::now();
  std::lock_guard lock(mu_);
  for (auto& [sn, waits] : waiters_) {
    for (const auto& w : waits) {
      if (!w->remote_holder.empty()) ArmLocked(w, now);
    }
  }
}

void DeviceHub::RecordReport(const std::string& serial_number, const std::string& facet,
                             int64_t generation, std::optional<bool> ok) {
  std::vector<std::pair<std::shared_ptr<Waiter>, ops::WaitOutcome>> ended;
  {
    std::lock_guard lock(mu_);
    FacetReports& r = reports_[serial_number][facet];
    if (!ok) {
      r.progress = generation;
    } else if (*ok) {
      r.ok = generation;
    } else {
      r.failed = generation;
    }
    auto it = waiters_.find(serial_number);
    if (it != waiters_.end()) {
      std::vector<std::shared_ptr<Waiter>> answered;
      for (const auto& w : it->second) {
        if (w->wait.facet == facet && w->wait.generation == generation) answered.push_back(w);
      }
      for (const auto& w : answered) {
        const bool confirmed = w->wait.until == ops::WaitUntil::kConfirmed;
        if (confirmed && !ok) continue;  // progress does not confirm
        const ops::WaitOutcome outcome =
            confirmed && !*ok ? ops::WaitOutcome::kFailed : ops::WaitOutcome::kApplied;
        if (RemoveLocked(w)) ended.emplace_back(w, outcome);
      }
    }
  }
  for (auto& [w, outcome] : ended) Finish(w, outcome);
}

void DeviceHub::EndSessionWaits(const std::string& serial_number, bool remote_only,
                                std::string_view remote_holder) {
  std::vector<std::pair<std::shared_ptr<Waiter>, ops::WaitOutcome>> ended;
  {
    std::lock_guard lock(mu_);
    EndWaitsLocked(
        serial_number,
        [&](const Waiter& w) {
          if (w.wait.until != ops::WaitUntil::kConfirmed) return false;
          if (!remote_only) return true;
          return !w.remote_holder.empty() && w.remote_holder == remote_holder;
        },
        ops::WaitOutcome::kOffline, &ended);
  }
  for (auto& [w, outcome] : ended) Finish(w, outcome);
}

void DeviceHub::EndAllWaits() {
  std::vector<std::shared_ptr<Waiter>> ended;
  {
    std::lock_guard lock(mu_);
    for (auto& [sn, waits] : waiters_) {
      for (const auto& w : waits) {
        w->active = false;
        w->timer.cancel();
        ended.push_back(w);
      }
    }
    waiters_.clear();
  }
  for (const auto& w : ended) Finish(w, ops::WaitOutcome::kOffline);
}

size_t DeviceHub::waits() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [sn, waits] : waiters_) n += waits.size();
  return n;
}

}  // namespace sag::device
