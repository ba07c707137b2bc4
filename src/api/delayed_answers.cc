#include "api/delayed_answers.h"

namespace sag::api {

DelayedAnswers::DelayedAnswers()
    : work_(boost::asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}

DelayedAnswers::~DelayedAnswers() {
  {
    std::lock_guard lock(mu_);
    for (const auto& timer : pending_) timer->cancel();  // its callback runs at once
  }
  work_.reset();  // run() returns once every callback ran
  thread_.join();
}

void DelayedAnswers::After(std::chrono::milliseconds delay, std::function<void()> fn) {
  auto timer = std::make_shared<boost::asio::steady_timer>(io_, delay);
  {
    std::lock_guard lock(mu_);
    pending_.insert(timer);
  }
  timer->async_wait([this, timer, fn = std::move(fn)](const boost::system::error_code&) {
    {
      std::lock_guard lock(mu_);
      pending_.erase(timer);
    }
    fn();
  });
}

}  // namespace sag::api
