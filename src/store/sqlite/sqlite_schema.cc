#include "store/sqlite/sqlite_util.h"

namespace sag::store::sqlite {

namespace {

// Conventions for every table: STRICT (SQLite enforces the declared column types), NOT NULL on
// every column (an absent value is '' or 0, as in the records), booleans as INTEGER 0/1, times as
// INTEGER milliseconds since the Unix epoch, binary data as BLOB. Records of an account are keyed
// by (account_id, ...); ids that are unique server-wide (AccessKey ids, instance ids) are keyed
// alone.
//
// A migration runs inside a transaction with foreign keys enforced. One that rebuilds a table (the
// SQLite way to change a column) should use PRAGMA defer_foreign_keys=ON, because PRAGMA
// foreign_keys cannot change inside a transaction.
constexpr std::string_view kInitialSchema = R"sql(
CREATE TABLE accounts (
  id          TEXT    NOT NULL PRIMARY KEY,
  name        TEXT    NOT NULL,
  is_operator INTEGER NOT NULL CHECK (is_operator IN (0, 1)),
  create_ms   INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
  account_id   TEXT    NOT NULL,
  name         TEXT    NOT NULL,
  display_name TEXT    NOT NULL,
  is_root      INTEGER NOT NULL CHECK (is_root IN (0, 1)),
  create_ms    INTEGER NOT NULL,
  PRIMARY KEY (account_id, name)
) STRICT;

-- A user cannot be deleted while it has keys (no ON DELETE action: the delete fails).
CREATE TABLE access_keys (
  id            TEXT    NOT NULL PRIMARY KEY,
  account_id    TEXT    NOT NULL,
  user_name     TEXT    NOT NULL,
  sealed_secret BLOB    NOT NULL,
  enabled       INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  create_ms     INTEGER NOT NULL,
  FOREIGN KEY (account_id, user_name) REFERENCES users (account_id, name)
) STRICT;

CREATE TABLE policies (
  account_id  TEXT    NOT NULL,
  name        TEXT    NOT NULL,
  description TEXT    NOT NULL,
  document    TEXT    NOT NULL,
  create_ms   INTEGER NOT NULL,
  PRIMARY KEY (account_id, name)
) STRICT;

-- A policy cannot be deleted while attached; deleting a user detaches its policies.
CREATE TABLE policy_attachments (
  account_id  TEXT NOT NULL,
  policy_name TEXT NOT NULL,
  user_name   TEXT NOT NULL,
  PRIMARY KEY (account_id, policy_name, user_name),
  FOREIGN KEY (account_id, policy_name) REFERENCES policies (account_id, name),
  FOREIGN KEY (account_id, user_name) REFERENCES users (account_id, name) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

CREATE TABLE instances (
  id                               TEXT    NOT NULL PRIMARY KEY,
  account_id                       TEXT    NOT NULL,
  region_id                        TEXT    NOT NULL,
  name                             TEXT    NOT NULL,
  description                      TEXT    NOT NULL,
  status                           TEXT    NOT NULL,
  instance_type                    TEXT    NOT NULL,
  hardware_spec                    TEXT    NOT NULL,
  ha_type                          TEXT    NOT NULL,
  max_bandwidth                    INTEGER NOT NULL,
  cidr_block                       TEXT    NOT NULL,
  routing_strategy                 TEXT    NOT NULL,
  security_lock_threshold          INTEGER NOT NULL,
  position                         TEXT    NOT NULL,
  enable_software_connection_audit INTEGER NOT NULL
      CHECK (enable_software_connection_audit IN (0, 1)),
  charge_type                      TEXT    NOT NULL,
  period_months                    INTEGER NOT NULL,
  order_id                         TEXT    NOT NULL,
  resource_group_id                TEXT    NOT NULL,
  ccn_id                           TEXT    NOT NULL,
  user_count                       INTEGER NOT NULL,
  data_plan                        INTEGER NOT NULL,
  create_ms                        INTEGER NOT NULL,
  end_ms                           INTEGER NOT NULL
) STRICT;

CREATE TABLE settings (
  key   TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
)sql";

// Version 2: the device inventory, serial-number bindings and Cloud Connect Networks.
//
// A binding is a row of device_bindings. Its primary key, the serial number, is what guarantees
// "one device, one instance" whatever the callers do; (instance_id, bind_seq) is unique and gives
// the bind order (the lowest bind_seq is the active device). The account of a binding is the
// instance's. A device cannot be deleted while bound, and an instance's bindings must be removed
// before the instance (DeleteInstance does both in one transaction).
//
// An instance's CCN stays in instances.ccn_id (version 1); a CCN's bound instances are found with
// instances_by_ccn.
constexpr std::string_view kDevicesAndCcns = R"sql(
CREATE TABLE devices (
  serial_number  TEXT    NOT NULL PRIMARY KEY,
  hardware_model TEXT    NOT NULL,
  sealed_secret  BLOB    NOT NULL,
  retired        INTEGER NOT NULL CHECK (retired IN (0, 1)),
  create_ms      INTEGER NOT NULL
) STRICT;

CREATE TABLE device_bindings (
  serial_number TEXT    NOT NULL PRIMARY KEY REFERENCES devices (serial_number),
  instance_id   TEXT    NOT NULL REFERENCES instances (id),
  bind_seq      INTEGER NOT NULL,
  bound_ms      INTEGER NOT NULL,
  UNIQUE (instance_id, bind_seq)
) STRICT;

CREATE TABLE ccns (
  id                  TEXT    NOT NULL PRIMARY KEY,
  account_id          TEXT    NOT NULL,
  region_id           TEXT    NOT NULL,
  name                TEXT    NOT NULL,
  description         TEXT    NOT NULL,
  cidr_block          TEXT    NOT NULL,
  is_default          INTEGER NOT NULL CHECK (is_default IN (0, 1)),
  interworking_status TEXT    NOT NULL,
  create_ms           INTEGER NOT NULL
) STRICT;
)sql";

// Version 3: the device channel. Runtime columns on devices (what the device last reported and
// when its sessions began and ended) and one row per (device, facet) of desired/applied state.
constexpr std::string_view kDeviceChannel = R"sql(
ALTER TABLE devices ADD COLUMN firmware_version  TEXT    NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN dpi_version       TEXT    NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN boot_ms           INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN last_connected_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN last_offline_ms   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN offline_reason    TEXT    NOT NULL DEFAULT '';

CREATE TABLE device_facets (
  serial_number      TEXT    NOT NULL REFERENCES devices (serial_number),
  facet              TEXT    NOT NULL,
  desired_generation INTEGER NOT NULL,
  desired_value      TEXT    NOT NULL,
  applied_generation INTEGER NOT NULL,
  result_generation  INTEGER NOT NULL,
  last_result        TEXT    NOT NULL,
  last_detail        TEXT    NOT NULL,
  update_ms          INTEGER NOT NULL,
  PRIMARY KEY (serial_number, facet)
) STRICT;
)sql";

// Client users of SAG app instances: (instance, user name) and (instance, ClientIp) are unique, so
// no race between callers, processes or nodes can give two users one name or one address. Sessions
// are the simulated online connections of a user; they go when the user goes.
constexpr std::string_view kClientUsers = R"sql(
CREATE TABLE client_users (
  instance_id      TEXT    NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
  user_name        TEXT    NOT NULL,
  account_id       TEXT    NOT NULL,
  user_mail        TEXT    NOT NULL,
  bandwidth        INTEGER NOT NULL,
  client_ip        INTEGER NOT NULL CHECK (client_ip BETWEEN 0 AND 4294967295),
  is_static_ip     INTEGER NOT NULL CHECK (is_static_ip IN (0, 1)),
  state            INTEGER NOT NULL CHECK (state IN (0, 1)),
  disabled_by_root INTEGER NOT NULL CHECK (disabled_by_root IN (0, 1)),
  password_hash    TEXT    NOT NULL,
  create_ms        INTEGER NOT NULL,
  PRIMARY KEY (instance_id, user_name),
  UNIQUE (instance_id, client_ip)
) STRICT;

CREATE TABLE client_sessions (
  id          TEXT    NOT NULL PRIMARY KEY,
  instance_id TEXT    NOT NULL,
  user_name   TEXT    NOT NULL,
  client_ip   INTEGER NOT NULL,
  online_ms   INTEGER NOT NULL,
  FOREIGN KEY (instance_id, user_name) REFERENCES client_users (instance_id, user_name)
      ON DELETE CASCADE
) STRICT;
)sql";

// Version 5: the software catalogue and device upgrades. A partial unique index makes "at most one
// non-terminal upgrade per device" a schema invariant.
constexpr std::string_view kVersionsAndUpgrades = R"sql(
CREATE TABLE versions (
  version_type       TEXT    NOT NULL,
  version_code       TEXT    NOT NULL,
  version_name       TEXT    NOT NULL,
  release_type       TEXT    NOT NULL,
  hardware_models    TEXT    NOT NULL,
  sha256             TEXT    NOT NULL,
  size               INTEGER NOT NULL,
  min_device_version TEXT    NOT NULL,
  create_ms          INTEGER NOT NULL,
  withdrawn          INTEGER NOT NULL CHECK (withdrawn IN (0, 1)),
  withdrawn_ms       INTEGER NOT NULL,
  PRIMARY KEY (version_type, version_code)
) STRICT;

CREATE TABLE upgrades (
  id               TEXT    NOT NULL PRIMARY KEY,
  serial_number    TEXT    NOT NULL REFERENCES devices (serial_number),
  account_id       TEXT    NOT NULL,
  instance_id      TEXT    NOT NULL,
  version_type     TEXT    NOT NULL,
  version_code     TEXT    NOT NULL,
  from_version     TEXT    NOT NULL,
  sha256           TEXT    NOT NULL,
  state            TEXT    NOT NULL,
  detail           TEXT    NOT NULL,
  generation       INTEGER NOT NULL,
  bytes_done       INTEGER NOT NULL,
  after_upgrade_id TEXT    NOT NULL,
  create_ms        INTEGER NOT NULL,
  update_ms        INTEGER NOT NULL,
  deadline_ms      INTEGER NOT NULL
) STRICT;
)sql";

// Version 6: the tables several PostgreSQL nodes coordinate through (see pg_schema.cc); kept
// here so both backends pass one contract suite. A single SQLite node keeps presence and nonces in
// memory.
constexpr std::string_view kCluster = R"sql(
CREATE TABLE cluster_nodes (
  node_id        TEXT    NOT NULL PRIMARY KEY,
  lease_until_ms INTEGER NOT NULL
) STRICT;
CREATE TABLE device_presence (
  serial_number TEXT    NOT NULL PRIMARY KEY,
  node_id       TEXT    NOT NULL,
  session_id    TEXT    NOT NULL,
  since_ms      INTEGER NOT NULL
) STRICT;
CREATE TABLE nonces (
  access_key_id TEXT    NOT NULL,
  nonce         TEXT    NOT NULL,
  expires_ms    INTEGER NOT NULL,
  PRIMARY KEY (access_key_id, nonce)
) STRICT;
)sql";

// Version 7: automatic upgrade policies (ModifyDeviceAutoUpgradePolicy), one per device and version
// type, with the schedule state the upgrade sweeper works from (docs/semantics.md "Automatic
// upgrades").
constexpr std::string_view kUpgradePolicies = R"sql(
CREATE TABLE upgrade_policies (
  serial_number   TEXT    NOT NULL,
  version_type    TEXT    NOT NULL,
  instance_id     TEXT    NOT NULL,
  region_id       TEXT    NOT NULL,
  upgrade_type    TEXT    NOT NULL,
  cron_expression TEXT    NOT NULL,
  duration_min    INTEGER NOT NULL,
  jitter_min      INTEGER NOT NULL,
  time_zone       TEXT    NOT NULL,
  next_window_ms  INTEGER NOT NULL,
  next_run_ms     INTEGER NOT NULL,
  last_window_ms  INTEGER NOT NULL,
  last_result     TEXT    NOT NULL,
  update_ms       INTEGER NOT NULL,
  PRIMARY KEY (serial_number, version_type)
) STRICT;
)sql";

constexpr std::string_view kGeneratedDeviceSecrets = R"sql(
ALTER TABLE devices ADD COLUMN secret_generated INTEGER NOT NULL DEFAULT 0;
)sql";

// Version 9: access control lists (ACLs, their rules, which instance each is associated with) and
// configuration revisions (store/config_facet_store.h). An instance has at most one ACL (its id
// keys the association); deleting the instance removes its association.
constexpr std::string_view kAclsAndConfigRevisions = R"sql(
CREATE TABLE acls (
  id                TEXT    NOT NULL PRIMARY KEY,
  account_id        TEXT    NOT NULL,
  region_id         TEXT    NOT NULL,
  name              TEXT    NOT NULL,
  acl_type          TEXT    NOT NULL,
  resource_group_id TEXT    NOT NULL,
  create_ms         INTEGER NOT NULL
) STRICT;
CREATE TABLE acl_rules (
  id                TEXT    NOT NULL PRIMARY KEY,
  acl_id            TEXT    NOT NULL REFERENCES acls (id),
  name              TEXT    NOT NULL,
  description       TEXT    NOT NULL,
  direction         TEXT    NOT NULL,
  type              TEXT    NOT NULL,
  policy            TEXT    NOT NULL,
  priority          INTEGER NOT NULL,
  ip_protocol       TEXT    NOT NULL,
  source_cidr       TEXT    NOT NULL,
  source_port_range TEXT    NOT NULL,
  dest_cidr         TEXT    NOT NULL,
  dest_port_range   TEXT    NOT NULL,
  dpi_group_ids     TEXT    NOT NULL,
  dpi_signature_ids TEXT    NOT NULL,
  create_ms         INTEGER NOT NULL
) STRICT;
CREATE TABLE acl_associations (
  instance_id TEXT    NOT NULL PRIMARY KEY REFERENCES instances (id) ON DELETE CASCADE,
  acl_id      TEXT    NOT NULL REFERENCES acls (id),
  create_ms   INTEGER NOT NULL
) STRICT;
CREATE TABLE config_revisions (
  account_id TEXT    NOT NULL PRIMARY KEY,
  revision   INTEGER NOT NULL
) STRICT;
CREATE TABLE config_facet_revisions (
  serial_number TEXT    NOT NULL REFERENCES devices (serial_number),
  facet         TEXT    NOT NULL,
  instance_id   TEXT    NOT NULL,
  revision      INTEGER NOT NULL,
  PRIMARY KEY (serial_number, facet)
) STRICT;
)sql";

// Version 10: cross-account grants (SAG -> CCN, CCN -> CEN, SAG -> VBR), a CCN's CEN, VBR bindings,
// flow logs and their instances, instance bandwidth caps, and when a device's secret was last
// replaced. Grants, bindings and flow-log membership go with their instance; a CCN with a grant or
// a CEN cannot be deleted before they are removed (DeleteCloudConnectNetwork removes its grants).
// An instance belongs to at most one flow log and at most one VBR binding; a VBR to at most one
// instance.
constexpr std::string_view kGrantsFlowLogsBandwidth = R"sql(
ALTER TABLE instances ADD COLUMN up_bandwidth_wan INTEGER NOT NULL DEFAULT 0;
ALTER TABLE instances ADD COLUMN up_bandwidth_4g  INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices   ADD COLUMN secret_ms        INTEGER NOT NULL DEFAULT 0;

CREATE TABLE sag_ccn_grants (
  id                    TEXT    NOT NULL PRIMARY KEY,
  account_id            TEXT    NOT NULL,
  region_id             TEXT    NOT NULL,
  instance_id           TEXT    NOT NULL UNIQUE REFERENCES instances (id) ON DELETE CASCADE,
  ccn_id                TEXT    NOT NULL,
  ccn_uid               TEXT    NOT NULL,
  grant_traffic_service INTEGER NOT NULL CHECK (grant_traffic_service IN (0, 1)),
  create_ms             INTEGER NOT NULL
) STRICT;

CREATE TABLE cen_grants (
  id                    TEXT    NOT NULL PRIMARY KEY,
  account_id            TEXT    NOT NULL,
  region_id             TEXT    NOT NULL,
  ccn_id                TEXT    NOT NULL REFERENCES ccns (id),
  cen_id                TEXT    NOT NULL,
  cen_uid               TEXT    NOT NULL,
  grant_traffic_service INTEGER NOT NULL CHECK (grant_traffic_service IN (0, 1)),
  create_ms             INTEGER NOT NULL,
  modify_ms             INTEGER NOT NULL,
  UNIQUE (ccn_id, cen_id)
) STRICT;

CREATE TABLE ccn_cens (
  ccn_id    TEXT    NOT NULL PRIMARY KEY REFERENCES ccns (id),
  cen_id    TEXT    NOT NULL,
  create_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE vbr_grants (
  id            TEXT    NOT NULL PRIMARY KEY,
  account_id    TEXT    NOT NULL,
  region_id     TEXT    NOT NULL,
  instance_id   TEXT    NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
  vbr_id        TEXT    NOT NULL,
  vbr_region_id TEXT    NOT NULL,
  vbr_uid       TEXT    NOT NULL,
  create_ms     INTEGER NOT NULL,
  UNIQUE (instance_id, vbr_id)
) STRICT;

CREATE TABLE vbr_bindings (
  vbr_region_id       TEXT    NOT NULL,
  vbr_id              TEXT    NOT NULL,
  instance_id         TEXT    NOT NULL UNIQUE REFERENCES instances (id) ON DELETE CASCADE,
  instance_account_id TEXT    NOT NULL,
  create_ms           INTEGER NOT NULL,
  PRIMARY KEY (vbr_region_id, vbr_id)
) STRICT;

CREATE TABLE flow_logs (
  id                  TEXT    NOT NULL PRIMARY KEY,
  account_id          TEXT    NOT NULL,
  region_id           TEXT    NOT NULL,
  name                TEXT    NOT NULL,
  description         TEXT    NOT NULL,
  active_aging        INTEGER NOT NULL,
  inactive_aging      INTEGER NOT NULL,
  output_type         TEXT    NOT NULL,
  sls_region_id       TEXT    NOT NULL,
  project_name        TEXT    NOT NULL,
  logstore_name       TEXT    NOT NULL,
  netflow_server_ip   TEXT    NOT NULL,
  netflow_server_port INTEGER NOT NULL,
  netflow_version     TEXT    NOT NULL,
  status              TEXT    NOT NULL,
  resource_group_id   TEXT    NOT NULL,
  create_ms           INTEGER NOT NULL
) STRICT;

CREATE TABLE flow_log_instances (
  instance_id TEXT    NOT NULL PRIMARY KEY REFERENCES instances (id) ON DELETE CASCADE,
  flow_log_id TEXT    NOT NULL REFERENCES flow_logs (id),
  create_ms   INTEGER NOT NULL
) STRICT;
)sql";

// Version 12: the audit trail (store/audit_store.h). seq orders the events as they were appended;
// AUTOINCREMENT never reuses a number, even after the newest events were purged.
constexpr std::string_view kAuditTrail = R"sql(
CREATE TABLE audit_events (
  seq            INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  event_ms       INTEGER NOT NULL,
  account_id     TEXT    NOT NULL,
  user_name      TEXT    NOT NULL,
  access_key_id  TEXT    NOT NULL,
  source_address TEXT    NOT NULL,
  event_source   TEXT    NOT NULL,
  action         TEXT    NOT NULL,
  resource_arn   TEXT    NOT NULL,
  request_id     TEXT    NOT NULL,
  result_code    TEXT    NOT NULL,
  http_status    INTEGER NOT NULL,
  detail         TEXT    NOT NULL
) STRICT;
)sql";

}  // namespace

std::span<const sql::Migration> Migrations() {
  static const sql::DialectMigrations migrations({kInitialSchema, kDevicesAndCcns, kDeviceChannel,
                                                  kClientUsers, kVersionsAndUpgrades, kCluster,
                                                  kUpgradePolicies, kGeneratedDeviceSecrets,
                                                  kAclsAndConfigRevisions, kGrantsFlowLogsBandwidth,
                                                  /* 11: reserved */ "", kAuditTrail});
  return migrations.list();
}

}  // namespace sag::store::sqlite
