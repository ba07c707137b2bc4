#include "device/device_hub.h"

#include <vector>

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

DeviceHub::~DeviceHub() {
  EndAllWaits();  // their timers would otherwise keep the pool busy until they fire
  JoinStorePool();
}

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
  auto alive = [this] {
    std::vector<std::shared_ptr<DeviceSession>> sessions;
    std::lock_guard lock(mu_);
    for (auto& [ptr, weak] : alive_) {
      if (auto s = weak.lock()) sessions.push_back(std::move(s));
    }
    return sessions;
  };
  for (auto& s : alive()) s->Kick(1001, kReasonServerShutdown);
  EndAllWaits();
  std::unique_lock lock(mu_);
  if (cv_.wait_for(lock, wait, [this] { return alive_.empty(); })) return;
  lock.unlock();
  // Sessions whose peer does not complete the close are dropped: none may outlive the network
  // threads.
  for (auto& s : alive()) s->Drop();
  lock.lock();
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
    return options_.cluster->publish(
        remote->node_id,
        cluster::DesiredChanged{std::string(serial_number), std::string(facet), generation});
  }
  session->SendDesired(std::string(facet), generation, std::string(value_json));
  return true;
}

void DeviceHub::Disconnect(std::string_view serial_number) {
  std::shared_ptr<DeviceSession> session;
  {
    std::lock_guard lock(mu_);
    auto it = online_.find(serial_number);
    if (it != online_.end()) session = it->second.session;
  }
  if (session) {
    session->Kick(kCloseAuthFailed, kReasonSecretChanged);
    return;
  }
  if (!options_.cluster) return;
  if (auto remote = RemotePresence(serial_number)) {
    options_.cluster->publish(remote->node_id,
                              cluster::KickSession{std::string(serial_number), remote->session_id,
                                                   std::string(kReasonSecretChanged)});
  }
}

bool DeviceHub::Register(const std::shared_ptr<DeviceSession>& session,
                         const std::string& serial_number, const std::string& session_id,
                         std::shared_ptr<DeviceSession>* replaced) {
  {
    std::lock_guard lock(mu_);
    if (shutting_down_) return false;
    Online& entry = online_[serial_number];
    if (entry.session && entry.session != session) *replaced = entry.session;
    entry.session = session;
    entry.seq = next_seq_++;
    entry.session_id = session_id;
  }
  sessions_opened_.fetch_add(1, std::memory_order_relaxed);
  EndSessionWaits(serial_number, /*remote_only=*/false);  // the earlier session cannot answer
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
  if (removed) {
    sessions_closed_.fetch_add(1, std::memory_order_relaxed);
    EndSessionWaits(serial_number, /*remote_only=*/false);
  }
  return removed;
}

void DeviceHub::NotifyApplied(const std::string& serial_number, const std::string& facet,
                              int64_t generation, bool ok) {
  RecordReport(serial_number, facet, generation, ok);
  if (options_.cluster) {
    if (!options_.cluster->publish("",
                                   cluster::AppliedReport{serial_number, facet, generation, ok})) {
      LogWarn("device " + serial_number + ": cannot tell other nodes of an applied report");
    }
  }
}

void DeviceHub::NotifyProgress(const std::string& serial_number, const std::string& facet,
                               int64_t generation) {
  RecordReport(serial_number, facet, generation, std::nullopt);
  if (options_.cluster) {
    if (!options_.cluster->publish("", cluster::ProgressReport{serial_number, facet, generation})) {
      LogWarn("device " + serial_number + ": cannot tell other nodes of a progress report");
    }
  }
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
  cv_.notify_all();  // Shutdown waits for the last one
}

}  // namespace sag::device
