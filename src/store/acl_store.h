// Access control lists: ACLs of an account in a region, their rules, and which instances they are
// associated with (at most one ACL per instance), plus the read the `acl` configuration facet is
// computed from. The part of the store behind CreateACL and its family; Store inherits it.
//
// Every method that changes an ACL, a rule or an association first raises the account's
// configuration revision (config_facet_store.h), which also runs the account's configuration
// changes one at a time, so the checks each method makes stay true until it commits.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

// Included by store/store.h after StoreResult is defined: include store/store.h, not this file.

namespace sag::store {

// An ACL. Ids are unique server-wide.
struct AclRecord {
  std::string id;  // acl-...
  std::string account_id;
  std::string region_id;
  std::string name;
  std::string acl_type;  // acl-hardware | acl-software
  std::string resource_group_id;
  int64_t create_ms = 0;
  int64_t instance_count = 0;  // filled on reads: the instances associated; ignored on create
};

// One rule of an ACL. Rules are evaluated by priority (lower first), ties by creation order.
struct AclRuleRecord {
  std::string id;  // acr-...
  std::string acl_id;
  std::string name;
  std::string description;
  std::string direction;  // in | out
  std::string type;       // LAN | WAN
  std::string policy;     // accept | drop
  int64_t priority = 1;
  std::string ip_protocol;  // as the caller wrote it
  std::string source_cidr;
  std::string source_port_range;  // "from/to", "-1/-1" = any
  std::string dest_cidr;
  std::string dest_port_range;
  std::vector<std::string> dpi_group_ids;
  std::vector<std::string> dpi_signature_ids;
  int64_t create_ms = 0;
};

// Selects ACLs of one account. Empty fields do not filter (an empty region matches any region).
struct AclFilter {
  std::string account_id;
  std::string region_id;
  std::vector<std::string> ids;  // any of
  std::string name;              // exact match
  std::string acl_type;
  int64_t offset = 0;
  int64_t limit = 10;
};

// One page of ACLs, ordered by creation time then id, and the total that match the filter.
struct AclPage {
  std::vector<AclRecord> items;
  int64_t total = 0;
};

// What CreateAcl did; kLimitReached changed nothing.
enum class AclCreateOutcome {
  kCreated,
  kLimitReached,  // the account holds max_per_region ACLs in the region already
};

// What a rule change did; everything but kDone changed nothing.
enum class AclRuleOutcome {
  kDone,
  kAclNotFound,   // no such ACL in (account, region)
  kRuleNotFound,  // the ACL has no such rule
  kLimitReached,  // the ACL holds max_rules rules already (AddAclRule)
  kWanOnSag1000,  // a WAN rule in an ACL associated with a sag-1000 instance
};

// The outcome of a rule change, with (kDone) the rule as stored (for a deletion: as it was) and
// the instances the ACL is associated with, in association order.
struct AclRuleResult {
  AclRuleOutcome outcome = AclRuleOutcome::kAclNotFound;
  AclRuleRecord rule;
  std::vector<std::string> instance_ids;
};

// What AssociateAcl did; everything but kAssociated changed nothing. Checked in this order.
enum class AclAssociateOutcome {
  kAssociated,
  kInstanceNotFound,   // no such instance in (account, region)
  kAclNotFound,        // no such ACL in (account, region)
  kAlreadyAssociated,  // the instance is associated with this ACL already
  kOtherAssociated,    // the instance is associated with another ACL (one per instance)
  kSoftwareInstance,   // a SAG app instance and an acl-hardware ACL
  kTypeMismatch,       // a hardware instance and an acl-software ACL
  kWanOnSag1000,       // a sag-1000 instance and an ACL holding a WAN rule
};

// What DisassociateAcl did; everything but kDisassociated changed nothing.
enum class AclDisassociateOutcome {
  kDisassociated,
  kInstanceNotFound,
  kAclNotFound,
  kNotAssociated,  // the instance is not associated with this ACL
};

// What the `acl` configuration facet of some instances is computed from, read at one revision.
struct AclConfig {
  int64_t revision = 0;  // the account's configuration revision of the read
  struct Instance {
    std::string instance_id;
    std::vector<std::string> serial_numbers;  // bind order
    std::string acl_id;                       // "" when none is associated
  };
  std::vector<Instance> instances;  // those of the request that exist, in request order
  // The rules of each ACL named in instances, in evaluation order (priority, creation time, id).
  std::map<std::string, std::vector<AclRuleRecord>> rules;
};

class AclStore {
 public:
  virtual ~AclStore() = default;

  // ACLs are scoped to (account, region) like instances: an empty region matches any region, and
  // another account's ACL is kNotFound. CreateAcl: kAlreadyExists when the id is taken (in any
  // account), then kLimitReached.
  virtual StoreResult<AclCreateOutcome> CreateAcl(const AclRecord& acl, int64_t max_per_region) = 0;
  virtual StoreResult<AclRecord> GetAcl(std::string_view account_id, std::string_view region_id,
                                        std::string_view acl_id) = 0;
  virtual StoreResult<AclPage> ListAcls(const AclFilter& filter) = 0;
  // kNotFound when missing.
  virtual StoreResult<void> RenameAcl(std::string_view account_id, std::string_view region_id,
                                      std::string_view acl_id, std::string_view name) = 0;
  // Deletes the ACL, its rules and its associations; returns the instances it was associated
  // with, in association order. kNotFound when missing.
  virtual StoreResult<std::vector<std::string>> DeleteAcl(std::string_view account_id,
                                                          std::string_view region_id,
                                                          std::string_view acl_id) = 0;

  // Adds rule (its acl_id names the ACL): kAclNotFound → kLimitReached (max_rules) →
  // kWanOnSag1000.
  virtual StoreResult<AclRuleResult> AddAclRule(std::string_view account_id,
                                                std::string_view region_id,
                                                const AclRuleRecord& rule, int64_t max_rules) = 0;
  // Replaces every field of the rule (rule.acl_id, rule.id) but create_ms: kAclNotFound →
  // kRuleNotFound → kWanOnSag1000.
  virtual StoreResult<AclRuleResult> ReplaceAclRule(std::string_view account_id,
                                                    std::string_view region_id,
                                                    const AclRuleRecord& rule) = 0;
  // kAclNotFound → kRuleNotFound.
  virtual StoreResult<AclRuleResult> DeleteAclRule(std::string_view account_id,
                                                   std::string_view region_id,
                                                   std::string_view acl_id,
                                                   std::string_view rule_id) = 0;
  // The ACL's rules in evaluation order; kNotFound when the ACL is missing.
  virtual StoreResult<std::vector<AclRuleRecord>> ListAclRules(std::string_view account_id,
                                                               std::string_view region_id,
                                                               std::string_view acl_id) = 0;
  // The instances the ACL is associated with, in association order; kNotFound when missing.
  virtual StoreResult<std::vector<std::string>> ListAclInstances(std::string_view account_id,
                                                                 std::string_view region_id,
                                                                 std::string_view acl_id) = 0;

  // Associates the instance with the ACL (both in (account, region)); outcomes in the order of
  // AclAssociateOutcome. Whatever the number of concurrent
  // callers, an instance is never associated with two ACLs (its id is the association's key).
  virtual StoreResult<AclAssociateOutcome> AssociateAcl(std::string_view account_id,
                                                        std::string_view region_id,
                                                        std::string_view acl_id,
                                                        std::string_view instance_id,
                                                        int64_t now_ms) = 0;
  virtual StoreResult<AclDisassociateOutcome> DisassociateAcl(std::string_view account_id,
                                                              std::string_view region_id,
                                                              std::string_view acl_id,
                                                              std::string_view instance_id) = 0;
  // For each instance of the account that has one, the ACL it is associated with.
  virtual StoreResult<std::map<std::string, std::string>> AclsOfInstances(
      std::string_view account_id, const std::vector<std::string>& instance_ids) = 0;

  // What the acl facet of the account's instances is computed from, in one consistent read.
  virtual StoreResult<AclConfig> ReadAclConfig(std::string_view account_id,
                                               const std::vector<std::string>& instance_ids) = 0;
};

}  // namespace sag::store
