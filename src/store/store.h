// The store: one interface over everything sagd keeps durably, written once over SQL
// (store/sql/sql_store.h) and run on SQLite (store/sqlite, the embedded default) or PostgreSQL
// (store/pg, several nodes on one database). Every method is one atomic transaction; an OK return
// means the change is durable. Methods are thread-safe. The store knows nothing of JSON or of the
// wire format.
//
// The contract every backend keeps (tests/store/*_contract_test.cc check it on each):
//   - Errors: StoreErrorCode (store_result.h). A method that looks a record up fails kNotFound
//     when it is missing or belongs to another account; a create whose key is taken fails
//     kAlreadyExists; a change that would break an invariant (a record still referenced) fails
//     kConflict; kUnavailable means the database could not be reached or stayed busy.
//   - Conditional methods (binding, activation, CCN binding, client-user creation) return an
//     outcome enum instead: the first failing check, in the order documented on the method, decides
//     it, and every outcome but the success changed nothing. The decisions are the pure functions
//     of store/decisions.h, run inside the method's transaction.
//   - Orders: lists return records in creation order (create_ms), ties broken by the record's key
//     compared bytewise: accounts by id, users and policies by name, AccessKeys and instances by
//     id, devices by serial number, CCNs by id. Lists of something under a missing user or account
//     are empty. An instance's serial numbers are in bind order. Negative offsets and limits count
//     as 0.
//   - Races: whatever the number of concurrent callers (threads, processes or nodes), the
//     invariants stated on each method hold; the schema's keys enforce the uniqueness ones on top.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "store/audit_store.h"
#include "store/cluster_store.h"
#include "store/domain_states.h"
#include "store/fleet_stats_store.h"
#include "store/reset_store.h"
#include "store/store_result.h"
#include "store/upgrade_policy_store.h"
#include "store/version_store.h"

namespace sag::store {

// A tenant. The operator account is created at first start and may call operator-only actions.
struct AccountRecord {
  std::string id;  // 16 digits
  std::string name;
  bool is_operator = false;
  int64_t create_ms = 0;
};

// A user of an account. The account's root user ("root") is not subject to RAM policies.
struct UserRecord {
  std::string account_id;
  std::string name;
  std::string display_name;
  bool is_root = false;
  int64_t create_ms = 0;
};

// An AccessKey. The secret is stored sealed (encrypted) by the caller; the store never sees it
// plain.
struct AccessKeyRecord {
  std::string id;
  std::string account_id;
  std::string user_name;
  std::string sealed_secret;  // bytes from SecretBox::Seal
  bool enabled = true;
  int64_t create_ms = 0;
};

// A RAM policy document (Alibaba policy JSON, stored verbatim).
struct PolicyRecord {
  std::string account_id;
  std::string name;
  std::string description;
  std::string document;
  int64_t create_ms = 0;
};

// A SAG instance (hardware CPE, vCPE or app).
struct InstanceRecord {
  std::string id;  // sag-...
  std::string account_id;
  std::string region_id;
  std::string name;
  std::string description;
  InstanceStatus status = InstanceStatus::kInit;
  std::string instance_type;  // "hardware" | "software"
  std::string hardware_spec;  // sag-100wm | sag-1000 | sag-vcpe | sag-software
  HaType ha_type = HaType::kNoBackup;
  int64_t max_bandwidth = 0;     // Mbit/s
  std::string cidr_block;        // comma-separated CIDRs, may be empty
  std::string routing_strategy;  // static | dynamic
  int64_t security_lock_threshold = 0;
  std::string position;
  bool enable_software_connection_audit = false;
  std::string charge_type;
  int64_t period_months = 0;
  std::string order_id;
  std::string resource_group_id;
  std::string ccn_id;  // empty when not bound to a CCN
  int64_t user_count = 0;
  int64_t data_plan = 0;
  int64_t create_ms = 0;
  int64_t end_ms = 0;
  int64_t up_bandwidth_wan = 0;  // upstream caps of the WAN port and the 4G link, Mbit/s; 0 = none
  int64_t up_bandwidth_4g = 0;
  // The serial numbers of the devices bound to the instance, in bind order: the first is the
  // active (main) device, the second the standby. Filled by every read (GetInstance,
  // ListInstances, UpdateInstance); ignored by CreateInstance (bind with BindSerialNumber).
  std::vector<std::string> serial_numbers;
};

// Selects instances of one account. Empty/unset fields do not filter.
struct InstanceFilter {
  std::string account_id;
  std::string region_id;
  std::vector<std::string> ids;  // any of
  std::string name;
  std::optional<InstanceStatus> status;
  std::string instance_type;
  std::string hardware_spec;
  std::string ccn_id;
  int64_t offset = 0;
  int64_t limit = 10;
  // Only the instance the device with this serial number is bound to.
  std::string serial_number;
  // Only instances not bound to a CCN (ccn_id empty).
  bool without_ccn = false;
  // Only instances associated with this ACL; only instances associated with none of these ACLs.
  std::string acl_id;
  std::vector<std::string> not_acl_ids;
  // Set: only expired instances (true) or only unexpired ones (false), judged at now_ms. An
  // instance is expired when end_ms > 0 && end_ms <= now_ms; end_ms 0 never expires.
  std::optional<bool> expired;
  int64_t now_ms = 0;
};

// One page of instances, ordered by creation time then id, and the total that match the filter.
struct InstancePage {
  std::vector<InstanceRecord> items;
  int64_t total = 0;
};

// An inclusive range of IPv4 addresses (host order) a ClientIp may be allocated from.
struct ClientIpRange {
  uint32_t first = 0;
  uint32_t last = 0;
};

// Fields to change on an instance; unset fields stay as they are.
struct InstancePatch {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<InstanceStatus> status;
  std::optional<std::string> cidr_block;
  std::optional<std::string> routing_strategy;
  std::optional<int64_t> security_lock_threshold;
  std::optional<std::string> position;
  std::optional<bool> enable_software_connection_audit;
  std::optional<std::string> ccn_id;
  std::optional<int64_t> end_ms;
  std::optional<int64_t> max_bandwidth;
  std::optional<int64_t> up_bandwidth_wan;
  std::optional<int64_t> up_bandwidth_4g;
  // With cidr_block: every client user of the instance must keep its ClientIp inside these ranges
  // (the new block's usable addresses), checked in the same transaction; kConflict otherwise.
  std::optional<std::vector<ClientIpRange>> client_ips_within;
};

// A device of the inventory, keyed by its serial number, with its binding (if any). A device is
// bound to at most one instance server-wide.
struct DeviceRecord {
  std::string serial_number;
  std::string hardware_model;  // sag-100wm | sag-1000 | sag-vcpe
  std::string sealed_secret;   // device secret sealed by the caller (may be empty)
  // True when sagd generated the secret as it bound the device (open registry, see
  // BindSerialNumberRequest::sealed_secret): the account the device is bound to may read it.
  // False for a secret the operator gave (RegisterDevice, which ignores this field).
  bool secret_generated = false;
  bool retired = false;  // a retired device can no longer be bound
  int64_t create_ms = 0;
  int64_t secret_ms = 0;  // when RotateDeviceSecret last replaced the secret (0 = never)
  // The binding, filled on reads and ignored by RegisterDevice: all empty/0 when unbound.
  std::string account_id;  // the account of the instance the device is bound to
  std::string instance_id;
  int64_t bound_ms = 0;
  // Runtime, as last reported over the device channel (filled on reads, ignored by
  // RegisterDevice; set with RecordDeviceConnected / RecordDeviceOffline). "" / 0 when never seen.
  std::string firmware_version;
  std::string dpi_version;
  int64_t boot_ms = 0;            // when the device last booted (its own report)
  int64_t last_connected_ms = 0;  // when its last session authenticated
  int64_t last_offline_ms = 0;    // when its last session ended
  std::string offline_reason;     // lease_expired | closed | replaced | server_shutdown
};

// Device facet names (docs/device-protocol.md §4).
inline constexpr std::string_view kFacetAdminPassword = "admin_password";
inline constexpr std::string_view kFacetReboot = "reboot";
inline constexpr std::string_view kFacetFirmware = "firmware";
inline constexpr std::string_view kFacetDpi = "dpi";
// Configuration facets (ops/config_facets.h).
inline constexpr std::string_view kFacetAcl = "acl";

// One facet of a device: what the server wants (desired generation and value) and what the device
// confirmed. The facet is synchronized when applied_generation >= desired_generation.
struct DeviceFacetRecord {
  std::string serial_number;
  std::string facet;
  int64_t desired_generation = 0;  // 0 = never set
  std::string desired_value;       // JSON text; for admin_password {"hash":"$argon2id$..."}
  int64_t applied_generation = 0;  // the highest generation the device confirmed applied
  int64_t result_generation = 0;   // the generation last_result refers to
  std::string last_result;         // "" | ok | failed | reverted
  std::string last_detail;
  int64_t update_ms = 0;
};

// What SetDesiredFacet did.
enum class DesiredOutcome {
  kSet,             // the value is the facet's desired value under the returned generation
  kUnsynchronized,  // require_synchronized, and the device has not confirmed the facet's current
                    // desired generation: nothing changed
};

// The outcome of SetDesiredFacet and, with kSet, the new desired generation.
struct DesiredResult {
  DesiredOutcome outcome = DesiredOutcome::kSet;
  int64_t generation = 0;
};

// Binds a device to an instance (see Store::BindSerialNumber).
struct BindSerialNumberRequest {
  std::string account_id, region_id, instance_id, serial_number;
  int max_devices = 1;            // from the instance's HA type, decided by the caller
  bool register_unknown = false;  // open registry: create the device (model = instance's
                                  // hardware_spec) when absent
  int64_t now_ms = 0;             // bound_ms, and create_ms of a device created on bind
  // A new sealed secret, or empty. With kBound it becomes the device's secret (secret_generated)
  // when the device is created by this bind, or already had a generated secret (every binding of
  // such a device gets a new one, so an earlier binder's copy no longer authenticates), or had no
  // secret at all; a secret the operator gave is kept.
  std::string sealed_secret = {};
};

// What BindSerialNumber did; everything but kBound changed nothing.
enum class BindOutcome {
  kBound,             // the device is now bound to the instance (last in bind order)
  kInstanceNotFound,  // no such instance in (account, region)
  kDeviceUnknown,     // no such device, and register_unknown was false
  kDeviceRetired,     // the device is retired
  kModelMismatch,     // the device's hardware_model differs from the instance's hardware_spec
  kBoundElsewhere,    // the device is bound to another instance (of whatever account)
  kAlreadyBoundHere,  // the device is bound to this instance already
  kInstanceFull,      // the instance has max_devices devices bound already
};

// What UnbindSerialNumber did; everything but kUnbound changed nothing.
enum class UnbindOutcome {
  kUnbound,           // the device is unbound (the next one in bind order becomes the first)
  kInstanceNotFound,  // no such instance in (account, region)
  kNotBoundHere,      // the device is unknown, unbound, or bound to another instance
};

// What ActivateInstance did; everything but kActivated changed nothing.
enum class ActivateOutcome {
  kActivated,         // status was not Active and a device is bound: status is now Active
  kAlreadyActive,     // status is Active already (checked before kNoDevice)
  kInstanceNotFound,  // no such instance in (account, region)
  kNoDevice,          // no device is bound to the instance
};

// A Cloud Connect Network of an account in a region. Ids are unique server-wide.
struct CcnRecord {
  std::string id;  // ccn-...
  std::string account_id;
  std::string region_id;
  std::string name;
  std::string description;
  std::string cidr_block;
  bool is_default = false;
  std::string interworking_status = "enable";  // enable | disable
  int64_t create_ms = 0;
  int64_t instance_count = 0;  // filled on reads: the instances bound to the CCN; ignored on create
};

// Selects CCNs of one account. Empty fields do not filter (an empty region matches any region).
struct CcnFilter {
  std::string account_id;
  std::string region_id;
  std::vector<std::string> ids;  // any of
  std::string name;              // exact match
  int64_t offset = 0;
  int64_t limit = 10;
};

// One page of CCNs, ordered by creation time then id, and the total that match the filter.
struct CcnPage {
  std::vector<CcnRecord> items;
  int64_t total = 0;
};

// Fields to change on a CCN; unset fields stay as they are.
struct CcnPatch {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::string> cidr_block;
  std::optional<std::string> interworking_status;
};

// What BindInstanceToCcn did; everything but kBound changed nothing.
enum class CcnBindOutcome {
  kBound,             // the instance's ccn_id is now the CCN's id
  kInstanceNotFound,  // no such instance in (account, region)
  kCcnNotFound,       // no such CCN in the instance's account and region
  kBoundToOther,      // the instance is bound to another CCN
  kAlreadyBound,      // the instance is bound to this CCN already
};

// What UnbindInstanceFromCcn did; everything but kUnbound changed nothing.
enum class CcnUnbindOutcome {
  kUnbound,           // the instance's ccn_id is now empty
  kInstanceNotFound,  // no such instance in (account, region)
  kCcnNotFound,       // no such CCN in the instance's account and region
  kNotBound,          // the instance is not bound to this CCN
};

}  // namespace sag::store

#include "store/acl_store.h"           // needs StoreResult above
#include "store/client_user_store.h"   // needs StoreResult above
#include "store/config_facet_store.h"  // needs StoreResult above
#include "store/device_secret_store.h"
#include "store/flow_log_store.h"
#include "store/grant_store.h"

namespace sag::store {

// The durable state of sagd.
class Store : public ClientUserStore,
              public VersionStore,
              public UpgradePolicyStore,
              public ClusterStore,
              public ConfigFacetStore,
              public AclStore,
              public GrantStore,
              public FlowLogStore,
              public DeviceSecretStore,
              public ResetStore,
              public AuditStore,
              public FleetStatsStore {
 public:
  virtual ~Store() = default;

  // Accounts. CreateAccount: kAlreadyExists when the id is taken.
  virtual StoreResult<void> CreateAccount(const AccountRecord& account) = 0;
  virtual StoreResult<AccountRecord> GetAccount(std::string_view account_id) = 0;
  virtual StoreResult<std::vector<AccountRecord>> ListAccounts() = 0;

  // Users, unique by (account, name). DeleteUser: kNotFound when missing, then kConflict while the
  // user has AccessKeys; it also detaches the user's policies.
  virtual StoreResult<void> CreateUser(const UserRecord& user) = 0;
  virtual StoreResult<UserRecord> GetUser(std::string_view account_id, std::string_view name) = 0;
  virtual StoreResult<std::vector<UserRecord>> ListUsers(std::string_view account_id) = 0;
  virtual StoreResult<void> DeleteUser(std::string_view account_id, std::string_view name) = 0;

  // AccessKeys, unique by id across all accounts. CreateAccessKey: kNotFound when the user does not
  // exist, then kAlreadyExists when the id is taken. GetAccessKey looks up by id alone
  // (authentication); the others are scoped to an account. ListAccessKeys: the user's keys, or
  // every key of the account when user_name is empty.
  virtual StoreResult<void> CreateAccessKey(const AccessKeyRecord& key) = 0;
  virtual StoreResult<AccessKeyRecord> GetAccessKey(std::string_view key_id) = 0;
  virtual StoreResult<std::vector<AccessKeyRecord>> ListAccessKeys(std::string_view account_id,
                                                                   std::string_view user_name) = 0;
  virtual StoreResult<void> SetAccessKeyEnabled(std::string_view account_id,
                                                std::string_view key_id, bool enabled) = 0;
  virtual StoreResult<void> DeleteAccessKey(std::string_view account_id,
                                            std::string_view key_id) = 0;

  // Policies, unique by (account, name). DeletePolicy: kNotFound, then kConflict while attached to
  // a user. AttachPolicy: kNotFound when the policy, then the user, is missing; kAlreadyExists when
  // attached already. DetachPolicy: kNotFound when the policy is not attached to the user (or
  // either is missing).
  virtual StoreResult<void> CreatePolicy(const PolicyRecord& policy) = 0;
  virtual StoreResult<PolicyRecord> GetPolicy(std::string_view account_id,
                                              std::string_view name) = 0;
  virtual StoreResult<std::vector<PolicyRecord>> ListPolicies(std::string_view account_id) = 0;
  virtual StoreResult<void> DeletePolicy(std::string_view account_id, std::string_view name) = 0;
  virtual StoreResult<void> AttachPolicy(std::string_view account_id, std::string_view policy_name,
                                         std::string_view user_name) = 0;
  virtual StoreResult<void> DetachPolicy(std::string_view account_id, std::string_view policy_name,
                                         std::string_view user_name) = 0;
  virtual StoreResult<std::vector<PolicyRecord>> ListPoliciesForUser(
      std::string_view account_id, std::string_view user_name) = 0;

  // Instances. Lookups are scoped to (account, region); an empty region matches any region. Another
  // account's instance is kNotFound, exactly like a missing one. CreateInstance: kAlreadyExists
  // when the id is taken, in any account.
  virtual StoreResult<void> CreateInstance(const InstanceRecord& instance) = 0;
  virtual StoreResult<InstanceRecord> GetInstance(std::string_view account_id,
                                                  std::string_view region_id,
                                                  std::string_view instance_id) = 0;
  virtual StoreResult<InstancePage> ListInstances(const InstanceFilter& filter) = 0;
  // Applies patch and returns the instance as stored afterwards: kNotFound, then (with
  // client_ips_within) kConflict when a client user's ClientIp would fall outside.
  virtual StoreResult<InstanceRecord> UpdateInstance(std::string_view account_id,
                                                     std::string_view region_id,
                                                     std::string_view instance_id,
                                                     const InstancePatch& patch) = 0;
  // Also unbinds the instance's devices (they stay in the inventory), in the same transaction.
  virtual StoreResult<void> DeleteInstance(std::string_view account_id, std::string_view region_id,
                                           std::string_view instance_id) = 0;

  // The device inventory, keyed by serial number server-wide. RegisterDevice: kAlreadyExists when
  // the serial number is taken; the binding fields of the record are ignored (a new device is
  // unbound). GetDevice: kNotFound. ListDevices: ordered by create_ms then serial number (negative
  // offset/limit count as 0). RetireDevice: kNotFound when missing, kConflict while bound;
  // retiring a retired device is OK.
  virtual StoreResult<void> RegisterDevice(const DeviceRecord& device) = 0;
  virtual StoreResult<DeviceRecord> GetDevice(std::string_view serial_number) = 0;
  virtual StoreResult<std::vector<DeviceRecord>> ListDevices(int64_t offset, int64_t limit) = 0;
  virtual StoreResult<int64_t> CountDevices() = 0;
  virtual StoreResult<void> RetireDevice(std::string_view serial_number) = 0;
  // Device runtime. RecordDeviceConnected sets versions, boot time and last_connected_ms;
  // RecordDeviceOffline sets last_offline_ms and offline_reason. kNotFound when the device is
  // missing.
  virtual StoreResult<void> RecordDeviceConnected(std::string_view serial_number,
                                                  std::string_view firmware_version,
                                                  std::string_view dpi_version, int64_t boot_ms,
                                                  int64_t now_ms) = 0;
  virtual StoreResult<void> RecordDeviceOffline(std::string_view serial_number,
                                                std::string_view reason, int64_t now_ms) = 0;

  // Device facets (desired / applied state). SetDesiredFacet stores value as the facet's desired
  // value under a new generation, max(desired, applied, result) + 1 (so the change is newer than
  // every generation the device ever reported, even one the server does not remember), and
  // returns it. With require_synchronized it does so only while applied >= desired (no change of
  // the facet is unconfirmed; a facet without a row counts as synchronized), else kUnsynchronized;
  // the check and the change are one atomic step, so of concurrent callers exactly one succeeds.
  // RecordApplied stores the device's report for generation: result "ok" raises
  // applied_generation to generation (it never lowers it); any result sets result_generation,
  // last_result and last_detail. Both: kNotFound when the device is missing. GetDeviceFacets: the
  // facets that have a row, ordered by name (empty for an unknown device).
  virtual StoreResult<DesiredResult> SetDesiredFacet(std::string_view serial_number,
                                                     std::string_view facet, std::string_view value,
                                                     int64_t now_ms, bool require_synchronized) = 0;
  virtual StoreResult<void> RecordApplied(std::string_view serial_number, std::string_view facet,
                                          int64_t generation, std::string_view result,
                                          std::string_view detail, int64_t now_ms) = 0;
  virtual StoreResult<std::vector<DeviceFacetRecord>> GetDeviceFacets(
      std::string_view serial_number) = 0;

  // Binds a device to an instance, atomically: whatever the number of concurrent callers (threads,
  // processes or nodes), a device ends up bound to at most one instance and an instance never has
  // more than max_devices devices (the binding's primary key is the serial number; binders lock
  // the instance row before counting). Checks, in this order, the first failing one deciding the
  // outcome: the instance exists in (account, region) → the device exists (or is created, unbound,
  // with the instance's hardware_spec as model, when register_unknown) → it is not retired → its
  // model equals the instance's hardware_spec → it is not bound to another instance
  // (kBoundElsewhere, whatever that instance's account) → it is not bound to this one
  // (kAlreadyBoundHere) → the instance has fewer than max_devices devices (kInstanceFull). A
  // device created on bind is kept only when the outcome is kBound.
  virtual StoreResult<BindOutcome> BindSerialNumber(const BindSerialNumberRequest& request) = 0;
  // Unbinds the device from the instance (account, region scoped); the device stays in the
  // inventory and the next device in bind order becomes the first (active). Checks: the instance
  // exists → the device is bound to it (kNotBoundHere).
  virtual StoreResult<UnbindOutcome> UnbindSerialNumber(std::string_view account_id,
                                                        std::string_view region_id,
                                                        std::string_view instance_id,
                                                        std::string_view serial_number) = 0;
  // Sets status Active when at least one device is bound, atomically with that check. Checks, in
  // this order: the instance exists → its status is not Active (kAlreadyActive) → a device is
  // bound (kNoDevice).
  virtual StoreResult<ActivateOutcome> ActivateInstance(std::string_view account_id,
                                                        std::string_view region_id,
                                                        std::string_view instance_id) = 0;

  // CCNs, scoped to (account, region) like instances: an empty region matches any region, and
  // another account's CCN is kNotFound. CreateCcn: kAlreadyExists when the id is taken (in any
  // account). UpdateCcn returns the CCN as stored afterwards. DeleteCcn: kNotFound, or kConflict
  // while instances (of any account) are bound to it or it is attached to a CEN; its CEN grants go
  // with it. Reads fill instance_count.
  virtual StoreResult<void> CreateCcn(const CcnRecord& ccn) = 0;
  virtual StoreResult<CcnRecord> GetCcn(std::string_view account_id, std::string_view region_id,
                                        std::string_view ccn_id) = 0;
  virtual StoreResult<CcnPage> ListCcns(const CcnFilter& filter) = 0;
  virtual StoreResult<CcnRecord> UpdateCcn(std::string_view account_id, std::string_view region_id,
                                           std::string_view ccn_id, const CcnPatch& patch) = 0;
  virtual StoreResult<void> DeleteCcn(std::string_view account_id, std::string_view region_id,
                                      std::string_view ccn_id) = 0;
  // Binds the instance (account, region scoped) to a CCN of the same account and region by setting
  // its ccn_id, atomically with the checks, in this order: the instance exists → the CCN exists in
  // the instance's account and region → the instance is not bound to it already (kAlreadyBound) →
  // nor to another (kBoundToOther). A CCN is never deleted while an instance is bound to it.
  virtual StoreResult<CcnBindOutcome> BindInstanceToCcn(std::string_view account_id,
                                                        std::string_view region_id,
                                                        std::string_view instance_id,
                                                        std::string_view ccn_id) = 0;
  // Clears the instance's ccn_id when it is the given CCN (of the same account and region). Checks:
  // the instance exists → the CCN exists → the instance is bound to it (kNotBound).
  virtual StoreResult<CcnUnbindOutcome> UnbindInstanceFromCcn(std::string_view account_id,
                                                              std::string_view region_id,
                                                              std::string_view instance_id,
                                                              std::string_view ccn_id) = 0;

  // Small server-wide settings (e.g. the test clock's offset). GetSetting: nullopt when unset.
  // PutSetting inserts or replaces the value (PostgreSQL also tells every node when it commits).
  virtual StoreResult<std::optional<std::string>> GetSetting(std::string_view key) = 0;
  virtual StoreResult<void> PutSetting(std::string_view key, std::string_view value) = 0;

  // How often callers had to wait for a free database connection, and how long in all (the
  // /metrics figures); all zero for a store without a pool.
  struct PoolStats {
    int64_t waits = 0;
    int64_t wait_ns = 0;
  };
  virtual PoolStats pool_stats() const { return {}; }
};

}  // namespace sag::store
