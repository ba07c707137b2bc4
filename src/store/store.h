// The store: one interface over everything sagd keeps durably. Implementations: sqlite/ (embedded
// default) and, later, pg/. Every method is one atomic transaction; an OK return means the change
// is durable. Methods are thread-safe. The store knows nothing of JSON or of the wire format.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sag::store {

// Why a store call failed. Each operation maps these to its own documented API code.
enum class StoreErrorCode {
  kNotFound,       // the addressed record does not exist (or belongs to another account)
  kAlreadyExists,  // a unique key is taken
  kConflict,       // the change would break an invariant (e.g. record still referenced)
  kUnavailable,    // the database could not be reached or is busy beyond the timeout
  kCorrupt,        // stored data could not be read back
};

// A failed store call: the code, and detail for the log (never for a client).
struct StoreError {
  StoreErrorCode code = StoreErrorCode::kUnavailable;
  std::string detail;
};

template <typename T>
using StoreResult = Result<T, StoreError>;

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
  std::string status;            // Init, Active, ...
  std::string instance_type;     // "hardware" | "software"
  std::string hardware_spec;     // sag-100wm | sag-1000 | sag-vcpe | sag-software
  std::string ha_type;           // no_backup | cold_backup | warm_backup
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
};

// Selects instances of one account. Empty/unset fields do not filter.
struct InstanceFilter {
  std::string account_id;
  std::string region_id;
  std::vector<std::string> ids;  // any of
  std::string name;
  std::string status;  // compared case-insensitively
  std::string instance_type;
  std::string hardware_spec;
  std::string ccn_id;
  int64_t offset = 0;
  int64_t limit = 10;
};

// One page of instances, ordered by creation time then id, and the total that match the filter.
struct InstancePage {
  std::vector<InstanceRecord> items;
  int64_t total = 0;
};

// Fields to change on an instance; unset fields stay as they are.
struct InstancePatch {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::string> status;
  std::optional<std::string> cidr_block;
  std::optional<std::string> routing_strategy;
  std::optional<int64_t> security_lock_threshold;
  std::optional<std::string> position;
  std::optional<bool> enable_software_connection_audit;
  std::optional<std::string> ccn_id;
  std::optional<int64_t> end_ms;
};

// The durable state of sagd.
class Store {
 public:
  virtual ~Store() = default;

  // Accounts. CreateAccount: kAlreadyExists when the id is taken.
  virtual StoreResult<void> CreateAccount(const AccountRecord& account) = 0;
  virtual StoreResult<AccountRecord> GetAccount(std::string_view account_id) = 0;
  virtual StoreResult<std::vector<AccountRecord>> ListAccounts() = 0;

  // Users, unique by (account, name). DeleteUser: kConflict while the user has AccessKeys.
  virtual StoreResult<void> CreateUser(const UserRecord& user) = 0;
  virtual StoreResult<UserRecord> GetUser(std::string_view account_id, std::string_view name) = 0;
  virtual StoreResult<std::vector<UserRecord>> ListUsers(std::string_view account_id) = 0;
  virtual StoreResult<void> DeleteUser(std::string_view account_id, std::string_view name) = 0;

  // AccessKeys, unique by id across all accounts. CreateAccessKey: kNotFound when the user does not
  // exist. GetAccessKey looks up by id alone (authentication); the others are scoped to an account.
  virtual StoreResult<void> CreateAccessKey(const AccessKeyRecord& key) = 0;
  virtual StoreResult<AccessKeyRecord> GetAccessKey(std::string_view key_id) = 0;
  virtual StoreResult<std::vector<AccessKeyRecord>> ListAccessKeys(std::string_view account_id,
                                                                   std::string_view user_name) = 0;
  virtual StoreResult<void> SetAccessKeyEnabled(std::string_view account_id,
                                                std::string_view key_id, bool enabled) = 0;
  virtual StoreResult<void> DeleteAccessKey(std::string_view account_id,
                                            std::string_view key_id) = 0;

  // Policies, unique by (account, name). DeletePolicy: kConflict while attached to a user.
  // AttachPolicy: kNotFound when policy or user is missing, kAlreadyExists when attached already.
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
  // account's instance is kNotFound, exactly like a missing one.
  virtual StoreResult<void> CreateInstance(const InstanceRecord& instance) = 0;
  virtual StoreResult<InstanceRecord> GetInstance(std::string_view account_id,
                                                  std::string_view region_id,
                                                  std::string_view instance_id) = 0;
  virtual StoreResult<InstancePage> ListInstances(const InstanceFilter& filter) = 0;
  // Applies patch and returns the instance as stored afterwards.
  virtual StoreResult<InstanceRecord> UpdateInstance(std::string_view account_id,
                                                     std::string_view region_id,
                                                     std::string_view instance_id,
                                                     const InstancePatch& patch) = 0;
  virtual StoreResult<void> DeleteInstance(std::string_view account_id, std::string_view region_id,
                                           std::string_view instance_id) = 0;

  // Small server-wide settings (e.g. the test clock's offset). GetSetting: nullopt when unset.
  virtual StoreResult<std::optional<std::string>> GetSetting(std::string_view key) = 0;
  virtual StoreResult<void> PutSetting(std::string_view key, std::string_view value) = 0;
};

}  // namespace sag::store
