// The audit trail's writer (docs/operator-api.md "Audit trail"): events are appended by one
// thread in batches, each batch one transaction (group commit), and the call an event belongs to
// is answered only once its batch committed — so an answered mutating call is on record, while no
// request thread waits for the disk.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "store/store.h"

namespace sag::server {

class AuditLog {
 public:
  // store must outlive the log.
  explicit AuditLog(store::Store& store);
  ~AuditLog();  // Stop()

  // Starts the writer.
  void Start();
  // Queues event; then (may be null) runs on the writer thread once the event's batch was written
  // (or failed to be written: the failure is logged and counted, the call still answered). Before
  // Start or after Stop the event is written at once on the calling thread.
  void Record(store::AuditEventRecord event, std::function<void()> then);
  // Writes what is queued and stops the writer.
  void Stop();

  // Events written, and events whose batch failed, since start.
  int64_t written() const;
  int64_t failed() const;

 private:
  struct Entry {
    store::AuditEventRecord event;
    std::function<void()> then;
  };
  void Run();
  void Write(std::vector<Entry>& batch);

  store::Store& store_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Entry> queue_;  // guarded by mu_
  bool running_ = false;     // guarded by mu_
  bool stopping_ = false;    // guarded by mu_
  int64_t written_ = 0;      // guarded by mu_
  int64_t failed_ = 0;       // guarded by mu_
  std::thread writer_;
};

}  // namespace sag::server
