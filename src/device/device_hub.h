// The device channel's server side: DeviceHub owns the online sessions (serial number -> session),
// their presence, and the waits of operations for devices' answers. Sessions (device_session.h)
// run on the HTTP listener's network threads; every store call they need runs on the hub's own
// small thread pool, never on a network thread and never on the request workers. A wait holds no
// thread: it is a record completed by the device's report, the end of its session, or a timer on
// the hub's pool (device_wait.cc).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "common/clock.h"
#include "common/cluster_message.h"
#include "common/crypto.h"
#include "ops/device_control.h"
#include "ops/upgrade_engine.h"
#include "store/store.h"

namespace sag::device {

class DeviceSession;

// Why a session ended (stored as the device's offline reason).
inline constexpr std::string_view kReasonLeaseExpired = "lease_expired";
inline constexpr std::string_view kReasonClosed = "closed";
inline constexpr std::string_view kReasonReplaced = "replaced";
inline constexpr std::string_view kReasonServerShutdown = "server_shutdown";
inline constexpr std::string_view kReasonSecretChanged = "secret_changed";

// Several nodes on one database (docs/deployment.md): how the hub reaches the others. Presence is
// kept in the store (store::ClusterStore) under this node's lease; messages go through publish.
struct DeviceHubCluster {
  std::string node_id;  // [a-z0-9]+, unique per running node
  // Sends message to node_id's channel, or to every node when node_id is empty; false when it
  // could not be sent. Called from worker and hub store threads, never from network threads.
  std::function<bool(std::string_view node_id, const cluster::ClusterMessage& message)> publish;
  const Clock* wall_clock = nullptr;  // leases are real time (the business clock may be moved)
  std::chrono::milliseconds node_lease{30000};
  // How often a wait for a device on another node re-reads the store (in case a notification was
  // lost, or the node holding the device died): a timer on the hub's pool, not a thread.
  std::chrono::milliseconds recheck{1000};
};

struct DeviceHubOptions {
  std::chrono::milliseconds lease{30000};
  std::chrono::milliseconds heartbeat{10000};
  std::chrono::milliseconds hello_timeout{10000};
  int store_threads = 2;
  // Upgrades (ops/upgrade_engine.h): the download-token key and the overall upgrade deadline.
  std::string artifact_token_key = {};
  int64_t upgrade_timeout_ms = 30 * 60 * 1000;
  // Set: presence, Push and AwaitDevice reach devices connected to other nodes. Unset (one node):
  // everything stays in memory, with no store reads for presence.
  std::optional<DeviceHubCluster> cluster;
  // Told of every applied report a device sent, once stored (the audit trail); may be null.
  // Called on a hub store thread.
  std::function<void(store::AuditEventRecord)> audit;
};

class DeviceHub : public ops::DeviceControl {
 public:
  // store, secrets and clock must outlive the hub. clock stamps the stored times.
  DeviceHub(store::Store& store, const SecretBox& secrets, const Clock& clock,
            DeviceHubOptions options);
  ~DeviceHub() override;
  DeviceHub(const DeviceHub&) = delete;
  DeviceHub& operator=(const DeviceHub&) = delete;

  // Takes over an upgraded HTTP connection (called on a network thread by the listener).
  void Accept(boost::asio::ip::tcp::socket socket,
              boost::beast::http::request<boost::beast::http::string_body> request);
  // The same for a TLS connection (wss://), its TLS handshake done.
  void Accept(boost::beast::ssl_stream<boost::beast::tcp_stream> stream,
              boost::beast::http::request<boost::beast::http::string_body> request);

  // Closes every session with code 1001 (reason server_shutdown), records them offline, ends
  // every wait (kOffline; later waits end so at once) and refuses new sessions. Waits up to `wait`
  // for the sessions to end.
  void Shutdown(std::chrono::milliseconds wait = std::chrono::milliseconds(1000));
  // Runs the store work still queued and stops the store pool; call after the network threads
  // stopped and before they are destroyed (queued work may post to session strands).
  void JoinStorePool();

  // ops::DeviceControl.
  bool IsOnline(std::string_view serial_number) const override;
  bool Push(std::string_view serial_number, std::string_view facet, int64_t generation,
            std::string_view value_json) override;
  void AwaitDevice(ops::DeviceWait wait, ops::WaitCallback done) override;
  void Disconnect(std::string_view serial_number) override;

  // What the upgrade engine needs to act for this hub's sessions.
  ops::UpgradeEnv upgrade_env();

  // Number of online sessions.
  size_t online_count() const;
  // Sessions that became a device's online session, and online sessions that ended, since start.
  int64_t sessions_opened() const { return sessions_opened_.load(std::memory_order_relaxed); }
  int64_t sessions_closed() const { return sessions_closed_.load(std::memory_order_relaxed); }
  // Number of waits not ended yet.
  size_t waits() const;

  // Cluster mode (options.cluster set); definitions in device_hub_cluster.cc.
  // Renews this node's lease (claiming the presence of every local session again when another
  // node had expired it) and expires dead nodes, recording their devices offline. Call every
  // node_lease / 3, and once before accepting connections. Blocks on the store.
  void ClusterTick();
  // A message from another node (or this one) published through DeviceHubCluster::publish; called
  // on the notification thread, never blocks on the store. Kinds that are not the hub's (e.g.
  // cluster::CredentialsChanged) are ignored.
  void OnClusterMessage(const cluster::ClusterMessage& message);
  // Notifications may have been lost: waits for devices on other nodes re-read the store now.
  void OnClusterResync();
  // Removes this node's lease and presences (after Shutdown and JoinStorePool).
  void LeaveCluster();

  // Internal: used by sessions.
  store::Store& store() { return store_; }
  const SecretBox& secrets() const { return secrets_; }
  const Clock& clock() const { return clock_; }
  const DeviceHubOptions& options() const { return options_; }
  boost::asio::thread_pool& store_pool() { return store_pool_; }
  bool shutting_down() const { return shutting_down_.load(); }
  // Makes session the online session of its serial number (ending the confirmation waits bound to
  // an earlier session); the session it replaces (if any) is returned so the caller can close it.
  // Returns false (registering nothing) once shutting down.
  bool Register(const std::shared_ptr<DeviceSession>& session, const std::string& serial_number,
                const std::string& session_id, std::shared_ptr<DeviceSession>* replaced);
  // Cluster mode, on a hub store thread: makes (this node, session_id) the device's presence and
  // kicks the session it replaces on another node; false when nothing was claimed (one node, or
  // the store failed).
  bool ClaimPresence(const std::string& serial_number, const std::string& session_id);
  // Cluster mode, on a hub store thread: gives up a presence ClaimPresence took, and tells waiters
  // on other nodes that the session ended.
  void ReleasePresence(const std::string& serial_number, const std::string& session_id);
  // Removes session if it is still the online session of serial_number; true when it was.
  bool Unregister(const std::string& serial_number, const DeviceSession* session);
  // Records the device's applied report for waits (after the store has it), on every node.
  void NotifyApplied(const std::string& serial_number, const std::string& facet, int64_t generation,
                     bool ok);
  // Records the device's progress report for waits (after the store has it), on every node.
  void NotifyProgress(const std::string& serial_number, const std::string& facet,
                      int64_t generation);
  // Sessions alive (authenticated or not), for Shutdown.
  void Track(const std::shared_ptr<DeviceSession>& session);
  void Untrack(const DeviceSession* session);

 private:
  template <typename Stream>
  void AcceptOn(Stream stream,
                boost::beast::http::request<boost::beast::http::string_body> request);

  // The last reports of a device for one facet (kept across sessions: an answer may arrive just
  // before the session ends, or before the wait for it starts).
  struct FacetReports {
    int64_t ok = 0;        // the last generation reported applied ok
    int64_t failed = 0;    // the last generation reported failed or reverted
    int64_t progress = 0;  // the last generation a progress report was about
  };
  struct Online {
    std::shared_ptr<DeviceSession> session;
    uint64_t seq = 0;  // changes with every new session of the serial number
    std::string session_id;
  };
  struct Waiter;  // device_wait.cc

  // Records an applied report, or (ok unset) a progress report, for the waits on this node and
  // ends those it answers (no message to other nodes).
  void RecordReport(const std::string& serial_number, const std::string& facet, int64_t generation,
                    std::optional<bool> ok);
  // Cluster mode: the live presence of a device held by another node, if any.
  std::optional<store::DevicePresence> RemotePresence(std::string_view serial_number) const;
  // Cluster mode, on a hub store thread: sends the stored desired value of facet to the local
  // session of serial_number (a Push from another node).
  void DeliverDesired(const std::string& serial_number, const std::string& facet,
                      int64_t generation);
  int64_t WallNowMs() const;

  // Waits (device_wait.cc). Under mu_: how the device's known reports answer w, if they do.
  std::optional<ops::WaitOutcome> AnsweredLocked(const Waiter& w) const;
  // Under mu_: removes w from waiters_ (false when it was gone already) and cancels its timer.
  bool RemoveLocked(const std::shared_ptr<Waiter>& w);
  // Calls w's callback with outcome on the store pool; w must have been removed.
  void Finish(const std::shared_ptr<Waiter>& w, ops::WaitOutcome outcome);
  // Under mu_: ends (collecting into *ended) the waits of serial_number that pred selects.
  template <typename Pred>
  void EndWaitsLocked(std::string_view serial_number, Pred pred, ops::WaitOutcome outcome,
                      std::vector<std::pair<std::shared_ptr<Waiter>, ops::WaitOutcome>>* ended);
  // Under mu_: arms w's timer for its deadline, or sooner for its next store re-read.
  void ArmLocked(const std::shared_ptr<Waiter>& w, std::chrono::steady_clock::time_point at);
  // w's timer fired: its deadline passed, or (a device on another node) the store is re-read.
  void OnWaiterTimer(const std::shared_ptr<Waiter>& w);
  // Cluster mode, on a hub store thread: what the store says of w's device, if it decides w.
  std::optional<ops::WaitOutcome> RecheckRemote(const Waiter& w);
  // Cluster mode: every wait for a device on another node re-reads the store now.
  void RecheckRemoteWaits();
  // Ends (kOffline) the confirmation waits of serial_number bound to a session: all of them, or
  // with remote_only those bound to remote_holder on another node.
  void EndSessionWaits(const std::string& serial_number, bool remote_only,
                       std::string_view remote_holder = {});
  // Ends every wait (kOffline).
  void EndAllWaits();
  // True when serial_number has a session on this node.
  bool IsLocal(std::string_view serial_number) const;
  // Under mu_: true when another node said holder's session of serial_number ended.
  bool RemoteEndedLocked(std::string_view serial_number, const std::string& holder) const;

  store::Store& store_;
  const SecretBox& secrets_;
  const Clock& clock_;
  DeviceHubOptions options_;
  boost::asio::thread_pool store_pool_;
  std::atomic<bool> shutting_down_{false};
  std::atomic<bool> pool_joined_{false};

  mutable std::mutex mu_;
  std::condition_variable cv_;  // signalled when a session is untracked (for Shutdown)
  std::map<std::string, Online, std::less<>> online_;
  std::atomic<int64_t> sessions_opened_{0};
  std::atomic<int64_t> sessions_closed_{0};
  std::map<std::string, std::map<std::string, FacetReports, std::less<>>, std::less<>> reports_;
  std::map<const DeviceSession*, std::weak_ptr<DeviceSession>> alive_;
  // The waits, per serial number.
  std::map<std::string, std::vector<std::shared_ptr<Waiter>>, std::less<>> waiters_;
  // Cluster mode: sessions that ended on other nodes ("node/session" per serial number, the last
  // one), so that a wait starting after the news does not bind to them.
  std::map<std::string, std::string, std::less<>> remote_ended_;
  uint64_t next_seq_ = 1;
};

}  // namespace sag::device
