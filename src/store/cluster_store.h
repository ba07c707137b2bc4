// What several sagd nodes sharing one database coordinate through it (docs/deployment.md): node
// leases, which node holds each device's session (presence), the shared nonce replay window, and
// a cluster-wide lock for first-start work. Both backends implement it; a single SQLite node uses
// WithClusterLock and the nonce journal (RecordNonces, ForEachNonce, PurgeNonces), and keeps
// presence in memory.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "store/store_result.h"

namespace sag::store {

// Which node holds a device's session.
struct DevicePresence {
  std::string serial_number;
  std::string node_id;
  std::string session_id;
  int64_t since_ms = 0;             // when the session claimed the presence
  int64_t node_lease_until_ms = 0;  // the holding node's lease end (0 when the node has no row)
};

// One used nonce as the durable replay journal keeps it.
struct NonceRecord {
  std::string access_key_id;
  std::string nonce;
  int64_t expires_ms = 0;  // exclusive: the pair counts as used before this instant
};

// Lock keys for WithClusterLock.
inline constexpr int64_t kBootstrapLockKey = 0x5341470000000002;  // first-start account bootstrap

class ClusterStore {
 public:
  virtual ~ClusterStore() = default;

  // Creates node_id's lease or extends it to until_ms. True when the node's row existed; false when
  // it was created (first call, or another node expired this one meanwhile: the caller then claims
  // its sessions' presences again).
  virtual StoreResult<bool> RenewNodeLease(std::string_view node_id, int64_t until_ms) = 0;
  // Removes the node and every presence it holds (clean shutdown). OK when absent.
  virtual StoreResult<void> RemoveNode(std::string_view node_id) = 0;
  // Removes the nodes whose lease ended at or before now_ms and the presences they held, and
  // returns those presences' serial numbers (each is returned to exactly one caller, whatever the
  // number of nodes calling at once).
  virtual StoreResult<std::vector<std::string>> ExpireNodes(int64_t now_ms) = 0;

  // Makes (node_id, session_id) the holder of the device's presence since now_ms. Returns the
  // presence it replaced, if it was another session's (node_lease_until_ms filled as for
  // GetDevicePresence, 0 when that node has no row).
  virtual StoreResult<std::optional<DevicePresence>> ClaimDevicePresence(
      std::string_view serial_number, std::string_view node_id, std::string_view session_id,
      int64_t now_ms) = 0;
  // Removes the device's presence only while (node_id, session_id) holds it; true when removed.
  virtual StoreResult<bool> ReleaseDevicePresence(std::string_view serial_number,
                                                  std::string_view node_id,
                                                  std::string_view session_id) = 0;
  // The device's presence when its holding node's lease is current at now_ms (ends after now_ms);
  // nullopt otherwise (no session anywhere, or its node died or lost its lease).
  virtual StoreResult<std::optional<DevicePresence>> GetDevicePresence(
      std::string_view serial_number, int64_t now_ms) = 0;

  // The shared replay window: records (access_key_id, nonce) until expires_ms. True when the pair
  // was new, or its previous record had expired by now_ms; false when it is still recorded (a
  // replay). Atomic across nodes: of concurrent callers with one pair, exactly one gets true.
  virtual StoreResult<bool> RememberNonce(std::string_view access_key_id, std::string_view nonce,
                                          int64_t now_ms, int64_t expires_ms) = 0;
  // Deletes up to `limit` pairs expired by now_ms; returns how many were deleted.
  virtual StoreResult<int64_t> PurgeNonces(int64_t now_ms, int64_t limit) = 0;
  // Records the pairs in one transaction (a pair already recorded keeps the later expiry) without
  // waiting for the disk: on SQLite the write survives a crash of this process at once, and a
  // power loss from the next synchronous commit on; on PostgreSQL as RememberNonce.
  virtual StoreResult<void> RecordNonces(const std::vector<NonceRecord>& nonces) = 0;
  // Calls f for every recorded pair that has not expired by now_ms, in no particular order.
  virtual StoreResult<void> ForEachNonce(int64_t now_ms,
                                         const std::function<void(const NonceRecord&)>& f) = 0;

  // Runs f while holding the cluster-wide lock `key`: a PostgreSQL session advisory lock (so one
  // node at a time, across processes), a process-wide mutex on SQLite. f's own store calls run on
  // other connections. Returns f's result, or the lock's failure.
  virtual StoreResult<void> WithClusterLock(int64_t key,
                                            const std::function<StoreResult<void>()>& f) = 0;
};

}  // namespace sag::store
