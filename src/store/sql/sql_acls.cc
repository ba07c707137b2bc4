// SqlStore: access control lists (store/acl_store.h). Every change raises the account's
// configuration revision first (store/sql/config_revision.h), which serializes the account's
// configuration changes, so the checks below stay true until commit. An instance's association is
// keyed by the instance id: an instance is never associated with two ACLs.
#include <algorithm>

#include "store/sql/config_revision.h"
#include "store/sql/queries.h"
#include "store/sql/records.h"
#include "store/sql/sql_store.h"

namespace sag::store {

namespace {

using sql::Connection;
using sql::Rows;
using sql::Statement;
using sql::Txn;

constexpr std::string_view kAclColumns =
    "a.id, a.account_id, a.region_id, a.name, a.acl_type, a.resource_group_id, a.create_ms, "
    "(SELECT count(*) FROM acl_associations s WHERE s.acl_id = a.id)";

constexpr std::string_view kRuleColumns =
    "id, acl_id, name, description, direction, type, policy, priority, ip_protocol, source_cidr, "
    "source_port_range, dest_cidr, dest_port_range, dpi_group_ids, dpi_signature_ids, create_ms";

constexpr std::string_view kRuleOrder = " ORDER BY priority, create_ms, id";

// Lists are stored comma-joined (ids never hold commas: the operations check their shape).
std::string JoinIds(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) {
    if (!out.empty()) out += ',';
    out += id;
  }
  return out;
}

std::vector<std::string> SplitIds(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    out.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

AclRecord ReadAcl(const Rows& rows, int r) {
  return AclRecord{.id = rows.Text(r, 0),
                   .account_id = rows.Text(r, 1),
                   .region_id = rows.Text(r, 2),
                   .name = rows.Text(r, 3),
                   .acl_type = rows.Text(r, 4),
                   .resource_group_id = rows.Text(r, 5),
                   .create_ms = rows.Int(r, 6),
                   .instance_count = rows.Int(r, 7)};
}

AclRuleRecord ReadRule(const Rows& rows, int r) {
  return AclRuleRecord{.id = rows.Text(r, 0),
                       .acl_id = rows.Text(r, 1),
                       .name = rows.Text(r, 2),
                       .description = rows.Text(r, 3),
                       .direction = rows.Text(r, 4),
                       .type = rows.Text(r, 5),
                       .policy = rows.Text(r, 6),
                       .priority = rows.Int(r, 7),
                       .ip_protocol = rows.Text(r, 8),
                       .source_cidr = rows.Text(r, 9),
                       .source_port_range = rows.Text(r, 10),
                       .dest_cidr = rows.Text(r, 11),
                       .dest_port_range = rows.Text(r, 12),
                       .dpi_group_ids = SplitIds(rows.View(r, 13)),
                       .dpi_signature_ids = SplitIds(rows.View(r, 14)),
                       .create_ms = rows.Int(r, 15)};
}

std::string ReadText(const Rows& rows, int r) { return rows.Text(r, 0); }

StoreResult<std::optional<AclRecord>> FindAcl(Connection& conn, std::string_view account_id,
                                              std::string_view region_id, std::string_view acl_id) {
  static const Statement kFind("SELECT " + std::string(kAclColumns) +
                               " FROM acls a WHERE a.id = $1 AND a.account_id = $2 "
                               "AND ($3 = '' OR a.region_id = $3)");
  return sql::FindOne(conn, kFind, {acl_id, account_id, region_id}, &ReadAcl);
}

StoreResult<std::vector<std::string>> AssociatedInstances(Connection& conn,
                                                          std::string_view acl_id) {
  static const Statement kList(
      "SELECT instance_id FROM acl_associations WHERE acl_id = $1 ORDER BY create_ms, instance_id");
  return sql::ListAll(conn, kList, {acl_id}, &ReadText);
}

StoreResult<std::vector<AclRuleRecord>> RulesOf(Connection& conn, std::string_view acl_id) {
  static const Statement kList("SELECT " + std::string(kRuleColumns) +
                               " FROM acl_rules WHERE acl_id = $1" + std::string(kRuleOrder));
  return sql::ListAll(conn, kList, {acl_id}, &ReadRule);
}

// Whether one of the instances is a sag-1000.
StoreResult<bool> AnySag1000(Connection& conn, const std::vector<std::string>& instance_ids) {
  static const Statement kSpec("SELECT hardware_spec FROM instances WHERE id = $1");
  for (const std::string& id : instance_ids) {
    ASSIGN_OR_RETURN(Rows rows, conn.Run(kSpec, {id}));
    if (!rows.empty() && rows.View(0, 0) == "sag-1000") return true;
  }
  return false;
}

// Whether rule is a WAN rule and one of the instances (its ACL's) is a sag-1000.
StoreResult<bool> RefusesWan(Connection& conn, const AclRuleRecord& rule,
                             const std::vector<std::string>& instance_ids) {
  if (rule.type != "WAN") return false;
  return AnySag1000(conn, instance_ids);
}

// Inserts the rule, or (insert false) replaces every field of it but create_ms.
StoreResult<void> WriteRule(Connection& conn, const AclRuleRecord& r, bool insert) {
  static const Statement kInsert("INSERT INTO acl_rules (" + std::string(kRuleColumns) +
                                 ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
                                 "$13, $14, $15, $16)");
  static const Statement kUpdate(
      "UPDATE acl_rules SET name = $3, description = $4, direction = $5, type = $6, policy = $7, "
      "priority = $8, ip_protocol = $9, source_cidr = $10, source_port_range = $11, "
      "dest_cidr = $12, dest_port_range = $13, dpi_group_ids = $14, dpi_signature_ids = $15 "
      "WHERE id = $1 AND acl_id = $2");
  const std::string groups = JoinIds(r.dpi_group_ids);
  const std::string signatures = JoinIds(r.dpi_signature_ids);
  if (insert) {
    return sql::Exec(conn, kInsert,
                     {r.id, r.acl_id, r.name, r.description, r.direction, r.type, r.policy,
                      r.priority, r.ip_protocol, r.source_cidr, r.source_port_range, r.dest_cidr,
                      r.dest_port_range, groups, signatures, r.create_ms});
  }
  return sql::Exec(conn, kUpdate,
                   {r.id, r.acl_id, r.name, r.description, r.direction, r.type, r.policy,
                    r.priority, r.ip_protocol, r.source_cidr, r.source_port_range, r.dest_cidr,
                    r.dest_port_range, groups, signatures});
}

}  // namespace

StoreResult<AclCreateOutcome> SqlStore::CreateAcl(const AclRecord& acl, int64_t max_per_region) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<AclCreateOutcome> {
    RETURN_IF_ERROR(sql::RaiseConfigRevision(conn, acl.account_id));
    static const Statement kCount(
        "SELECT count(*) FROM acls WHERE account_id = $1 AND region_id = $2");
    ASSIGN_OR_RETURN(Rows count, conn.Run(kCount, {acl.account_id, acl.region_id}));
    if (!count.empty() && count.Int(0, 0) >= max_per_region) {
      return AclCreateOutcome::kLimitReached;
    }
    static const Statement kInsert(
        "INSERT INTO acls (id, account_id, region_id, name, acl_type, resource_group_id, "
        "create_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)");
    RETURN_IF_ERROR(sql::Exec(conn, kInsert,
                              {acl.id, acl.account_id, acl.region_id, acl.name, acl.acl_type,
                               acl.resource_group_id, acl.create_ms}));
    return AclCreateOutcome::kCreated;
  });
}

StoreResult<AclRecord> SqlStore::GetAcl(std::string_view account_id, std::string_view region_id,
                                        std::string_view acl_id) {
  return Transact(Txn::kReadOne, [&](Connection& conn) -> StoreResult<AclRecord> {
    ASSIGN_OR_RETURN(std::optional<AclRecord> acl, FindAcl(conn, account_id, region_id, acl_id));
    if (!acl) return MakeUnexpected(sql::NotFound("acl"));
    return *std::move(acl);
  });
}

StoreResult<AclPage> SqlStore::ListAcls(const AclFilter& filter) {
  sql::Where where("a.account_id = $?", filter.account_id);
  if (!filter.region_id.empty()) where.And("a.region_id = $?", filter.region_id);
  if (!filter.name.empty()) where.And("a.name = $?", filter.name);
  if (!filter.acl_type.empty()) where.And("a.acl_type = $?", filter.acl_type);
  where.AndIn("a.id", filter.ids);
  const int64_t offset = std::max<int64_t>(0, filter.offset);
  const int64_t limit = std::max<int64_t>(0, filter.limit);
  return Transact(Txn::kRead, [&](Connection& conn) -> StoreResult<AclPage> {
    AclPage page;
    ASSIGN_OR_RETURN(Rows count,
                     conn.RunOnce("SELECT count(*) FROM acls a" + where.text(), where.values()));
    page.total = count.empty() ? 0 : count.Int(0, 0);
    if (limit > 0 && offset < page.total) {
      sql::Where paged = where;
      const std::string limit_at = paged.Next(limit);
      const std::string offset_at = paged.Next(offset);
      ASSIGN_OR_RETURN(
          Rows rows,
          conn.RunOnce("SELECT " + std::string(kAclColumns) + " FROM acls a" + paged.text() +
                           " ORDER BY a.create_ms, a.id LIMIT " + limit_at + " OFFSET " + offset_at,
                       paged.values()));
      for (int i = 0; i < rows.size(); ++i) page.items.push_back(ReadAcl(rows, i));
    }
    return page;
  });
}

StoreResult<void> SqlStore::RenameAcl(std::string_view account_id, std::string_view region_id,
                                      std::string_view acl_id, std::string_view name) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<void> {
    RETURN_IF_ERROR(sql::RaiseConfigRevision(conn, account_id));
    static const Statement kRename(
        "UPDATE acls SET name = $4 WHERE id = $1 AND account_id = $2 "
        "AND ($3 = '' OR region_id = $3)");
    return sql::ChangeOne(conn, kRename, {acl_id, account_id, region_id, name}, "acl");
  });
}

StoreResult<std::vector<std::string>> SqlStore::DeleteAcl(std::string_view account_id,
                                                          std::string_view region_id,
                                                          std::string_view acl_id) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<std::vector<std::string>> {
    RETURN_IF_ERROR(sql::RaiseConfigRevision(conn, account_id));
    ASSIGN_OR_RETURN(std::optional<AclRecord> acl, FindAcl(conn, account_id, region_id, acl_id));
    if (!acl) return MakeUnexpected(sql::NotFound("acl"));
    ASSIGN_OR_RETURN(std::vector<std::string> instances, AssociatedInstances(conn, acl_id));
    static const Statement kUnassociate("DELETE FROM acl_associations WHERE acl_id = $1");
    static const Statement kRules("DELETE FROM acl_rules WHERE acl_id = $1");
    static const Statement kDelete("DELETE FROM acls WHERE id = $1");
    RETURN_IF_ERROR(sql::Exec(conn, kUnassociate, {acl_id}));
    RETURN_IF_ERROR(sql::Exec(conn, kRules, {acl_id}));
    RETURN_IF_ERROR(sql::Exec(conn, kDelete, {acl_id}));
    return instances;
  });
}

StoreResult<AclRuleResult> SqlStore::AddAclRule(std::string_view account_id,
                                                std::string_view region_id,
                                                const AclRuleRecord& rule, int64_t max_rules) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<AclRuleResult> {
    AclRuleResult result;
    RETURN_IF_ERROR(sql::RaiseConfigRevision(conn, account_id));
    ASSIGN_OR_RETURN(std::optional<AclRecord> acl,
                     FindAcl(conn, account_id, region_id, rule.acl_id));
    if (!acl) return result;  // kAclNotFound
    static const Statement kCount("SELECT count(*) FROM acl_rules WHERE acl_id = $1");
    ASSIGN_OR_RETURN(Rows count, conn.Run(kCount, {rule.acl_id}));
    if (!count.empty() && count.Int(0, 0) >= max_rules) {
      result.outcome = AclRuleOutcome::kLimitReached;
      return result;
    }
    ASSIGN_OR_RETURN(result.instance_ids, AssociatedInstances(conn, rule.acl_id));
    ASSIGN_OR_RETURN(const bool refused, RefusesWan(conn, rule, result.instance_ids));
    if (refused) return AclRuleResult{AclRuleOutcome::kWanOnSag1000, {}, {}};
    RETURN_IF_ERROR(WriteRule(conn, rule, true));
    result.outcome = AclRuleOutcome::kDone;
    result.rule = rule;
    return result;
  });
}

StoreResult<AclRuleResult> SqlStore::ReplaceAclRule(std::string_view account_id,
                                                    std::string_view region_id,
                                                    const AclRuleRecord& rule) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<AclRuleResult> {
    AclRuleResult result;
    RETURN_IF_ERROR(sql::RaiseConfigRevision(conn, account_id));
    ASSIGN_OR_RETURN(std::optional<AclRecord> acl,
                     FindAcl(conn, account_id, region_id, rule.acl_id));
    if (!acl) return result;
    static const Statement kFind("SELECT " + std::string(kRuleColumns) +
                                 " FROM acl_rules WHERE id = $1 AND acl_id = $2");
    ASSIGN_OR_RETURN(std::optional<AclRuleRecord> old,
                     sql::FindOne(conn, kFind, {rule.id, rule.acl_id}, &ReadRule));
    if (!old) {
      result.outcome = AclRuleOutcome::kRuleNotFound;
      return result;
    }
    ASSIGN_OR_RETURN(result.instance_ids, AssociatedInstances(conn, rule.acl_id));
    ASSIGN_OR_RETURN(const bool refused, RefusesWan(conn, rule, result.instance_ids));
    if (refused) return AclRuleResult{AclRuleOutcome::kWanOnSag1000, {}, {}};
    RETURN_IF_ERROR(WriteRule(conn, rule, false));
    result.outcome = AclRuleOutcome::kDone;
    result.rule = rule;
    result.rule.create_ms = old->create_ms;
    return result;
  });
}

StoreResult<AclRuleResult> SqlStore::DeleteAclRule(std::string_view account_id,
                                                   std::string_view region_id,
                                                   std::string_view acl_id,
                                                   std::string_view rule_id) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<AclRuleResult> {
    AclRuleResult result;
    RETURN_IF_ERROR(sql::RaiseConfigRevision(conn, account_id));
    ASSIGN_OR_RETURN(std::optional<AclRecord> acl, FindAcl(conn, account_id, region_id, acl_id));
    if (!acl) return result;
    static const Statement kFind("SELECT " + std::string(kRuleColumns) +
                                 " FROM acl_rules WHERE id = $1 AND acl_id = $2");
    ASSIGN_OR_RETURN(std::optional<AclRuleRecord> old,
                     sql::FindOne(conn, kFind, {rule_id, acl_id}, &ReadRule));
    if (!old) {
      result.outcome = AclRuleOutcome::kRuleNotFound;
      return result;
    }
    static const Statement kDelete("DELETE FROM acl_rules WHERE id = $1 AND acl_id = $2");
    RETURN_IF_ERROR(sql::Exec(conn, kDelete, {rule_id, acl_id}));
    ASSIGN_OR_RETURN(result.instance_ids, AssociatedInstances(conn, acl_id));
    result.outcome = AclRuleOutcome::kDone;
    result.rule = *std::move(old);
    return result;
  });
}

StoreResult<std::vector<AclRuleRecord>> SqlStore::ListAclRules(std::string_view account_id,
                                                               std::string_view region_id,
                                                               std::string_view acl_id) {
  return Transact(Txn::kRead, [&](Connection& conn) -> StoreResult<std::vector<AclRuleRecord>> {
    ASSIGN_OR_RETURN(std::optional<AclRecord> acl, FindAcl(conn, account_id, region_id, acl_id));
    if (!acl) return MakeUnexpected(sql::NotFound("acl"));
    return RulesOf(conn, acl_id);
  });
}

StoreResult<std::vector<std::string>> SqlStore::ListAclInstances(std::string_view account_id,
                                                                 std::string_view region_id,
                                                                 std::string_view acl_id) {
  return Transact(Txn::kRead, [&](Connection& conn) -> StoreResult<std::vector<std::string>> {
    ASSIGN_OR_RETURN(std::optional<AclRecord> acl, FindAcl(conn, account_id, region_id, acl_id));
    if (!acl) return MakeUnexpected(sql::NotFound("acl"));
    return AssociatedInstances(conn, acl_id);
  });
}

StoreResult<AclAssociateOutcome> SqlStore::AssociateAcl(std::string_view account_id,
                                                        std::string_view region_id,
                                                        std::string_view acl_id,
                                                        std::string_view instance_id,
                                                        int64_t now_ms) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<AclAssociateOutcome> {
    RETURN_IF_ERROR(sql::RaiseConfigRevision(conn, account_id));
    auto instance = sql::FindInstance(conn, account_id, region_id, instance_id);
    if (sql::IsError(instance, StoreErrorCode::kNotFound)) {
      return AclAssociateOutcome::kInstanceNotFound;
    }
    if (!instance) return MakeUnexpected(std::move(instance).error());
    ASSIGN_OR_RETURN(std::optional<AclRecord> acl, FindAcl(conn, account_id, region_id, acl_id));
    if (!acl) return AclAssociateOutcome::kAclNotFound;
    static const Statement kCurrent("SELECT acl_id FROM acl_associations WHERE instance_id = $1");
    ASSIGN_OR_RETURN(Rows current, conn.Run(kCurrent, {instance_id}));
    if (!current.empty()) {
      return current.View(0, 0) == acl_id ? AclAssociateOutcome::kAlreadyAssociated
                                          : AclAssociateOutcome::kOtherAssociated;
    }
    const bool app = instance->hardware_spec == "sag-software";
    if (app && acl->acl_type == "acl-hardware") return AclAssociateOutcome::kSoftwareInstance;
    if (!app && acl->acl_type == "acl-software") return AclAssociateOutcome::kTypeMismatch;
    if (instance->hardware_spec == "sag-1000") {
      static const Statement kWan("SELECT 1 FROM acl_rules WHERE acl_id = $1 AND type = 'WAN'");
      ASSIGN_OR_RETURN(const bool wan, sql::RowExists(conn, kWan, {acl_id}));
      if (wan) return AclAssociateOutcome::kWanOnSag1000;
    }
    static const Statement kInsert(
        "INSERT INTO acl_associations (instance_id, acl_id, create_ms) VALUES ($1, $2, $3)");
    RETURN_IF_ERROR(sql::Exec(conn, kInsert, {instance_id, acl_id, now_ms}));
    return AclAssociateOutcome::kAssociated;
  });
}

StoreResult<AclDisassociateOutcome> SqlStore::DisassociateAcl(std::string_view account_id,
                                                              std::string_view region_id,
                                                              std::string_view acl_id,
                                                              std::string_view instance_id) {
  return Transact(Txn::kWrite, [&](Connection& conn) -> StoreResult<AclDisassociateOutcome> {
    RETURN_IF_ERROR(sql::RaiseConfigRevision(conn, account_id));
    ASSIGN_OR_RETURN(const bool instance,
                     sql::LockInstance(conn, account_id, region_id, instance_id));
    if (!instance) return AclDisassociateOutcome::kInstanceNotFound;
    ASSIGN_OR_RETURN(std::optional<AclRecord> acl, FindAcl(conn, account_id, region_id, acl_id));
    if (!acl) return AclDisassociateOutcome::kAclNotFound;
    static const Statement kDelete(
        "DELETE FROM acl_associations WHERE instance_id = $1 AND acl_id = $2");
    ASSIGN_OR_RETURN(Rows deleted, conn.Run(kDelete, {instance_id, acl_id}));
    return deleted.affected() == 0 ? AclDisassociateOutcome::kNotAssociated
                                   : AclDisassociateOutcome::kDisassociated;
  });
}

StoreResult<std::map<std::string, std::string>> SqlStore::AclsOfInstances(
    std::string_view account_id, const std::vector<std::string>& instance_ids) {
  return Transact(Txn::kRead,
                  [&](Connection& conn) -> StoreResult<std::map<std::string, std::string>> {
                    std::map<std::string, std::string> out;
                    static const Statement kFind(
                        "SELECT s.acl_id FROM acl_associations s JOIN acls a ON a.id = s.acl_id "
                        "WHERE s.instance_id = $1 AND a.account_id = $2");
                    for (const std::string& id : instance_ids) {
                      ASSIGN_OR_RETURN(Rows rows, conn.Run(kFind, {id, account_id}));
                      if (!rows.empty()) out[id] = rows.Text(0, 0);
                    }
                    return out;
                  });
}

StoreResult<AclConfig> SqlStore::ReadAclConfig(std::string_view account_id,
                                               const std::vector<std::string>& instance_ids) {
  return Transact(Txn::kRead, [&](Connection& conn) -> StoreResult<AclConfig> {
    AclConfig config;
    ASSIGN_OR_RETURN(config.revision, sql::ReadConfigRevision(conn, account_id));
    static const Statement kExists("SELECT 1 FROM instances WHERE id = $1 AND account_id = $2");
    static const Statement kAcl("SELECT acl_id FROM acl_associations WHERE instance_id = $1");
    for (const std::string& id : instance_ids) {
      ASSIGN_OR_RETURN(const bool exists, sql::RowExists(conn, kExists, {id, account_id}));
      if (!exists) continue;
      AclConfig::Instance instance{.instance_id = id, .serial_numbers = {}, .acl_id = {}};
      ASSIGN_OR_RETURN(instance.serial_numbers, sql::BoundSerialNumbers(conn, id));
      ASSIGN_OR_RETURN(Rows acl, conn.Run(kAcl, {id}));
      if (!acl.empty()) instance.acl_id = acl.Text(0, 0);
      if (!instance.acl_id.empty() && config.rules.count(instance.acl_id) == 0) {
        ASSIGN_OR_RETURN(config.rules[instance.acl_id], RulesOf(conn, instance.acl_id));
      }
      config.instances.push_back(std::move(instance));
    }
    return config;
  });
}

}  // namespace sag::store
