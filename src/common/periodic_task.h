// A function run every interval on a thread of its own, until stopped: what a background loop of
// sagd (the upgrade sweeper, the cluster lease, the nonce journal's writer) is built from, so that
// each stops at once and cleanly instead of hand-rolling a thread, a mutex and a condition.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace sag {

class PeriodicTask {
 public:
  // run is called one interval after Start, then one interval after each run ends, and soon after
  // Wake(); never twice at once.
  PeriodicTask(std::chrono::milliseconds interval, std::function<void()> run);
  // Stops.
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  // Starts the thread; a second call, or a call after Stop, does nothing.
  void Start();
  // The next run starts now instead of at the end of the interval (wakes coalesce: several before
  // a run starts cause one run).
  void Wake();
  // Returns once no run is in progress and none will start: wakes the thread (no waiting out the
  // interval), lets a run in progress finish and joins. Idempotent; never call it from run.
  void Stop();

 private:
  void Loop();

  const std::chrono::milliseconds interval_;
  const std::function<void()> run_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool woken_ = false;     // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  bool started_ = false;   // guarded by mu_
  std::thread thread_;
};

}  // namespace sag
