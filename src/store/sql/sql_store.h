// Store written once over SQL: every method of store::Store (and its parts) as statements on a
// sql::Connection inside one sql::Txn. A backend (SqliteStore, PgStore) derives from it and
// supplies only what genuinely differs: opening, the connection pool, how a transaction runs and
// is retried, the cluster lock, and its announcements to other nodes.
#pragma once

#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "store/sql/connection.h"
#include "store/store.h"

namespace sag::store {

class SqlStore : public Store {
 public:
  StoreResult<void> CreateAccount(const AccountRecord& account) override;
  StoreResult<AccountRecord> GetAccount(std::string_view account_id) override;
  StoreResult<std::vector<AccountRecord>> ListAccounts() override;
  StoreResult<void> CreateUser(const UserRecord& user) override;
  StoreResult<UserRecord> GetUser(std::string_view account_id, std::string_view name) override;
  StoreResult<std::vector<UserRecord>> ListUsers(std::string_view account_id) override;
  StoreResult<void> DeleteUser(std::string_view account_id, std::string_view name) override;
  StoreResult<void> CreateAccessKey(const AccessKeyRecord& key) override;
  StoreResult<AccessKeyRecord> GetAccessKey(std::string_view key_id) override;
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
  StoreResult<void> DetachPolicy(std::string_view account_id, std::string_view policy_name,
                                 std::string_view user_name) override;
  StoreResult<std::vector<PolicyRecord>> ListPoliciesForUser(std::string_view account_id,
                                                             std::string_view user_name) override;

  StoreResult<void> CreateInstance(const InstanceRecord& instance) override;
  StoreResult<InstanceRecord> GetInstance(std::string_view account_id, std::string_view region_id,
                                          std::string_view instance_id) override;
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
  StoreResult<void> PutSetting(std::string_view key, std::string_view value) override;

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

  StoreResult<void> PutUpgradePolicy(const UpgradePolicyRecord& policy) override;
  StoreResult<std::optional<UpgradePolicyRecord>> GetUpgradePolicy(
      std::string_view serial_number, std::string_view version_type) override;
  StoreResult<std::vector<UpgradePolicyRecord>> ListDueUpgradePolicies(int64_t now_ms,
                                                                       int64_t limit) override;
  StoreResult<bool> AdvanceUpgradePolicy(const UpgradePolicyRecord& moved,
                                         int64_t expected_next_run_ms) override;

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
  StoreResult<void> RecordNonces(const std::vector<NonceRecord>& nonces) override;
  StoreResult<void> ForEachNonce(int64_t now_ms,
                                 const std::function<void(const NonceRecord&)>& f) override;

  StoreResult<std::vector<ConfigFacetChange>> SetConfigFacets(
      const ConfigFacetUpdate& update) override;

  StoreResult<AclCreateOutcome> CreateAcl(const AclRecord& acl, int64_t max_per_region) override;
  StoreResult<AclRecord> GetAcl(std::string_view account_id, std::string_view region_id,
                                std::string_view acl_id) override;
  StoreResult<AclPage> ListAcls(const AclFilter& filter) override;
  StoreResult<void> RenameAcl(std::string_view account_id, std::string_view region_id,
                              std::string_view acl_id, std::string_view name) override;
  StoreResult<std::vector<std::string>> DeleteAcl(std::string_view account_id,
                                                  std::string_view region_id,
                                                  std::string_view acl_id) override;
  StoreResult<AclRuleResult> AddAclRule(std::string_view account_id, std::string_view region_id,
                                        const AclRuleRecord& rule, int64_t max_rules) override;
  StoreResult<AclRuleResult> ReplaceAclRule(std::string_view account_id, std::string_view region_id,
                                            const AclRuleRecord& rule) override;
  StoreResult<AclRuleResult> DeleteAclRule(std::string_view account_id, std::string_view region_id,
                                           std::string_view acl_id,
                                           std::string_view rule_id) override;
  StoreResult<std::vector<AclRuleRecord>> ListAclRules(std::string_view account_id,
                                                       std::string_view region_id,
                                                       std::string_view acl_id) override;
  StoreResult<std::vector<std::string>> ListAclInstances(std::string_view account_id,
                                                         std::string_view region_id,
                                                         std::string_view acl_id) override;
  StoreResult<AclAssociateOutcome> AssociateAcl(std::string_view account_id,
                                                std::string_view region_id, std::string_view acl_id,
                                                std::string_view instance_id,
                                                int64_t now_ms) override;
  StoreResult<AclDisassociateOutcome> DisassociateAcl(std::string_view account_id,
                                                      std::string_view region_id,
                                                      std::string_view acl_id,
                                                      std::string_view instance_id) override;
  StoreResult<std::map<std::string, std::string>> AclsOfInstances(
      std::string_view account_id, const std::vector<std::string>& instance_ids) override;
  StoreResult<AclConfig> ReadAclConfig(std::string_view account_id,
                                       const std::vector<std::string>& instance_ids) override;
  // Grants, CEN, VBR (sql_grants.cc).
  StoreResult<std::pair<SagGrantOutcome, std::string>> GrantSagToCcn(
      const SagCcnGrantRecord& grant) override;
  StoreResult<SagRevokeOutcome> RevokeSagFromCcn(std::string_view account_id,
                                                 std::string_view region_id,
                                                 std::string_view instance_id,
                                                 std::string_view ccn_id) override;
  StoreResult<GrantPage<SagCcnGrantRecord>> ListSagCcnGrants(std::string_view account_id,
                                                             std::string_view region_id,
                                                             std::string_view instance_id,
                                                             int64_t offset,
                                                             int64_t limit) override;
  StoreResult<std::vector<SagCcnGrantRecord>> ListGrantsToCcn(std::string_view ccn_uid,
                                                              std::string_view ccn_id) override;
  StoreResult<GrantedBindOutcome> BindGrantedInstance(std::string_view caller_account_id,
                                                      std::string_view ccn_id,
                                                      std::string_view owner_account_id,
                                                      std::string_view instance_id,
                                                      bool bind) override;
  StoreResult<CenOutcome> GrantCcnToCen(const CenGrantRecord& grant) override;
  StoreResult<CenOutcome> RevokeCcnFromCen(std::string_view account_id, std::string_view region_id,
                                           std::string_view ccn_id,
                                           std::string_view cen_id) override;
  StoreResult<GrantPage<CenGrantRecord>> ListCenGrants(std::string_view account_id,
                                                       std::string_view region_id,
                                                       std::string_view ccn_id, int64_t offset,
                                                       int64_t limit) override;
  StoreResult<CenOutcome> AttachCcnToCen(std::string_view account_id, std::string_view region_id,
                                         std::string_view ccn_id, std::string_view cen_id,
                                         int64_t now_ms) override;
  StoreResult<CenOutcome> DetachCcnFromCen(std::string_view account_id, std::string_view region_id,
                                           std::string_view ccn_id,
                                           std::string_view cen_id) override;
  StoreResult<std::string> GetCcnCen(std::string_view ccn_id) override;
  StoreResult<VbrGrantOutcome> GrantSagToVbr(const VbrGrantRecord& grant) override;
  StoreResult<VbrGrantOutcome> RevokeSagFromVbr(std::string_view account_id,
                                                std::string_view region_id,
                                                std::string_view instance_id,
                                                std::string_view vbr_id) override;
  StoreResult<GrantPage<VbrGrantRecord>> ListVbrGrants(std::string_view account_id,
                                                       std::string_view region_id,
                                                       std::string_view instance_id,
                                                       std::string_view vbr_id, int64_t offset,
                                                       int64_t limit) override;
  StoreResult<VbrBindOutcome> BindVbr(const VbrBindRequest& request) override;
  StoreResult<VbrBindOutcome> UnbindVbr(const VbrBindRequest& request) override;
  StoreResult<std::vector<VbrBindingRecord>> ListVbrBindings(
      const std::vector<std::string>& vbr_ids, std::string_view vbr_region_id) override;

  // Flow logs (sql_flow_logs.cc).
  StoreResult<bool> CreateFlowLog(const FlowLogRecord& flow_log, int64_t max_per_region) override;
  StoreResult<FlowLogRecord> GetFlowLog(std::string_view account_id, std::string_view region_id,
                                        std::string_view id) override;
  StoreResult<FlowLogPage> ListFlowLogs(const FlowLogFilter& filter) override;
  StoreResult<FlowLogRecord> UpdateFlowLog(const FlowLogRecord& flow_log) override;
  StoreResult<void> DeleteFlowLog(std::string_view account_id, std::string_view region_id,
                                  std::string_view id) override;
  StoreResult<FlowLogLinkOutcome> LinkFlowLog(std::string_view account_id,
                                              std::string_view region_id,
                                              std::string_view flow_log_id,
                                              std::string_view instance_id,
                                              bool associate) override;
  StoreResult<std::pair<std::vector<FlowLogInstance>, int64_t>> ListFlowLogInstances(
      std::string_view account_id, std::string_view region_id, std::string_view flow_log_id,
      int64_t offset, int64_t limit) override;
  StoreResult<std::vector<FlowLogInstance>> ListInstancesWithoutFlowLog(
      std::string_view account_id, std::string_view region_id) override;
  StoreResult<std::optional<std::string>> FlowLogOfInstance(std::string_view instance_id) override;

  // Device secrets (sql_device_secrets.cc).
  StoreResult<void> RotateDeviceSecret(std::string_view instance_id, std::string_view serial_number,
                                       std::string_view sealed_secret, int64_t now_ms) override;
  StoreResult<ResetOutcome> ResetAccounts(std::string_view account_id) override;
  StoreResult<void> AppendAuditEvents(const std::vector<AuditEventRecord>& events) override;
  StoreResult<AuditPage> LookupAuditEvents(const AuditQuery& query) override;
  StoreResult<int64_t> PurgeAuditEvents(int64_t before_ms, int64_t limit) override;

  StoreResult<std::vector<std::pair<std::string, int64_t>>> CountUpgradesByState() override;

 protected:
  using Work = std::function<StoreResult<void>(sql::Connection&)>;

  // Runs work as one transaction of kind txn on a connection of the backend: committed when work
  // succeeds and rolled back otherwise. A backend may rerun work (after a serialization failure,
  // or a connection lost before anything was committed), so work resets what it writes outside
  // the database before it starts.
  virtual StoreResult<void> RunTransaction(sql::Txn txn, const Work& work) = 0;

  // Called inside PutSetting's transaction after the setting changed: a backend shared by several
  // nodes tells the others when it commits. Default: nothing.
  virtual StoreResult<void> AnnounceSettingChanged(sql::Connection& conn, std::string_view key);

  // f(conn) as one transaction of kind txn; returns f's result.
  template <typename F>
  auto Transact(sql::Txn txn, F&& f) -> std::invoke_result_t<F&, sql::Connection&>;
};

namespace sql_store_internal {
template <typename R>
struct ValueOf;
template <typename T>
struct ValueOf<StoreResult<T>> {
  using type = T;
};
}  // namespace sql_store_internal

template <typename F>
auto SqlStore::Transact(sql::Txn txn, F&& f) -> std::invoke_result_t<F&, sql::Connection&> {
  using R = std::invoke_result_t<F&, sql::Connection&>;
  using T = typename sql_store_internal::ValueOf<R>::type;
  if constexpr (std::is_void_v<T>) {
    return RunTransaction(txn, [&f](sql::Connection& conn) { return f(conn); });
  } else {
    std::optional<T> out;
    auto done = RunTransaction(txn, [&](sql::Connection& conn) -> StoreResult<void> {
      out.reset();
      R r = f(conn);
      if (!r) return MakeUnexpected(std::move(r).error());
      out.emplace(std::move(r).value());
      return {};
    });
    if (!done) return R(MakeUnexpected(std::move(done).error()));
    return R(std::move(*out));
  }
}

}  // namespace sag::store
