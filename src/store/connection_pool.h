// A fixed set of database connections shared by the store's callers; used by every backend.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace sag::store {

// Holds connections of type Conn; Borrow waits until one is idle. Thread-safe.
template <typename Conn>
class ConnectionPool {
 public:
  // A borrowed connection, handed back to the pool when the lease ends.
  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<Conn> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
      if (conn_ != nullptr) {
        pool_->Return(std::move(conn_));
      }
    }
    Conn& operator*() const { return *conn_; }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Conn> conn_;
  };

  // Adds an idle connection.
  void Add(std::unique_ptr<Conn> conn) {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(conn));
  }

  // Takes an idle connection, waiting until one is returned if none is (counted in waits() and
  // wait_ns()).
  Lease Borrow() {
    std::unique_lock lock(mu_);
    if (idle_.empty()) {
      const auto start = std::chrono::steady_clock::now();
      cv_.wait(lock, [this] { return !idle_.empty(); });
      waits_.fetch_add(1, std::memory_order_relaxed);
      wait_ns_.fetch_add(std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::steady_clock::now() - start)
                             .count(),
                         std::memory_order_relaxed);
    }
    std::unique_ptr<Conn> conn = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(conn));
  }

  // How many Borrow calls found no idle connection and waited, and how long they waited in all.
  int64_t waits() const { return waits_.load(std::memory_order_relaxed); }
  int64_t wait_ns() const { return wait_ns_.load(std::memory_order_relaxed); }

 private:
  void Return(std::unique_ptr<Conn> conn) {
    {
      std::lock_guard lock(mu_);
      idle_.push_back(std::move(conn));
    }
    cv_.notify_one();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> idle_;  // guarded by mu_
  std::atomic<int64_t> waits_{0};
  std::atomic<int64_t> wait_ns_{0};
};

}  // namespace sag::store
