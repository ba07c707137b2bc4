#include "store/pg/pg_util.h"

namespace sag::store::pg {

namespace {

// Conventions for every table, mirroring the SQLite schema: NOT NULL on every column (an absent
// value is '' or 0, as in the records), booleans as BOOLEAN, times as BIGINT milliseconds since the
// Unix epoch, binary data as BYTEA. Every text column uses COLLATE "C", so keys compare and order
// bytewise exactly as in SQLite, whatever the database's default collation. Records of an account
// are keyed by (account_id, ...); ids that are unique server-wide (AccessKey ids, instance ids) are
// keyed alone. Constraint names are spelled out because the store reacts to some of them.
constexpr std::string_view kInitialSchema = R"sql(
CREATE TABLE accounts (
  id          TEXT COLLATE "C" NOT NULL,
  name        TEXT COLLATE "C" NOT NULL,
  is_operator BOOLEAN          NOT NULL,
  create_ms   BIGINT           NOT NULL,
  CONSTRAINT accounts_pkey PRIMARY KEY (id)
);

CREATE TABLE users (
  account_id   TEXT COLLATE "C" NOT NULL,
  name         TEXT COLLATE "C" NOT NULL,
  display_name TEXT COLLATE "C" NOT NULL,
  is_root      BOOLEAN          NOT NULL,
  create_ms    BIGINT           NOT NULL,
  CONSTRAINT users_pkey PRIMARY KEY (account_id, name)
);

-- A user cannot be deleted while it has keys (no ON DELETE action: the delete fails).
CREATE TABLE access_keys (
  id            TEXT COLLATE "C" NOT NULL,
  account_id    TEXT COLLATE "C" NOT NULL,
  user_name     TEXT COLLATE "C" NOT NULL,
  sealed_secret BYTEA            NOT NULL,
  enabled       BOOLEAN          NOT NULL,
  create_ms     BIGINT           NOT NULL,
  CONSTRAINT access_keys_pkey PRIMARY KEY (id),
  CONSTRAINT access_keys_user_fkey FOREIGN KEY (account_id, user_name)
      REFERENCES users (account_id, name)
);

CREATE TABLE policies (
  account_id  TEXT COLLATE "C" NOT NULL,
  name        TEXT COLLATE "C" NOT NULL,
  description TEXT COLLATE "C" NOT NULL,
  document    TEXT COLLATE "C" NOT NULL,
  create_ms   BIGINT           NOT NULL,
  CONSTRAINT policies_pkey PRIMARY KEY (account_id, name)
);

-- A policy cannot be deleted while attached; deleting a user detaches its policies.
CREATE TABLE policy_attachments (
  account_id  TEXT COLLATE "C" NOT NULL,
  policy_name TEXT COLLATE "C" NOT NULL,
  user_name   TEXT COLLATE "C" NOT NULL,
  CONSTRAINT policy_attachments_pkey PRIMARY KEY (account_id, policy_name, user_name),
  CONSTRAINT policy_attachments_policy_fkey FOREIGN KEY (account_id, policy_name)
      REFERENCES policies (account_id, name),
  CONSTRAINT policy_attachments_user_fkey FOREIGN KEY (account_id, user_name)
      REFERENCES users (account_id, name) ON DELETE CASCADE
);

CREATE TABLE instances (
  id                               TEXT COLLATE "C" NOT NULL,
  account_id                       TEXT COLLATE "C" NOT NULL,
  region_id                        TEXT COLLATE "C" NOT NULL,
  name                             TEXT COLLATE "C" NOT NULL,
  description                      TEXT COLLATE "C" NOT NULL,
  status                           TEXT COLLATE "C" NOT NULL,
  instance_type                    TEXT COLLATE "C" NOT NULL,
  hardware_spec                    TEXT COLLATE "C" NOT NULL,
  ha_type                          TEXT COLLATE "C" NOT NULL,
  max_bandwidth                    BIGINT           NOT NULL,
  cidr_block                       TEXT COLLATE "C" NOT NULL,
  routing_strategy                 TEXT COLLATE "C" NOT NULL,
  security_lock_threshold          BIGINT           NOT NULL,
  position                         TEXT COLLATE "C" NOT NULL,
  enable_software_connection_audit BOOLEAN          NOT NULL,
  charge_type                      TEXT COLLATE "C" NOT NULL,
  period_months                    BIGINT           NOT NULL,
  order_id                         TEXT COLLATE "C" NOT NULL,
  resource_group_id                TEXT COLLATE "C" NOT NULL,
  ccn_id                           TEXT COLLATE "C" NOT NULL,
  user_count                       BIGINT           NOT NULL,
  data_plan                        BIGINT           NOT NULL,
  create_ms                        BIGINT           NOT NULL,
  end_ms                           BIGINT           NOT NULL,
  CONSTRAINT instances_pkey PRIMARY KEY (id)
);

CREATE TABLE settings (
  key   TEXT COLLATE "C" NOT NULL,
  value TEXT COLLATE "C" NOT NULL,
  CONSTRAINT settings_pkey PRIMARY KEY (key)
);
)sql";

// Version 2: the device inventory, serial-number bindings and Cloud Connect Networks.
//
// A binding is a row of device_bindings. Its primary key, the serial number, is what guarantees
// "one device, one instance" whatever the callers do, on every node; (instance_id, bind_seq) is
// unique and gives the bind order (the lowest bind_seq is the active device). The account of a
// binding is the instance's. A device cannot be deleted while bound, and an instance's bindings
// must be removed before the instance (DeleteInstance does both in one transaction).
//
// An instance's CCN stays in instances.ccn_id (version 1); a CCN's bound instances are found with
// instances_by_ccn.
constexpr std::string_view kDevicesAndCcns = R"sql(
CREATE TABLE devices (
  serial_number  TEXT COLLATE "C" NOT NULL,
  hardware_model TEXT COLLATE "C" NOT NULL,
  sealed_secret  BYTEA            NOT NULL,
  retired        BOOLEAN          NOT NULL,
  create_ms      BIGINT           NOT NULL,
  CONSTRAINT devices_pkey PRIMARY KEY (serial_number)
);

CREATE TABLE device_bindings (
  serial_number TEXT COLLATE "C" NOT NULL,
  instance_id   TEXT COLLATE "C" NOT NULL,
  bind_seq      BIGINT           NOT NULL,
  bound_ms      BIGINT           NOT NULL,
  CONSTRAINT device_bindings_pkey PRIMARY KEY (serial_number),
  CONSTRAINT device_bindings_device_fkey FOREIGN KEY (serial_number)
      REFERENCES devices (serial_number),
  CONSTRAINT device_bindings_instance_fkey FOREIGN KEY (instance_id) REFERENCES instances (id),
  CONSTRAINT device_bindings_order_key UNIQUE (instance_id, bind_seq)
);

CREATE TABLE ccns (
  id                  TEXT COLLATE "C" NOT NULL,
  account_id          TEXT COLLATE "C" NOT NULL,
  region_id           TEXT COLLATE "C" NOT NULL,
  name                TEXT COLLATE "C" NOT NULL,
  description         TEXT COLLATE "C" NOT NULL,
  cidr_block          TEXT COLLATE "C" NOT NULL,
  is_default          BOOLEAN          NOT NULL,
  interworking_status TEXT COLLATE "C" NOT NULL,
  create_ms           BIGINT           NOT NULL,
  CONSTRAINT ccns_pkey PRIMARY KEY (id)
);
)sql";

// Version 3: the device channel. Runtime columns on devices (what the device last reported and
// when its sessions began and ended) and one row per (device, facet) of desired/applied state.
// Generations only move forward: SetDesiredFacet and RecordApplied change a facet row only under
// its row lock (SELECT ... FOR UPDATE).
constexpr std::string_view kDeviceChannel = R"sql(
ALTER TABLE devices ADD COLUMN firmware_version  TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN dpi_version       TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE devices ADD COLUMN boot_ms           BIGINT           NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN last_connected_ms BIGINT           NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN last_offline_ms   BIGINT           NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN offline_reason    TEXT COLLATE "C" NOT NULL DEFAULT '';

CREATE TABLE device_facets (
  serial_number      TEXT COLLATE "C" NOT NULL,
  facet              TEXT COLLATE "C" NOT NULL,
  desired_generation BIGINT           NOT NULL,
  desired_value      TEXT COLLATE "C" NOT NULL,
  applied_generation BIGINT           NOT NULL,
  result_generation  BIGINT           NOT NULL,
  last_result        TEXT COLLATE "C" NOT NULL,
  last_detail        TEXT COLLATE "C" NOT NULL,
  update_ms          BIGINT           NOT NULL,
  CONSTRAINT device_facets_pkey PRIMARY KEY (serial_number, facet),
  CONSTRAINT device_facets_device_fkey FOREIGN KEY (serial_number)
      REFERENCES devices (serial_number)
);
)sql";

// Client users of SAG app instances: the primary key (instance, user name) and the unique
// (instance, ClientIp) keep names and addresses unique whatever the number of nodes; creators also
// lock the instance row, so the UserCount check holds too. Sessions go when their user goes.
constexpr std::string_view kClientUsers = R"sql(
CREATE TABLE client_users (
  instance_id      TEXT COLLATE "C" NOT NULL,
  user_name        TEXT COLLATE "C" NOT NULL,
  account_id       TEXT COLLATE "C" NOT NULL,
  user_mail        TEXT COLLATE "C" NOT NULL,
  bandwidth        BIGINT           NOT NULL,
  client_ip        BIGINT           NOT NULL CHECK (client_ip BETWEEN 0 AND 4294967295),
  is_static_ip     BOOLEAN          NOT NULL,
  state            BIGINT           NOT NULL CHECK (state IN (0, 1)),
  disabled_by_root BOOLEAN          NOT NULL,
  password_hash    TEXT COLLATE "C" NOT NULL,
  create_ms        BIGINT           NOT NULL,
  CONSTRAINT client_users_pkey PRIMARY KEY (instance_id, user_name),
  CONSTRAINT client_users_ip_key UNIQUE (instance_id, client_ip),
  CONSTRAINT client_users_instance_fkey FOREIGN KEY (instance_id)
      REFERENCES instances (id) ON DELETE CASCADE
);

CREATE TABLE client_sessions (
  id          TEXT COLLATE "C" NOT NULL,
  instance_id TEXT COLLATE "C" NOT NULL,
  user_name   TEXT COLLATE "C" NOT NULL,
  client_ip   BIGINT           NOT NULL,
  online_ms   BIGINT           NOT NULL,
  CONSTRAINT client_sessions_pkey PRIMARY KEY (id),
  CONSTRAINT client_sessions_user_fkey FOREIGN KEY (instance_id, user_name)
      REFERENCES client_users (instance_id, user_name) ON DELETE CASCADE
);
)sql";

// Version 5: the software catalogue and device upgrades. A partial unique index makes "at most one
// non-terminal upgrade per device" a schema invariant.
constexpr std::string_view kVersionsAndUpgrades = R"sql(
CREATE TABLE versions (
  version_type       TEXT COLLATE "C" NOT NULL,
  version_code       TEXT COLLATE "C" NOT NULL,
  version_name       TEXT COLLATE "C" NOT NULL,
  release_type       TEXT COLLATE "C" NOT NULL,
  hardware_models    TEXT COLLATE "C" NOT NULL,
  sha256             TEXT COLLATE "C" NOT NULL,
  size               BIGINT  NOT NULL,
  min_device_version TEXT COLLATE "C" NOT NULL,
  create_ms          BIGINT  NOT NULL,
  withdrawn          BOOLEAN NOT NULL,
  withdrawn_ms       BIGINT  NOT NULL,
  CONSTRAINT versions_pkey PRIMARY KEY (version_type, version_code)
);

CREATE TABLE upgrades (
  id               TEXT COLLATE "C" NOT NULL,
  serial_number    TEXT COLLATE "C" NOT NULL,
  account_id       TEXT COLLATE "C" NOT NULL,
  instance_id      TEXT COLLATE "C" NOT NULL,
  version_type     TEXT COLLATE "C" NOT NULL,
  version_code     TEXT COLLATE "C" NOT NULL,
  from_version     TEXT COLLATE "C" NOT NULL,
  sha256           TEXT COLLATE "C" NOT NULL,
  state            TEXT COLLATE "C" NOT NULL,
  detail           TEXT COLLATE "C" NOT NULL,
  generation       BIGINT  NOT NULL,
  bytes_done       BIGINT  NOT NULL,
  after_upgrade_id TEXT COLLATE "C" NOT NULL,
  create_ms        BIGINT  NOT NULL,
  update_ms        BIGINT  NOT NULL,
  deadline_ms      BIGINT  NOT NULL,
  CONSTRAINT upgrades_pkey PRIMARY KEY (id),
  CONSTRAINT upgrades_device_fkey FOREIGN KEY (serial_number) REFERENCES devices (serial_number)
);
)sql";

// Version 6: several nodes on one database (docs/deployment.md). cluster_nodes: each live node's
// lease; device_presence: which node (and session) holds a device's channel, valid while that
// node's lease is current; nonces: the replay window shared by every node.
constexpr std::string_view kCluster = R"sql(
CREATE TABLE cluster_nodes (
  node_id          TEXT COLLATE "C" NOT NULL,
  lease_until_ms   BIGINT           NOT NULL,
  CONSTRAINT cluster_nodes_pkey PRIMARY KEY (node_id)
);
CREATE TABLE device_presence (
  serial_number TEXT COLLATE "C" NOT NULL,
  node_id       TEXT COLLATE "C" NOT NULL,
  session_id    TEXT COLLATE "C" NOT NULL,
  since_ms      BIGINT           NOT NULL,
  CONSTRAINT device_presence_pkey PRIMARY KEY (serial_number)
);
CREATE TABLE nonces (
  access_key_id TEXT COLLATE "C" NOT NULL,
  nonce         TEXT COLLATE "C" NOT NULL,
  expires_ms    BIGINT           NOT NULL,
  CONSTRAINT nonces_pkey PRIMARY KEY (access_key_id, nonce)
);
)sql";

// Version 7: automatic upgrade policies (ModifyDeviceAutoUpgradePolicy), one per device and version
// type, with the schedule state the upgrade sweeper works from (docs/semantics.md "Automatic
// upgrades").
constexpr std::string_view kUpgradePolicies = R"sql(
CREATE TABLE upgrade_policies (
  serial_number   TEXT COLLATE "C" NOT NULL,
  version_type    TEXT COLLATE "C" NOT NULL,
  instance_id     TEXT COLLATE "C" NOT NULL,
  region_id       TEXT             NOT NULL,
  upgrade_type    TEXT             NOT NULL,
  cron_expression TEXT             NOT NULL,
  duration_min    BIGINT           NOT NULL,
  jitter_min      BIGINT           NOT NULL,
  time_zone       TEXT             NOT NULL,
  next_window_ms  BIGINT           NOT NULL,
  next_run_ms     BIGINT           NOT NULL,
  last_window_ms  BIGINT           NOT NULL,
  last_result     TEXT             NOT NULL,
  update_ms       BIGINT           NOT NULL,
  CONSTRAINT upgrade_policies_pkey PRIMARY KEY (serial_number, version_type)
);
)sql";

constexpr std::string_view kGeneratedDeviceSecrets = R"sql(
ALTER TABLE devices ADD COLUMN secret_generated BOOLEAN NOT NULL DEFAULT FALSE;
)sql";

// Version 9: access control lists and configuration revisions (see sqlite_schema.cc).
constexpr std::string_view kAclsAndConfigRevisions = R"sql(
CREATE TABLE acls (
  id                TEXT COLLATE "C" NOT NULL,
  account_id        TEXT COLLATE "C" NOT NULL,
  region_id         TEXT COLLATE "C" NOT NULL,
  name              TEXT COLLATE "C" NOT NULL,
  acl_type          TEXT COLLATE "C" NOT NULL,
  resource_group_id TEXT COLLATE "C" NOT NULL,
  create_ms         BIGINT           NOT NULL,
  CONSTRAINT acls_pkey PRIMARY KEY (id)
);
CREATE TABLE acl_rules (
  id                TEXT COLLATE "C" NOT NULL,
  acl_id            TEXT COLLATE "C" NOT NULL,
  name              TEXT COLLATE "C" NOT NULL,
  description       TEXT COLLATE "C" NOT NULL,
  direction         TEXT COLLATE "C" NOT NULL,
  type              TEXT COLLATE "C" NOT NULL,
  policy            TEXT COLLATE "C" NOT NULL,
  priority          BIGINT           NOT NULL,
  ip_protocol       TEXT COLLATE "C" NOT NULL,
  source_cidr       TEXT COLLATE "C" NOT NULL,
  source_port_range TEXT COLLATE "C" NOT NULL,
  dest_cidr         TEXT COLLATE "C" NOT NULL,
  dest_port_range   TEXT COLLATE "C" NOT NULL,
  dpi_group_ids     TEXT COLLATE "C" NOT NULL,
  dpi_signature_ids TEXT COLLATE "C" NOT NULL,
  create_ms         BIGINT           NOT NULL,
  CONSTRAINT acl_rules_pkey PRIMARY KEY (id),
  CONSTRAINT acl_rules_acl_fkey FOREIGN KEY (acl_id) REFERENCES acls (id)
);
CREATE TABLE acl_associations (
  instance_id TEXT COLLATE "C" NOT NULL,
  acl_id      TEXT COLLATE "C" NOT NULL,
  create_ms   BIGINT           NOT NULL,
  CONSTRAINT acl_associations_pkey PRIMARY KEY (instance_id),
  CONSTRAINT acl_associations_instance_fkey FOREIGN KEY (instance_id) REFERENCES instances (id)
    ON DELETE CASCADE,
  CONSTRAINT acl_associations_acl_fkey FOREIGN KEY (acl_id) REFERENCES acls (id)
);
CREATE TABLE config_revisions (
  account_id TEXT COLLATE "C" NOT NULL,
  revision   BIGINT           NOT NULL,
  CONSTRAINT config_revisions_pkey PRIMARY KEY (account_id)
);
CREATE TABLE config_facet_revisions (
  serial_number TEXT COLLATE "C" NOT NULL,
  facet         TEXT COLLATE "C" NOT NULL,
  instance_id   TEXT COLLATE "C" NOT NULL,
  revision      BIGINT           NOT NULL,
  CONSTRAINT config_facet_revisions_pkey PRIMARY KEY (serial_number, facet),
  CONSTRAINT config_facet_revisions_device_fkey FOREIGN KEY (serial_number)
    REFERENCES devices (serial_number)
);
)sql";

// Version 10: cross-account grants (SAG -> CCN, CCN -> CEN, SAG -> VBR), a CCN's CEN, VBR bindings,
// flow logs and their instances, instance bandwidth caps, and when a device's secret was last
// replaced. Grants, bindings and flow-log membership go with their instance; a CCN with a grant or
// a CEN cannot be deleted before they are removed (DeleteCloudConnectNetwork removes its grants).
// An instance belongs to at most one flow log and at most one VBR binding; a VBR to at most one
// instance.
constexpr std::string_view kGrantsFlowLogsBandwidth = R"sql(
ALTER TABLE instances ADD COLUMN up_bandwidth_wan BIGINT NOT NULL DEFAULT 0;
ALTER TABLE instances ADD COLUMN up_bandwidth_4g  BIGINT NOT NULL DEFAULT 0;
ALTER TABLE devices   ADD COLUMN secret_ms        BIGINT NOT NULL DEFAULT 0;

CREATE TABLE sag_ccn_grants (
  id                    TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  account_id            TEXT COLLATE "C" NOT NULL,
  region_id             TEXT COLLATE "C" NOT NULL,
  instance_id           TEXT COLLATE "C" NOT NULL UNIQUE REFERENCES instances (id) ON DELETE CASCADE,
  ccn_id                TEXT COLLATE "C" NOT NULL,
  ccn_uid               TEXT COLLATE "C" NOT NULL,
  grant_traffic_service BOOLEAN          NOT NULL,
  create_ms             BIGINT           NOT NULL
);

CREATE TABLE cen_grants (
  id                    TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  account_id            TEXT COLLATE "C" NOT NULL,
  region_id             TEXT COLLATE "C" NOT NULL,
  ccn_id                TEXT COLLATE "C" NOT NULL REFERENCES ccns (id),
  cen_id                TEXT COLLATE "C" NOT NULL,
  cen_uid               TEXT COLLATE "C" NOT NULL,
  grant_traffic_service BOOLEAN          NOT NULL,
  create_ms             BIGINT           NOT NULL,
  modify_ms             BIGINT           NOT NULL,
  UNIQUE (ccn_id, cen_id)
);

CREATE TABLE ccn_cens (
  ccn_id    TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES ccns (id),
  cen_id    TEXT COLLATE "C" NOT NULL,
  create_ms BIGINT           NOT NULL
);

CREATE TABLE vbr_grants (
  id            TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  account_id    TEXT COLLATE "C" NOT NULL,
  region_id     TEXT COLLATE "C" NOT NULL,
  instance_id   TEXT COLLATE "C" NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
  vbr_id        TEXT COLLATE "C" NOT NULL,
  vbr_region_id TEXT COLLATE "C" NOT NULL,
  vbr_uid       TEXT COLLATE "C" NOT NULL,
  create_ms     BIGINT           NOT NULL,
  UNIQUE (instance_id, vbr_id)
);

CREATE TABLE vbr_bindings (
  vbr_region_id       TEXT COLLATE "C" NOT NULL,
  vbr_id              TEXT COLLATE "C" NOT NULL,
  instance_id         TEXT COLLATE "C" NOT NULL UNIQUE REFERENCES instances (id) ON DELETE CASCADE,
  instance_account_id TEXT COLLATE "C" NOT NULL,
  create_ms           BIGINT           NOT NULL,
  PRIMARY KEY (vbr_region_id, vbr_id)
);

CREATE TABLE flow_logs (
  id                  TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  account_id          TEXT COLLATE "C" NOT NULL,
  region_id           TEXT COLLATE "C" NOT NULL,
  name                TEXT COLLATE "C" NOT NULL,
  description         TEXT COLLATE "C" NOT NULL,
  active_aging        BIGINT           NOT NULL,
  inactive_aging      BIGINT           NOT NULL,
  output_type         TEXT COLLATE "C" NOT NULL,
  sls_region_id       TEXT COLLATE "C" NOT NULL,
  project_name        TEXT COLLATE "C" NOT NULL,
  logstore_name       TEXT COLLATE "C" NOT NULL,
  netflow_server_ip   TEXT COLLATE "C" NOT NULL,
  netflow_server_port BIGINT           NOT NULL,
  netflow_version     TEXT COLLATE "C" NOT NULL,
  status              TEXT COLLATE "C" NOT NULL,
  resource_group_id   TEXT COLLATE "C" NOT NULL,
  create_ms           BIGINT           NOT NULL
);

CREATE TABLE flow_log_instances (
  instance_id TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES instances (id) ON DELETE CASCADE,
  flow_log_id TEXT COLLATE "C" NOT NULL REFERENCES flow_logs (id),
  create_ms   BIGINT           NOT NULL
);
)sql";

// Version 12: the audit trail (store/audit_store.h). seq orders the events as they were appended,
// across nodes (one identity sequence in the shared database).
constexpr std::string_view kAuditTrail = R"sql(
CREATE TABLE audit_events (
  seq            BIGINT GENERATED ALWAYS AS IDENTITY,
  event_ms       BIGINT           NOT NULL,
  account_id     TEXT COLLATE "C" NOT NULL,
  user_name      TEXT COLLATE "C" NOT NULL,
  access_key_id  TEXT COLLATE "C" NOT NULL,
  source_address TEXT COLLATE "C" NOT NULL,
  event_source   TEXT COLLATE "C" NOT NULL,
  action         TEXT COLLATE "C" NOT NULL,
  resource_arn   TEXT COLLATE "C" NOT NULL,
  request_id     TEXT COLLATE "C" NOT NULL,
  result_code    TEXT COLLATE "C" NOT NULL,
  http_status    BIGINT           NOT NULL,
  detail         TEXT COLLATE "C" NOT NULL,
  CONSTRAINT audit_events_pkey PRIMARY KEY (seq)
);
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

}  // namespace sag::store::pg
