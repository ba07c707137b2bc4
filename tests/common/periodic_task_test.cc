// PeriodicTask: runs again and again, at once when woken, never twice at once, and stops without
// waiting out its interval.
#include "common/periodic_task.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include <gtest/gtest.h>

namespace sag {
namespace {

using std::chrono::milliseconds;

// Counts runs; waits until a count is reached (the bound only ends a test that would hang).
class RunCounter {
 public:
  void Run() {
    {
      std::lock_guard lock(mu_);
      ++runs_;
    }
    changed_.notify_all();
  }
  bool WaitFor(int runs) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, std::chrono::minutes(2), [&] { return runs_ >= runs; });
  }
  int runs() {
    std::lock_guard lock(mu_);
    return runs_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  int runs_ = 0;
};

TEST(PeriodicTaskTest, RunsEveryInterval) {
  RunCounter counter;
  PeriodicTask task(milliseconds(1), [&] { counter.Run(); });
  task.Start();
  EXPECT_TRUE(counter.WaitFor(3));
}

TEST(PeriodicTaskTest, WakeRunsWithoutWaitingOutTheInterval) {
  RunCounter counter;
  PeriodicTask task(std::chrono::hours(1), [&] { counter.Run(); });
  task.Start();
  task.Wake();
  EXPECT_TRUE(counter.WaitFor(1));
  task.Wake();
  EXPECT_TRUE(counter.WaitFor(2));
}

TEST(PeriodicTaskTest, StopDoesNotWaitOutTheIntervalAndNoRunFollows) {
  RunCounter counter;
  PeriodicTask task(std::chrono::hours(1), [&] { counter.Run(); });
  task.Start();
  task.Stop();  // would block for an hour if it waited for the interval
  task.Wake();
  task.Stop();   // idempotent
  task.Start();  // not again after Stop
  EXPECT_EQ(counter.runs(), 0);
}

TEST(PeriodicTaskTest, RunsNeverOverlap) {
  std::atomic<int> inside{0};
  std::atomic<bool> overlapped{false};
  RunCounter counter;
  PeriodicTask task(milliseconds(0), [&] {
    if (inside.fetch_add(1) != 0) overlapped = true;
    inside.fetch_sub(1);
    counter.Run();
  });
  task.Start();
  for (int i = 0; i < 100; ++i) task.Wake();
  EXPECT_TRUE(counter.WaitFor(20));
  task.Stop();
  EXPECT_FALSE(overlapped.load());
}

TEST(PeriodicTaskTest, StopWithoutStart) {
  PeriodicTask task(milliseconds(1), [] {});
  task.Stop();
}

}  // namespace
}  // namespace sag
