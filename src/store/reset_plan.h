// How ResetState removes accounts' data, decided from the schema itself: the tables the database's
// catalog lists, their columns and foreign keys. A pure function (no database), so that every
// rule is unit-tested and a table added by a later migration is either handled by the column
// convention or makes the plan name it as unclassified (which fails the reset and its tests).
//
// The convention: a table with an account_id column holds account data keyed by it; else one with
// an instance_id column holds the data of that instance's account. Explicit lists here name the
// rest: the account identity tables (kept for the operator account), the tables keyed by the
// serial numbers of the account's bound devices, the tables whose rows belong to a row of an
// account table (ChildLinks), and the tables that are not account data.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sag::store {

// One table as the database's catalog describes it.
struct SchemaTable {
  std::string name;
  std::vector<std::string> columns;
  std::vector<std::string> references;  // the tables its foreign keys reference
};

// What a table holds, for a reset.
enum class ResetScope {
  kChildRows,       // rows belonging to a row of an account table, by its id (ChildLinks)
  kBoundDevices,    // rows keyed by serial_number of devices bound to the account's instances
  kInstanceColumn,  // rows of the account's instances, by instance_id
  kAccountColumn,   // rows of the account, by account_id
  kIdentity,        // the account's users, keys, policies, attachments (by account_id): kept for
                    // the operator account
  kAccounts,        // the accounts table itself (by id; never the operator's row)
  kNotAccountData,  // untouched
};

struct ResetStep {
  std::string table;
  ResetScope scope;
};

struct ResetPlan {
  // The tables to clear, in order: the scopes in the order of ResetScope (rows found through
  // instances or bindings go before those), and within a scope a table before the tables its
  // foreign keys reference.
  std::vector<ResetStep> steps;
  // Why no reset may run: the tables no rule classifies, foreign keys the order would break, and
  // kept tables referencing cleared ones.
  // Empty for a schema the plan fully covers.
  std::vector<std::string> problems;
};

// A table whose rows belong to rows of an account table: column holds the parent row's id.
struct ChildLink {
  std::string_view table;
  std::string_view column;
  std::string_view parent;  // a table with an account_id column and an id primary key
};
// The tables reset as kChildRows (e.g. acl_rules by acl_id of acls).
std::span<const ChildLink> ChildLinks();

// The plan for a schema (any order of tables; references to tables not listed are ignored).
ResetPlan PlanReset(const std::vector<SchemaTable>& tables);

}  // namespace sag::store
