#include "server/audit_log.h"

#include <utility>

#include "common/log.h"

namespace sag::server {

namespace {
// The most events one transaction writes.
constexpr size_t kMaxBatch = 512;
}  // namespace

AuditLog::AuditLog(store::Store& store) : store_(store) {}

AuditLog::~AuditLog() { Stop(); }

void AuditLog::Start() {
  std::lock_guard lock(mu_);
  if (running_ || stopping_) return;
  running_ = true;
  writer_ = std::thread([this] { Run(); });
}

void AuditLog::Record(store::AuditEventRecord event, std::function<void()> then) {
  {
    std::lock_guard lock(mu_);
    if (running_ && !stopping_) {
      queue_.push_back(Entry{std::move(event), std::move(then)});
      cv_.notify_one();
      return;
    }
  }
  std::vector<Entry> batch;
  batch.push_back(Entry{std::move(event), std::move(then)});
  Write(batch);
}

void AuditLog::Stop() {
  {
    std::lock_guard lock(mu_);
    if (!running_ || stopping_) {
      stopping_ = true;
      return;
    }
    stopping_ = true;
  }
  cv_.notify_one();
  if (writer_.joinable()) writer_.join();
}

int64_t AuditLog::written() const {
  std::lock_guard lock(mu_);
  return written_;
}

int64_t AuditLog::failed() const {
  std::lock_guard lock(mu_);
  return failed_;
}

void AuditLog::Run() {
  std::vector<Entry> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything is written
      while (!queue_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    Write(batch);
    batch.clear();
  }
}

void AuditLog::Write(std::vector<Entry>& batch) {
  std::vector<store::AuditEventRecord> events;
  events.reserve(batch.size());
  for (const Entry& e : batch) events.push_back(e.event);
  auto written = store_.AppendAuditEvents(events);
  {
    std::lock_guard lock(mu_);
    (written ? written_ : failed_) += static_cast<int64_t>(batch.size());
  }
  if (!written) {
    LogError("audit trail: cannot write " + std::to_string(batch.size()) +
             " event(s): " + written.error().detail);
  }
  for (Entry& e : batch) {
    if (e.then) e.then();
  }
}

}  // namespace sag::server
