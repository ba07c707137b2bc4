// Answers sent later without holding a worker thread meanwhile (a fault rule's DelayMs): a timer
// per answer on one thread of its own, which runs every due callback; callbacks must be short
// (they render and send an answer). Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace sag::api {

class DelayedAnswers {
 public:
  DelayedAnswers();
  // Runs every pending callback now (no call is left unanswered), then stops the thread.
  ~DelayedAnswers();
  DelayedAnswers(const DelayedAnswers&) = delete;
  DelayedAnswers& operator=(const DelayedAnswers&) = delete;

  // Runs fn once on the timer thread when delay has passed.
  void After(std::chrono::milliseconds delay, std::function<void()> fn);

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::mutex mu_;
  std::set<std::shared_ptr<boost::asio::steady_timer>> pending_;  // guarded by mu_
  std::thread thread_;
};

}  // namespace sag::api
