// SqlStore: ResetAccounts (the operator API's ResetState), generic over the schema: the tables,
// columns and foreign keys are read from the database's catalog in the reset's transaction, and
// store/reset_plan.h decides what to delete from each.
#include <map>

#include "store/reset_plan.h"
#include "store/sql/queries.h"
#include "store/sql/sql_store.h"

namespace sag::store {

namespace {

using sql::Connection;
using sql::Dialect;
using sql::Rows;
using sql::Statement;
using sql::Txn;
using sql::Value;

// The tables of the current schema, with their columns and the tables their foreign keys name.
StoreResult<std::vector<SchemaTable>> ReadCatalog(Connection& conn) {
  const bool sqlite = conn.dialect() == Dialect::kSqlite;
  static const Statement kSqliteColumns(
      "SELECT m.name, p.name FROM sqlite_schema m JOIN pragma_table_info(m.name) p "
      "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite!_%' ESCAPE '!'");
  static const Statement kSqliteReferences(
      "SELECT m.name, f.\"table\" FROM sqlite_schema m JOIN pragma_foreign_key_list(m.name) f "
      "WHERE m.type = 'table'");
  static const Statement kPgColumns(
      "SELECT c.relname, a.attname FROM pg_catalog.pg_class c "
      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid "
      "WHERE c.relkind = 'r' AND n.nspname = current_schema() AND a.attnum > 0 "
      "AND NOT a.attisdropped");
  static const Statement kPgReferences(
      "SELECT c.relname, f.relname FROM pg_catalog.pg_constraint k "
      "JOIN pg_catalog.pg_class c ON c.oid = k.conrelid "
      "JOIN pg_catalog.pg_class f ON f.oid = k.confrelid "
      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE k.contype = 'f' AND n.nspname = current_schema()");
  ASSIGN_OR_RETURN(Rows columns, conn.Run(sqlite ? kSqliteColumns : kPgColumns));
  ASSIGN_OR_RETURN(Rows references, conn.Run(sqlite ? kSqliteReferences : kPgReferences));
  std::map<std::string, SchemaTable> tables;
  for (int i = 0; i < columns.size(); ++i) {
    SchemaTable& t = tables[columns.Text(i, 0)];
    t.name = columns.Text(i, 0);
    t.columns.push_back(columns.Text(i, 1));
  }
  for (int i = 0; i < references.size(); ++i) {
    auto it = tables.find(references.Text(i, 0));
    if (it != tables.end()) it->second.references.push_back(references.Text(i, 1));
  }
  std::vector<SchemaTable> out;
  for (auto& [name, t] : tables) out.push_back(std::move(t));
  return out;
}

// True for a name that may stand in SQL text unquoted (the catalog's own names are).
bool IsPlainName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

// The WHERE clause (or "" for every row) that selects the rows a step removes; *skip when the step
// removes nothing. all: every account is reset; else the one account in $1, the operator's when
// is_operator.
std::string StepCondition(std::string_view table, ResetScope scope, bool all, bool is_operator,
                          bool* skip) {
  *skip = false;
  switch (scope) {
    case ResetScope::kChildRows:
      for (const ChildLink& link : ChildLinks()) {
        if (link.table != table) continue;
        return all ? ""
                   : " WHERE " + std::string(link.column) + " IN (SELECT id FROM " +
                         std::string(link.parent) + " WHERE account_id = $1)";
      }
      break;
    case ResetScope::kBoundDevices:
      return all ? " WHERE serial_number IN (SELECT serial_number FROM device_bindings)"
                 : " WHERE serial_number IN (SELECT b.serial_number FROM device_bindings b "
                   "JOIN instances i ON i.id = b.instance_id WHERE i.account_id = $1)";
    case ResetScope::kInstanceColumn:
      return all ? "" : " WHERE instance_id IN (SELECT id FROM instances WHERE account_id = $1)";
    case ResetScope::kAccountColumn:
      return all ? "" : " WHERE account_id = $1";
    case ResetScope::kIdentity:
      if (!all && is_operator) *skip = true;
      return all ? " WHERE account_id IN (SELECT id FROM accounts WHERE is_operator = FALSE)"
                 : " WHERE account_id = $1";
    case ResetScope::kAccounts:
      if (!all && is_operator) *skip = true;
      return all ? " WHERE is_operator = FALSE" : " WHERE id = $1";
    case ResetScope::kNotAccountData:
      break;
  }
  *skip = true;
  return "";
}

}  // namespace

StoreResult<ResetOutcome> SqlStore::ResetAccounts(std::string_view account_id) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<ResetOutcome> {
    const bool all = account_id.empty();
    bool is_operator = false;
    if (!all) {
      static const Statement kAccount("SELECT is_operator FROM accounts WHERE id = $1 FOR UPDATE");
      ASSIGN_OR_RETURN(Rows rows, conn.Run(kAccount, {account_id}));
      if (rows.empty()) return MakeUnexpected(sql::NotFound("account"));
      is_operator = rows.Bool(0, 0);
    }
    ASSIGN_OR_RETURN(std::vector<SchemaTable> catalog, ReadCatalog(conn));
    ResetPlan plan = PlanReset(catalog);
    for (const ResetStep& step : plan.steps) {
      if (!IsPlainName(step.table)) plan.problems.push_back("table name " + step.table);
    }
    if (!plan.problems.empty()) {
      std::string detail = "reset refused:";
      for (const std::string& p : plan.problems) detail += " " + p + ";";
      return MakeUnexpected(sql::Conflict(detail));
    }

    ResetOutcome outcome;
    static const Statement kAllBound(
        "SELECT serial_number FROM device_bindings ORDER BY serial_number");
    static const Statement kAccountBound(
        "SELECT b.serial_number FROM device_bindings b JOIN instances i ON i.id = b.instance_id "
        "WHERE i.account_id = $1 ORDER BY b.serial_number");
    ASSIGN_OR_RETURN(Rows bound, all ? conn.Run(kAllBound) : conn.Run(kAccountBound, {account_id}));
    for (int i = 0; i < bound.size(); ++i)
      outcome.unbound_serial_numbers.push_back(bound.Text(i, 0));

    for (const ResetStep& step : plan.steps) {
      bool skip = false;
      std::string where = StepCondition(step.table, step.scope, all, is_operator, &skip);
      if (skip) continue;
      const std::string sql = "DELETE FROM " + step.table + where;
      std::vector<Value> values;
      if (!all) values.emplace_back(account_id);
      ASSIGN_OR_RETURN(Rows deleted,
                       conn.RunOnce(sql, std::span<const Value>(values.data(), values.size())));
      if (step.scope == ResetScope::kAccounts) outcome.accounts_removed = deleted.affected();
    }
    return outcome;
  });
}

}  // namespace sag::store
