#include "device/device_hub.h"

#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "common/log.h"
#include "device/device_session.h"

namespace sag::device {

DeviceHub::DeviceHub(store::Store& store, const SecretBox& secrets, const Clock& clock,
                     DeviceHubOptions options)
    : store_(store),
      secrets_(secrets),
      clock_(clock),
      options_(options),
      store_pool_(static_cast<size_t>(options.store_threads < 1 ? 1 : options.store_threads)) {}

DeviceHub::~DeviceHub() { JoinStorePool(); }

void DeviceHub::JoinStorePool() {
  if (!pool_joined_.exchange(true)) store_pool_.join();
}

void DeviceHub::Accept(boost::asio::ip::tcp::socket socket,
                       boost::beast::http::request<boost::beast::http::string_body> request) {
  AcceptOn(PlainDeviceStream(std::move(socket)), std::move(request));
}

void DeviceHub::Accept(boost::beast::ssl_stream<boost::beast::tcp_stream> stream,
                       boost::beast::http::request<boost::beast::http::string_body> request) {
  AcceptOn(std::move(stream), std::move(request));
}

template <typename Stream>
void DeviceHub::AcceptOn(Stream stream,
                         boost::beast::http::request<boost::beast::http::string_body> request) {
  if (shutting_down_) {
    boost::system::error_code ignored;
    boost::beast::get_lowest_layer(stream).socket().close(ignored);
    return;
  }
  auto session = std::make_shared<DeviceSessionOn<Stream>>(std::move(stream), *this);
  Track(session);
  session->Start(std::move(request));
}

void DeviceHub::Shutdown(std::chrono::milliseconds wait) {
  if (shutting_down_.exchange(true)) return;
  std::vector<std::shared_ptr<DeviceSession>> sessions;
  {
    std::lock_guard lock(mu_);
    for (auto& [ptr, weak] : alive_) {
      if (auto s = weak.lock()) sessions.push_back(std::move(s));
    }
  }
  for (auto& s : sessions) s->Kick(1001, kReasonServerShutdown);
  sessions.clear();
  cv_.notify_all();
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, wait, [this] { return alive_.empty(); });
}

bool DeviceHub::IsOnline(std::string_view serial_number) const {
  {
    std::lock_guard lock(mu_);
    if (shutting_down_) return false;
    if (online_.find(serial_number) != online_.end()) return true;
  }
  return options_.cluster && RemotePresence(serial_number).has_value();
}

ops::UpgradeEnv DeviceHub::upgrade_env() {
  return ops::UpgradeEnv{.store = store_,
                         .devices = this,
                         .clock = clock_,
                         .artifact_token_key = options_.artifact_token_key,
                         .upgrade_timeout_ms = options_.upgrade_timeout_ms};
}

size_t DeviceHub::online_count() const {
  std::lock_guard lock(mu_);
  return online_.size();
}

bool DeviceHub::Push(std::string_view serial_number, std::string_view facet, int64_t generation,
                     std::string_view value_json) {
  std::shared_ptr<DeviceSession> session;
  {
    std::lock_guard lock(mu_);
    if (shutting_down_) return false;
    auto it = online_.find(serial_number);
    if (it != online_.end()) session = it->second.session;
  }
  if (session == nullptr) {
    // Another node's device: that node reads the desired value from the store and sends it.
    if (!options_.cluster) return false;
    auto remote = RemotePresence(serial_number);
    if (!remote) return false;
    boost::json::object message{
        {"t", "desired"}, {"sn", serial_number}, {"facet", facet}, {"gen", generation}};
    return options_.cluster->publish(remote->node_id, boost::json::serialize(message));
  }
  session->SendDesired(std::string(facet), generation, std::string(value_json));
  return true;
}

ops::WaitOutcome DeviceHub::WaitApplied(std::string_view serial_number, std::string_view facet,
                                        int64_t generation, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mu_);
  auto it = online_.find(serial_number);
  if (it == online_.end()) {
    if (!options_.cluster || shutting_down_) return ops::WaitOutcome::kOffline;
    lock.unlock();
    return WaitRemote(serial_number, facet, generation, timeout);
  }
  const uint64_t seq = it->second.seq;
  while (true) {
    auto p = progress_.find(serial_number);
    if (p != progress_.end()) {
      auto f = p->second.find(facet);
      if (f != p->second.end()) {
        if (f->second.applied >= generation) return ops::WaitOutcome::kApplied;
        if (f->second.failed >= generation) return ops::WaitOutcome::kFailed;
      }
    }
    it = online_.find(serial_number);
    if (shutting_down_ || it == online_.end() || it->second.seq != seq) {
      return ops::WaitOutcome::kOffline;
    }
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) {
      // One last look: the answer may have arrived with the timeout.
      auto last = progress_.find(serial_number);
      if (last != progress_.end()) {
        auto f = last->second.find(facet);
        if (f != last->second.end() && f->second.applied >= generation) {
          return ops::WaitOutcome::kApplied;
        }
      }
      return ops::WaitOutcome::kTimeout;
    }
  }
}

bool DeviceHub::Register(const std::shared_ptr<DeviceSession>& session,
                         const std::string& serial_number, const std::string& session_id,
                         const std::map<std::string, int64_t>& applied,
                         std::shared_ptr<DeviceSession>* replaced) {
  {
    std::lock_guard lock(mu_);
    if (shutting_down_) return false;
    Online& entry = online_[serial_number];
    if (entry.session && entry.session != session) *replaced = entry.session;
    entry.session = session;
    entry.seq = next_seq_++;
    entry.session_id = session_id;
    auto& progress = progress_[serial_number];
    for (const auto& [facet, g] : applied) {
      auto& f = progress[facet];
      if (g > f.applied) f.applied = g;
    }
  }
  cv_.notify_all();  // waiters on the replaced session see it went away
  return true;
}

bool DeviceHub::Unregister(const std::string& serial_number, const DeviceSession* session) {
  bool removed = false;
  {
    std::lock_guard lock(mu_);
    auto it = online_.find(serial_number);
    if (it != online_.end() && it->second.session.get() == session) {
      online_.erase(it);
      removed = true;
    }
  }
  if (removed) cv_.notify_all();
  return removed;
}

void DeviceHub::NotifyApplied(const std::string& serial_number, const std::string& facet,
                              int64_t generation, bool ok) {
  RecordProgress(serial_number, facet, generation, ok);
  if (options_.cluster) {
    boost::json::object message{
        {"t", "applied"}, {"sn", serial_number}, {"facet", facet}, {"gen", generation}, {"ok", ok}};
    if (!options_.cluster->publish("", boost::json::serialize(message))) {
      LogWarn("device " + serial_number + ": cannot tell other nodes of an applied report");
    }
  }
}

void DeviceHub::RecordProgress(const std::string& serial_number, const std::string& facet,
                               int64_t generation, bool ok) {
  {
    std::lock_guard lock(mu_);
    auto& f = progress_[serial_number][facet];
    if (ok) {
      if (generation > f.applied) f.applied = generation;
    } else if (generation > f.failed) {
      f.failed = generation;
    }
  }
  cv_.notify_all();
}

void DeviceHub::Track(const std::shared_ptr<DeviceSession>& session) {
  std::lock_guard lock(mu_);
  alive_[session.get()] = session;
}

void DeviceHub::Untrack(const DeviceSession* session) {
  {
    std::lock_guard lock(mu_);
    alive_.erase(session);
  }
  cv_.notify_all();
}

}  // namespace sag::device
