#include "store/reset_plan.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string_view>

namespace sag::store {
namespace {

// The one list a new table joins when the column convention does not describe it.
constexpr std::string_view kIdentityTables[] = {"users", "access_keys", "policies",
                                                "policy_attachments"};
constexpr std::string_view kBoundDeviceTables[] = {"device_facets"};
constexpr std::string_view kNotAccountDataTables[] = {
    "schema_version",   // migrations
    "settings",         // server settings (ResetState clears the clock offset itself)
    "devices",          // the operator's device inventory
    "versions",         // the software catalogue
    "cluster_nodes",    // cluster state
    "device_presence",  // cluster state
    "nonces",           // the replay window (a reset must not make old requests replayable)
};

constexpr ChildLink kChildLinks[] = {
    {"acl_rules", "acl_id", "acls"},
    {"ccn_cens", "ccn_id", "ccns"},
};

template <size_t N>
bool Listed(const std::string_view (&list)[N], std::string_view name) {
  return std::find(std::begin(list), std::end(list), name) != std::end(list);
}

bool HasColumn(const SchemaTable& t, std::string_view column) {
  return std::find(t.columns.begin(), t.columns.end(), column) != t.columns.end();
}

std::optional<ResetScope> Classify(const SchemaTable& t) {
  if (t.name == "accounts") return ResetScope::kAccounts;
  if (Listed(kIdentityTables, t.name)) return ResetScope::kIdentity;
  if (Listed(kNotAccountDataTables, t.name)) return ResetScope::kNotAccountData;
  if (Listed(kBoundDeviceTables, t.name)) return ResetScope::kBoundDevices;
  for (const ChildLink& link : kChildLinks) {
    if (link.table == t.name) return ResetScope::kChildRows;
  }
  if (HasColumn(t, "account_id")) return ResetScope::kAccountColumn;
  if (HasColumn(t, "instance_id")) return ResetScope::kInstanceColumn;
  return std::nullopt;
}

}  // namespace

std::span<const ChildLink> ChildLinks() { return kChildLinks; }

ResetPlan PlanReset(const std::vector<SchemaTable>& tables) {
  ResetPlan plan;
  std::map<std::string, const SchemaTable*> by_name;
  for (const SchemaTable& t : tables) by_name[t.name] = &t;

  // depth: the longest chain of foreign keys from a table to tables referencing nothing; a table
  // goes before the (shallower) tables it references. Cycles are cut at the table count.
  std::map<std::string, size_t> depth;
  for (const SchemaTable& t : tables) depth[t.name] = 0;
  for (size_t round = 0; round < tables.size(); ++round) {
    bool changed = false;
    for (const SchemaTable& t : tables) {
      for (const std::string& ref : t.references) {
        if (ref == t.name || !depth.contains(ref)) continue;
        if (depth[t.name] < depth[ref] + 1) {
          depth[t.name] = depth[ref] + 1;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }

  for (const SchemaTable& t : tables) {
    std::optional<ResetScope> scope = Classify(t);
    if (!scope) {
      plan.problems.push_back("table " + t.name +
                              " has no account_id or instance_id column and is in no list of "
                              "store/reset_plan.cc");
    } else if (*scope != ResetScope::kNotAccountData) {
      plan.steps.push_back({t.name, *scope});
    }
  }
  std::stable_sort(plan.steps.begin(), plan.steps.end(),
                   [&](const ResetStep& a, const ResetStep& b) {
                     if (a.scope != b.scope) return a.scope < b.scope;
                     if (depth[a.table] != depth[b.table]) return depth[a.table] > depth[b.table];
                     return a.table < b.table;
                   });

  std::map<std::string, size_t> position;
  for (size_t i = 0; i < plan.steps.size(); ++i) position[plan.steps[i].table] = i;
  for (const SchemaTable& t : tables) {
    if (position.contains(t.name)) continue;
    for (const std::string& ref : t.references) {
      if (position.contains(ref)) {
        plan.problems.push_back("table " + t.name + " is kept but references " + ref +
                                ", which a reset clears");
      }
    }
  }
  for (const ResetStep& step : plan.steps) {
    for (const std::string& ref : by_name[step.table]->references) {
      auto parent = position.find(ref);
      if (ref != step.table && parent != position.end() && parent->second < position[step.table]) {
        plan.problems.push_back("table " + step.table + " references " + ref +
                                ", which its scope clears first");
      }
    }
  }
  return plan;
}

}  // namespace sag::store
