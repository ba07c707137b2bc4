// Flow logs (export definitions) and which SAG instances they are associated with: the part of the
// store behind CreateFlowLog and its family. An instance belongs to at most one flow log (a schema
// invariant); a flow log with instances cannot be deleted. Lookups are scoped to (account, region)
// like instances. Store inherits it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Included by store/store.h after StoreResult is defined: include store/store.h, not this file.

namespace sag::store {

struct FlowLogRecord {
  std::string id;  // fl-...
  std::string account_id;
  std::string region_id;
  std::string name;
  std::string description;
  int64_t active_aging = 300;  // seconds
  int64_t inactive_aging = 15;
  std::string output_type;  // sls | netflow | all
  std::string sls_region_id;
  std::string project_name;
  std::string logstore_name;
  std::string netflow_server_ip;
  int64_t netflow_server_port = 9995;
  std::string netflow_version = "V9";
  std::string status = "Inactive";  // Active | Inactive
  std::string resource_group_id;
  int64_t create_ms = 0;
  int64_t total_sag_num = 0;  // filled on reads: instances associated; ignored on writes
};

// Selects flow logs of one account. Empty fields do not filter.
struct FlowLogFilter {
  std::string account_id;
  std::string region_id;
  std::string id;
  std::string name;
  std::string description;
  std::string output_type;
  std::string status;
  int64_t offset = 0;
  int64_t limit = 10;
};

// A page of flow logs (creation order, ties by id) and the total that match.
struct FlowLogPage {
  std::vector<FlowLogRecord> items;
  int64_t total = 0;
};

// An instance as the flow-log lists show it.
struct FlowLogInstance {
  std::string instance_id;
  std::string name;
  std::string description;
};

// What AssociateFlowLog / DisassociateFlowLog did; everything but kDone changed nothing.
enum class FlowLogLinkOutcome {
  kDone,                 // associated (also when it was already, to this flow log) / disassociated
  kFlowLogNotFound,      // no such flow log in (account, region)
  kInstanceNotFound,     // no such instance in (account, flow log's region)
  kAssociatedElsewhere,  // associate: the instance belongs to another flow log
  kNotAssociated,        // disassociate: the instance does not belong to this flow log
};

class FlowLogStore {
 public:
  virtual ~FlowLogStore() = default;

  // Creates the flow log unless its account has max_per_region flow logs in its region already
  // (counted and inserted in one transaction; false then). kAlreadyExists when the id is taken.
  virtual StoreResult<bool> CreateFlowLog(const FlowLogRecord& flow_log,
                                          int64_t max_per_region) = 0;
  virtual StoreResult<FlowLogRecord> GetFlowLog(std::string_view account_id,
                                                std::string_view region_id,
                                                std::string_view id) = 0;
  virtual StoreResult<FlowLogPage> ListFlowLogs(const FlowLogFilter& filter) = 0;
  // Replaces the settings (every field but id, account, region, create_ms) of the flow log
  // (account, region, id) with those of flow_log and returns it as stored. kNotFound.
  virtual StoreResult<FlowLogRecord> UpdateFlowLog(const FlowLogRecord& flow_log) = 0;
  // kNotFound, then kConflict while instances are associated with it.
  virtual StoreResult<void> DeleteFlowLog(std::string_view account_id, std::string_view region_id,
                                          std::string_view id) = 0;
  // Associates (associate = true) or disassociates the instance (of the flow log's account and
  // region), atomically with the checks, in this order: the flow log exists → the instance exists
  // → associate: it belongs to no other flow log; disassociate: it belongs to this one.
  virtual StoreResult<FlowLogLinkOutcome> LinkFlowLog(std::string_view account_id,
                                                      std::string_view region_id,
                                                      std::string_view flow_log_id,
                                                      std::string_view instance_id,
                                                      bool associate) = 0;
  // The instances of a flow log, ordered by instance id, paged; and their total.
  virtual StoreResult<std::pair<std::vector<FlowLogInstance>, int64_t>> ListFlowLogInstances(
      std::string_view account_id, std::string_view region_id, std::string_view flow_log_id,
      int64_t offset, int64_t limit) = 0;
  // The account's instances in the region that belong to no flow log, by creation time then id.
  virtual StoreResult<std::vector<FlowLogInstance>> ListInstancesWithoutFlowLog(
      std::string_view account_id, std::string_view region_id) = 0;
  // The flow log the instance belongs to, nullopt when none.
  virtual StoreResult<std::optional<std::string>> FlowLogOfInstance(
      std::string_view instance_id) = 0;
};

}  // namespace sag::store
