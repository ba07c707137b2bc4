#include "store/sql/migrations.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace sag::store::sql {

namespace {

constexpr std::array kSteps = {
    SchemaStep{1, "accounts, users, access keys, policies, instances, settings", R"sql(
CREATE INDEX access_keys_by_user ON access_keys (account_id, user_name);
CREATE INDEX policy_attachments_by_user ON policy_attachments (account_id, user_name);
-- Listing is per account in creation order; CCN membership is looked up per account.
CREATE INDEX instances_by_account ON instances (account_id, create_ms, id);
CREATE INDEX instances_by_ccn ON instances (account_id, ccn_id);
)sql"},
    SchemaStep{2, "devices, serial-number bindings, cloud connect networks", R"sql(
CREATE INDEX devices_by_creation ON devices (create_ms, serial_number);
CREATE INDEX ccns_by_account ON ccns (account_id, create_ms, id);
)sql"},
    SchemaStep{3, "device runtime, device facets (desired and applied state)", ""},
    SchemaStep{4, "client users of SAG app instances, client sessions", R"sql(
CREATE INDEX client_sessions_by_user ON client_sessions (instance_id, user_name);
)sql"},
    // A partial unique index makes "at most one non-terminal upgrade per device" a schema
    // invariant.
    SchemaStep{5, "software versions and device upgrades", R"sql(
CREATE UNIQUE INDEX upgrades_one_active_per_device ON upgrades (serial_number)
  WHERE state NOT IN ('Succeeded', 'Failed', 'Reverted', 'TimedOut');
CREATE INDEX upgrades_by_device ON upgrades (serial_number, create_ms);
CREATE INDEX upgrades_by_instance ON upgrades (instance_id, create_ms);
CREATE INDEX upgrades_by_deadline ON upgrades (deadline_ms)
  WHERE state NOT IN ('Succeeded', 'Failed', 'Reverted', 'TimedOut');
)sql"},
    SchemaStep{6, "cluster: node leases, device presence, shared nonce window", R"sql(
CREATE INDEX device_presence_by_node ON device_presence (node_id);
CREATE INDEX nonces_by_expiry ON nonces (expires_ms);
)sql"},
    SchemaStep{7, "automatic upgrade policies", R"sql(
CREATE INDEX upgrade_policies_due ON upgrade_policies (next_run_ms) WHERE next_run_ms > 0;
)sql"},
    // Open-registry devices get their secret from sagd when they are bound; the flag says the
    // secret is sagd's (readable by the binding account), not the operator's.
    SchemaStep{8, "secrets generated for open-registry devices", ""},
    SchemaStep{9, "access control lists, configuration revisions", R"sql(
CREATE INDEX acls_by_account ON acls (account_id, create_ms, id);
CREATE INDEX acl_rules_by_acl ON acl_rules (acl_id, priority, create_ms, id);
CREATE INDEX acl_associations_by_acl ON acl_associations (acl_id, create_ms, instance_id);
)sql"},
    // Cross-account grants, CEN attachments, VBR bindings, flow logs, instance bandwidth caps and
    // the time a device's secret was last replaced. A CCN's instances are counted by ccn_id alone
    // (an instance of another account may be bound through a grant).
    SchemaStep{10, "grants, CEN, VBR, flow logs, bandwidth caps, device secret rotation", R"sql(
CREATE INDEX instances_by_ccn_id ON instances (ccn_id);
CREATE INDEX cen_grants_by_account ON cen_grants (account_id, create_ms, id);
CREATE INDEX sag_ccn_grants_by_ccn ON sag_ccn_grants (ccn_uid, ccn_id);
CREATE INDEX vbr_grants_by_account ON vbr_grants (account_id, create_ms, id);
CREATE INDEX flow_logs_by_account ON flow_logs (account_id, create_ms, id);
CREATE INDEX flow_log_instances_by_flow_log ON flow_log_instances (flow_log_id, instance_id);
)sql"},
    // 11 was reserved for the test double, which needed no table: an empty step, so that 12 keeps
    // its number.
    SchemaStep{11, "reserved", ""},
    // Events are read newest first, per account or for all, and purged by age.
    SchemaStep{12, "audit trail", R"sql(
CREATE INDEX audit_events_by_account ON audit_events (account_id, seq);
CREATE INDEX audit_events_by_time ON audit_events (event_ms);
)sql"},
};

// The table that records the versions applied, in each dialect's types.
std::string_view VersionTableDdl(Dialect dialect) {
  return dialect == Dialect::kSqlite ? R"sql(
CREATE TABLE IF NOT EXISTS schema_version (
  version     INTEGER NOT NULL PRIMARY KEY,
  description TEXT    NOT NULL,
  applied_ms  INTEGER NOT NULL
) STRICT
)sql"
                                     : R"sql(
CREATE TABLE IF NOT EXISTS schema_version (
  version     BIGINT           NOT NULL PRIMARY KEY,
  description TEXT COLLATE "C" NOT NULL,
  applied_ms  BIGINT           NOT NULL
)
)sql";
}

// The key of the advisory lock PostgreSQL migrations hold (pg_advisory_xact_lock): "SAG", 1.
constexpr int64_t kMigrationLockKey = 0x5341470001;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

StoreResult<int64_t> ReadVersion(Connection& conn) {
  static const Statement kSqliteExists(
      "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'");
  static const Statement kPostgresExists(
      "SELECT count(*) FROM pg_catalog.pg_class WHERE oid = to_regclass('schema_version')");
  ASSIGN_OR_RETURN(Rows exists,
                   conn.Run(conn.dialect() == Dialect::kSqlite ? kSqliteExists : kPostgresExists));
  if (exists.empty() || exists.Int(0, 0) == 0) return int64_t{0};
  static const Statement kMax("SELECT coalesce(max(version), 0) FROM schema_version");
  ASSIGN_OR_RETURN(Rows max, conn.Run(kMax));
  return max.empty() ? int64_t{0} : max.Int(0, 0);
}

std::string Describe(std::string_view what, const StoreError& e) {
  return "schema migration: " + std::string(what) + " failed: " + e.detail;
}

// Starts the transaction of one migration step, holding what serializes migrators.
StoreResult<void> BeginStep(Connection& conn) {
  if (conn.dialect() == Dialect::kSqlite) return conn.Exec("BEGIN IMMEDIATE");
  RETURN_IF_ERROR(conn.Exec("BEGIN"));
  static const Statement kLock("SELECT pg_advisory_xact_lock($1)");
  RETURN_IF_ERROR(conn.Run(kLock, {kMigrationLockKey}));
  return {};
}

}  // namespace

std::span<const SchemaStep> SchemaSteps() { return kSteps; }

int64_t LatestSchemaVersion() { return kSteps.back().version; }

DialectMigrations::DialectMigrations(std::initializer_list<std::string_view> ddl) {
  if (ddl.size() != kSteps.size()) {
    std::fprintf(stderr, "schema migration: %zu DDL texts for %zu steps\n", ddl.size(),
                 kSteps.size());
    std::abort();
  }
  texts_.reserve(kSteps.size());
  for (size_t i = 0; i < kSteps.size(); ++i) {
    texts_.push_back(std::string(ddl.begin()[i]) + std::string(kSteps[i].shared_sql));
  }
  for (size_t i = 0; i < kSteps.size(); ++i) {
    list_.push_back(Migration{kSteps[i].version, kSteps[i].description, texts_[i]});
  }
}

Result<int64_t, std::string> ReadSchemaVersion(Connection& conn) {
  auto version = ReadVersion(conn);
  if (!version) return MakeUnexpected(Describe("reading schema_version", version.error()));
  return *version;
}

Result<int64_t, std::string> ApplyMigrations(Connection& conn,
                                             std::span<const Migration> migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int64_t>(i) + 1) {
      return MakeUnexpected(
          std::string("schema migration: versions must be 1, 2, 3, ... in order"));
    }
  }
  const int64_t latest = static_cast<int64_t>(migrations.size());
  auto fail = [&conn](std::string message) -> Result<int64_t, std::string> {
    (void)conn.Exec("ROLLBACK");  // may find none (SQLite rolls back some failures itself)
    return MakeUnexpected(std::move(message));
  };
  // One transaction per step; the version is re-read inside it each time, so several openers at
  // once apply each migration exactly once.
  while (true) {
    if (auto r = BeginStep(conn); !r) return fail(Describe("BEGIN", r.error()));
    if (auto r = conn.Exec(VersionTableDdl(conn.dialect())); !r) {
      return fail(Describe("creating schema_version", r.error()));
    }
    auto version = ReadVersion(conn);
    if (!version) return fail(Describe("reading schema_version", version.error()));
    if (*version < 0) {
      return fail("database schema version " + std::to_string(*version) + " is invalid");
    }
    if (*version > latest) {
      return fail("database schema version " + std::to_string(*version) +
                  " is newer than this build of sagd supports (" + std::to_string(latest) +
                  "); upgrade sagd or use a database written by this version");
    }
    if (*version == latest) {
      if (auto r = conn.Exec("COMMIT"); !r) return fail(Describe("COMMIT", r.error()));
      return latest;
    }
    const Migration& m = migrations[static_cast<size_t>(*version)];
    const std::string label =
        "version " + std::to_string(m.version) + " (" + std::string(m.description) + ")";
    // A step with nothing to run (a reserved number) is only recorded.
    if (!m.sql.empty()) {
      if (auto r = conn.Exec(m.sql); !r) return fail(Describe(label, r.error()));
    }
    static const Statement kRecord(
        "INSERT INTO schema_version (version, description, applied_ms) VALUES ($1, $2, $3)");
    if (auto r = conn.Run(kRecord, {m.version, m.description, NowMs()}); !r) {
      return fail(Describe(label, r.error()));
    }
    if (auto r = conn.Exec("COMMIT"); !r) return fail(Describe(label + " COMMIT", r.error()));
  }
}

}  // namespace sag::store::sql
