// The embedded store: Store over one SQLite database file, in WAL mode with synchronous=FULL, so an
// OK return means the change is on disk (it survives kill -9 and power loss).
//
// Concurrency: calls borrow a connection from a small pool, so reads run in parallel; writes are
// serialized in-process and each runs in one BEGIN IMMEDIATE transaction that is rolled back on any
// failure. Other processes may open the same file (busy timeout 5 s).
//
// Orders (the contract every backend keeps): lists return records in creation order (create_ms),
// ties broken by the record's key compared bytewise: accounts by id, users and policies by name,
// AccessKeys and instances by id, devices by serial number, CCNs by id. Lists of something under a
// missing user or account are empty. An instance's serial numbers are in bind order.
//
// Serial-number binding: one row per bound device in device_bindings, whose primary key (the serial
// number) makes "one device, one instance" a schema invariant; the checks and the insert run in one
// BEGIN IMMEDIATE transaction, so concurrent binds (threads or processes) have one winner.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "store/store.h"

namespace sag::store {

namespace sqlite {
class Connection;
}  // namespace sqlite

// Store on SQLite. Thread-safe.
class SqliteStore : public Store {
 public:
  // Opens (creating if needed) the database at path and brings its schema up to date. path is a
  // file name, or ":memory:" for a private in-memory database (one connection, gone when closed).
  // Uses pool_size connections (at least 1). Fails with a readable message when the file cannot be
  // opened or migrated, e.g. when its schema version is newer than this build knows.
  static Result<std::unique_ptr<SqliteStore>, std::string> Open(const std::string& path,
                                                                int pool_size = 4);

  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;
  ~SqliteStore() override;

  // The schema version the database was at after Open (see migrations.h).
  int64_t schema_version() const;

  StoreResult<void> CreateAccount(const AccountRecord& account) override;
  StoreResult<AccountRecord> GetAccount(std::string_view account_id) override;
  StoreResult<std::vector<AccountRecord>> ListAccounts() override;

  StoreResult<void> CreateUser(const UserRecord& user) override;
  StoreResult<UserRecord> GetUser(std::string_view account_id, std::string_view name) override;
  StoreResult<std::vector<UserRecord>> ListUsers(std::string_view account_id) override;
  // Also detaches the user's policies. kNotFound when missing, kConflict while it has AccessKeys.
  StoreResult<void> DeleteUser(std::string_view account_id, std::string_view name) override;

  StoreResult<void> CreateAccessKey(const AccessKeyRecord& key) override;
  StoreResult<AccessKeyRecord> GetAccessKey(std::string_view key_id) override;
  // The user's keys; an empty user_name lists every key of the account.
  StoreResult<std::vector<AccessKeyRecord>> ListAccessKeys(std::string_view account_id,
                                                           std::string_view user_name) override;
  StoreResult<void> SetAccessKeyEnabled(std::string_view account_id, std::string_view key_id,
                                        bool enabled) override;
  StoreResult<void> DeleteAccessKey(std::string_view account_id, std::string_view key_id) override;

  StoreResult<void> CreatePolicy(const PolicyRecord& policy) override;
  StoreResult<PolicyRecord> GetPolicy(std::string_view account_id, std::string_view name) override;
  StoreResult<std::vector<PolicyRecord>> ListPolicies(std::string_view account_id) override;
  StoreResult<void> DeletePolicy(std::string_view account_id, std::string_view name) override;
  StoreResult<void> AttachPolicy(std::string_view account_id, std::string_view policy_name,
                                 std::string_view user_name) override;
  // kNotFound when the policy is not attached to the user (or either is missing).
  StoreResult<void> DetachPolicy(std::string_view account_id, std::string_view policy_name,
                                 std::string_view user_name) override;
  StoreResult<std::vector<PolicyRecord>> ListPoliciesForUser(std::string_view account_id,
                                                             std::string_view user_name) override;

  // kAlreadyExists when the id is taken, in any account.
  StoreResult<void> CreateInstance(const InstanceRecord& instance) override;
  StoreResult<InstanceRecord> GetInstance(std::string_view account_id, std::string_view region_id,
                                          std::string_view instance_id) override;
  // Negative offset/limit count as 0.
  StoreResult<InstancePage> ListInstances(const InstanceFilter& filter) override;
  StoreResult<InstanceRecord> UpdateInstance(std::string_view account_id,
                                             std::string_view region_id,
                                             std::string_view instance_id,
                                             const InstancePatch& patch) override;
  StoreResult<void> DeleteInstance(std::string_view account_id, std::string_view region_id,
                                   std::string_view instance_id) override;

  StoreResult<void> RegisterDevice(const DeviceRecord& device) override;
  StoreResult<DeviceRecord> GetDevice(std::string_view serial_number) override;
  StoreResult<std::vector<DeviceRecord>> ListDevices(int64_t offset, int64_t limit) override;
  StoreResult<int64_t> CountDevices() override;
  StoreResult<void> RetireDevice(std::string_view serial_number) override;
  StoreResult<void> RecordDeviceConnected(std::string_view serial_number,
                                          std::string_view firmware_version,
                                          std::string_view dpi_version, int64_t boot_ms,
                                          int64_t now_ms) override;
  StoreResult<void> RecordDeviceOffline(std::string_view serial_number, std::string_view reason,
                                        int64_t now_ms) override;
  StoreResult<DesiredResult> SetDesiredFacet(std::string_view serial_number, std::string_view facet,
                                             std::string_view value, int64_t now_ms,
                                             bool require_synchronized) override;
  StoreResult<void> RecordApplied(std::string_view serial_number, std::string_view facet,
                                  int64_t generation, std::string_view result,
                                  std::string_view detail, int64_t now_ms) override;
  StoreResult<std::vector<DeviceFacetRecord>> GetDeviceFacets(
      std::string_view serial_number) override;

  StoreResult<BindOutcome> BindSerialNumber(const BindSerialNumberRequest& request) override;
  StoreResult<UnbindOutcome> UnbindSerialNumber(std::string_view account_id,
                                                std::string_view region_id,
                                                std::string_view instance_id,
                                                std::string_view serial_number) override;
  StoreResult<ActivateOutcome> ActivateInstance(std::string_view account_id,
                                                std::string_view region_id,
                                                std::string_view instance_id) override;

  StoreResult<void> CreateCcn(const CcnRecord& ccn) override;
  StoreResult<CcnRecord> GetCcn(std::string_view account_id, std::string_view region_id,
                                std::string_view ccn_id) override;
  // Negative offset/limit count as 0.
  StoreResult<CcnPage> ListCcns(const CcnFilter& filter) override;
  StoreResult<CcnRecord> UpdateCcn(std::string_view account_id, std::string_view region_id,
                                   std::string_view ccn_id, const CcnPatch& patch) override;
  StoreResult<void> DeleteCcn(std::string_view account_id, std::string_view region_id,
                              std::string_view ccn_id) override;
  StoreResult<CcnBindOutcome> BindInstanceToCcn(std::string_view account_id,
                                                std::string_view region_id,
                                                std::string_view instance_id,
                                                std::string_view ccn_id) override;
  StoreResult<CcnUnbindOutcome> UnbindInstanceFromCcn(std::string_view account_id,
                                                      std::string_view region_id,
                                                      std::string_view instance_id,
                                                      std::string_view ccn_id) override;

  StoreResult<std::optional<std::string>> GetSetting(std::string_view key) override;
  // Inserts or replaces the value.
  StoreResult<void> PutSetting(std::string_view key, std::string_view value) override;

  // Client users (sqlite_client_users.cc / pg_client_users.cc).
  StoreResult<CreateClientUserResult> CreateClientUser(
      const CreateClientUserRequest& request) override;
  StoreResult<ClientUserRecord> GetClientUser(std::string_view account_id,
                                              std::string_view instance_id,
                                              std::string_view user_name) override;
  StoreResult<ClientUserPage> ListClientUsers(const ClientUserFilter& filter) override;
  StoreResult<ClientUserRecord> UpdateClientUser(std::string_view account_id,
                                                 std::string_view instance_id,
                                                 std::string_view user_name,
                                                 const ClientUserPatch& patch) override;
  StoreResult<void> DeleteClientUser(std::string_view account_id, std::string_view instance_id,
                                     std::string_view user_name) override;
  StoreResult<ClientSessionRecord> OpenClientSession(const ClientSessionRecord& session) override;
  StoreResult<void> CloseClientSession(std::string_view session_id) override;
  StoreResult<std::vector<ClientSessionRecord>> ListClientSessions(
      std::string_view instance_id, std::string_view user_name) override;
  StoreResult<int64_t> CloseClientSessions(std::string_view instance_id,
                                           std::string_view user_name) override;
  // VersionStore (sqlite/sqlite_versions.cc).
  StoreResult<void> PublishVersion(const VersionRecord& version) override;
  StoreResult<VersionRecord> GetVersion(std::string_view version_type,
                                        std::string_view version_code) override;
  StoreResult<std::vector<VersionRecord>> ListVersions(std::string_view version_type) override;
  StoreResult<void> WithdrawVersion(std::string_view version_type, std::string_view version_code,
                                    int64_t now_ms) override;
  StoreResult<void> CreateUpgrades(const std::vector<UpgradeRecord>& upgrades) override;
  StoreResult<UpgradeRecord> GetUpgrade(std::string_view id) override;
  StoreResult<std::optional<UpgradeRecord>> ActiveUpgrade(std::string_view serial_number) override;
  StoreResult<std::vector<UpgradeRecord>> ListUpgrades(const UpgradeFilter& filter) override;
  StoreResult<bool> AdvanceUpgrade(std::string_view id, const UpgradeChange& change) override;
  StoreResult<std::vector<UpgradeRecord>> ListExpiredUpgrades(int64_t now_ms,
                                                              int64_t limit) override;
  // UpgradePolicyStore (definitions in sqlite_upgrade_policies.cc).
  StoreResult<void> PutUpgradePolicy(const UpgradePolicyRecord& policy) override;
  StoreResult<std::optional<UpgradePolicyRecord>> GetUpgradePolicy(
      std::string_view serial_number, std::string_view version_type) override;
  StoreResult<std::vector<UpgradePolicyRecord>> ListDueUpgradePolicies(int64_t now_ms,
                                                                       int64_t limit) override;
  StoreResult<bool> AdvanceUpgradePolicy(const UpgradePolicyRecord& moved,
                                         int64_t expected_next_run_ms) override;
  // ClusterStore (definitions in sqlite_cluster.cc).
  StoreResult<bool> RenewNodeLease(std::string_view node_id, int64_t until_ms) override;
  StoreResult<void> RemoveNode(std::string_view node_id) override;
  StoreResult<std::vector<std::string>> ExpireNodes(int64_t now_ms) override;
  StoreResult<std::optional<DevicePresence>> ClaimDevicePresence(std::string_view serial_number,
                                                                 std::string_view node_id,
                                                                 std::string_view session_id,
                                                                 int64_t now_ms) override;
  StoreResult<bool> ReleaseDevicePresence(std::string_view serial_number, std::string_view node_id,
                                          std::string_view session_id) override;
  StoreResult<std::optional<DevicePresence>> GetDevicePresence(std::string_view serial_number,
                                                               int64_t now_ms) override;
  StoreResult<bool> RememberNonce(std::string_view access_key_id, std::string_view nonce,
                                  int64_t now_ms, int64_t expires_ms) override;
  StoreResult<int64_t> PurgeNonces(int64_t now_ms, int64_t limit) override;
  StoreResult<void> WithClusterLock(int64_t key,
                                    const std::function<StoreResult<void>()>& f) override;

 private:
  struct Impl;
  explicit SqliteStore(std::unique_ptr<Impl> impl);
  // For member definitions outside sqlite_store.cc (sqlite_client_users.cc, sqlite_versions.cc,
  // sqlite_cluster.cc): f as one BEGIN IMMEDIATE transaction under the write lock, committed when
  // f succeeds (write), or on a borrowed autocommit connection (read).
  StoreResult<void> RunWrite(const std::function<StoreResult<void>(sqlite::Connection&)>& f);
  StoreResult<void> RunRead(const std::function<StoreResult<void>(sqlite::Connection&)>& f);

  std::unique_ptr<Impl> impl_;
};

}  // namespace sag::store
