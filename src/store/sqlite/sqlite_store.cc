#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "store/connection_pool.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_util.h"

namespace sag::store {

namespace {

using sqlite::Connection;
using sqlite::ConnectionOptions;
using sqlite::Statement;
using sqlite::Transaction;

StoreError NotFound(std::string detail) {
  return StoreError{StoreErrorCode::kNotFound, std::move(detail)};
}

StoreError Conflict(std::string detail) {
  return StoreError{StoreErrorCode::kConflict, std::move(detail)};
}

// True for paths that name a private in-memory database, which exists once per connection and so
// must be served by exactly one connection.
bool IsInMemory(const std::string& path) {
  return path.empty() || path == ":memory:" || path.starts_with("file::memory:") ||
         path.find("mode=memory") != std::string::npos;
}

using Pool = ConnectionPool<Connection>;

// Binds each of args as text to parameters 1, 2, ...
template <typename... Args>
void BindTexts(Statement& stmt, const Args&... args) {
  int index = 0;
  (stmt.BindText(++index, args), ...);
}

// Runs a query with text parameters and reports whether it returned a row.
template <typename... Args>
StoreResult<bool> RowExists(Connection& conn, std::string_view sql, const Args&... args) {
  ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(sql));
  BindTexts(stmt, args...);
  return stmt.Step();
}

// Runs a query with text parameters and reads its first row through read; kNotFound with
// not_found as detail when there is none.
template <typename T, typename... Args>
StoreResult<T> GetRow(Connection& conn, std::string_view sql, std::string_view not_found,
                      T (*read)(const Statement&), const Args&... args) {
  ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(sql));
  BindTexts(stmt, args...);
  ASSIGN_OR_RETURN(const bool row, stmt.Step());
  if (!row) {
    return MakeUnexpected(NotFound(std::string(not_found)));
  }
  return read(stmt);
}

// Row readers. Each matches the column list of the queries that use it.

constexpr std::string_view kAccountColumns = "id, name, is_operator, create_ms";

AccountRecord ReadAccount(const Statement& s) {
  AccountRecord a;
  a.id = s.ColumnText(0);
  a.name = s.ColumnText(1);
  a.is_operator = s.ColumnBool(2);
  a.create_ms = s.ColumnInt64(3);
  return a;
}

UserRecord ReadUser(const Statement& s) {
  UserRecord u;
  u.account_id = s.ColumnText(0);
  u.name = s.ColumnText(1);
  u.display_name = s.ColumnText(2);
  u.is_root = s.ColumnBool(3);
  u.create_ms = s.ColumnInt64(4);
  return u;
}

constexpr std::string_view kAccessKeyColumns =
    "id, account_id, user_name, sealed_secret, enabled, create_ms";

AccessKeyRecord ReadAccessKey(const Statement& s) {
  AccessKeyRecord k;
  k.id = s.ColumnText(0);
  k.account_id = s.ColumnText(1);
  k.user_name = s.ColumnText(2);
  k.sealed_secret = s.ColumnBlob(3);
  k.enabled = s.ColumnBool(4);
  k.create_ms = s.ColumnInt64(5);
  return k;
}

PolicyRecord ReadPolicy(const Statement& s) {
  PolicyRecord p;
  p.account_id = s.ColumnText(0);
  p.name = s.ColumnText(1);
  p.description = s.ColumnText(2);
  p.document = s.ColumnText(3);
  p.create_ms = s.ColumnInt64(4);
  return p;
}

constexpr std::string_view kInstanceColumns =
    "id, account_id, region_id, name, description, status, instance_type, hardware_spec, ha_type, "
    "max_bandwidth, cidr_block, routing_strategy, security_lock_threshold, position, "
    "enable_software_connection_audit, charge_type, period_months, order_id, resource_group_id, "
    "ccn_id, user_count, data_plan, create_ms, end_ms";

InstanceRecord ReadInstance(const Statement& s) {
  InstanceRecord r;
  int i = 0;
  r.id = s.ColumnText(i++);
  r.account_id = s.ColumnText(i++);
  r.region_id = s.ColumnText(i++);
  r.name = s.ColumnText(i++);
  r.description = s.ColumnText(i++);
  r.status = s.ColumnText(i++);
  r.instance_type = s.ColumnText(i++);
  r.hardware_spec = s.ColumnText(i++);
  r.ha_type = s.ColumnText(i++);
  r.max_bandwidth = s.ColumnInt64(i++);
  r.cidr_block = s.ColumnText(i++);
  r.routing_strategy = s.ColumnText(i++);
  r.security_lock_threshold = s.ColumnInt64(i++);
  r.position = s.ColumnText(i++);
  r.enable_software_connection_audit = s.ColumnBool(i++);
  r.charge_type = s.ColumnText(i++);
  r.period_months = s.ColumnInt64(i++);
  r.order_id = s.ColumnText(i++);
  r.resource_group_id = s.ColumnText(i++);
  r.ccn_id = s.ColumnText(i++);
  r.user_count = s.ColumnInt64(i++);
  r.data_plan = s.ColumnInt64(i++);
  r.create_ms = s.ColumnInt64(i++);
  r.end_ms = s.ColumnInt64(i++);
  return r;
}

// The serial numbers bound to the instance, in bind order.
StoreResult<std::vector<std::string>> BoundSerialNumbers(Connection& conn,
                                                         std::string_view instance_id) {
  ASSIGN_OR_RETURN(Statement stmt, conn.Prepare("SELECT serial_number FROM device_bindings "
                                                "WHERE instance_id = ?1 ORDER BY bind_seq"));
  stmt.BindText(1, instance_id);
  std::vector<std::string> sns;
  while (true) {
    ASSIGN_OR_RETURN(const bool row, stmt.Step());
    if (!row) {
      return sns;
    }
    sns.push_back(stmt.ColumnText(0));
  }
}

// The instance (account, region, id) with its serial numbers; an empty region matches any region.
// Callers that need the two reads consistent run this inside a transaction.
StoreResult<InstanceRecord> FindInstance(Connection& conn, std::string_view account_id,
                                         std::string_view region_id, std::string_view instance_id) {
  static const std::string kSql = "SELECT " + std::string(kInstanceColumns) +
                                  " FROM instances WHERE id = ?1 AND account_id = ?2 "
                                  "AND (?3 = '' OR region_id = ?3)";
  ASSIGN_OR_RETURN(InstanceRecord r, GetRow(conn, kSql, "instance not found", &ReadInstance,
                                            instance_id, account_id, region_id));
  ASSIGN_OR_RETURN(r.serial_numbers, BoundSerialNumbers(conn, r.id));
  return r;
}

constexpr std::string_view kDeviceColumns =
    "d.serial_number, d.hardware_model, d.sealed_secret, d.retired, d.create_ms, "
    "coalesce(i.account_id, ''), coalesce(b.instance_id, ''), coalesce(b.bound_ms, 0), "
    "d.firmware_version, d.dpi_version, d.boot_ms, d.last_connected_ms, d.last_offline_ms, "
    "d.offline_reason, d.secret_generated";
// Devices with their binding (if any); kDeviceColumns reads from it.
constexpr std::string_view kDeviceFrom =
    " FROM devices d LEFT JOIN device_bindings b ON b.serial_number = d.serial_number "
    "LEFT JOIN instances i ON i.id = b.instance_id";

DeviceRecord ReadDevice(const Statement& s) {
  DeviceRecord d;
  d.serial_number = s.ColumnText(0);
  d.hardware_model = s.ColumnText(1);
  d.sealed_secret = s.ColumnBlob(2);
  d.retired = s.ColumnBool(3);
  d.create_ms = s.ColumnInt64(4);
  d.account_id = s.ColumnText(5);
  d.instance_id = s.ColumnText(6);
  d.bound_ms = s.ColumnInt64(7);
  d.firmware_version = s.ColumnText(8);
  d.dpi_version = s.ColumnText(9);
  d.boot_ms = s.ColumnInt64(10);
  d.last_connected_ms = s.ColumnInt64(11);
  d.last_offline_ms = s.ColumnInt64(12);
  d.offline_reason = s.ColumnText(13);
  d.secret_generated = s.ColumnBool(14);
  return d;
}

StoreResult<std::optional<DeviceRecord>> FindDevice(Connection& conn,
                                                    std::string_view serial_number) {
  static const std::string kSql = "SELECT " + std::string(kDeviceColumns) +
                                  std::string(kDeviceFrom) + " WHERE d.serial_number = ?1";
  ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(kSql));
  stmt.BindText(1, serial_number);
  ASSIGN_OR_RETURN(const bool row, stmt.Step());
  if (!row) {
    return std::optional<DeviceRecord>();
  }
  return std::optional<DeviceRecord>(ReadDevice(stmt));
}

// CCN columns, with the number of instances bound (instances of the CCN's account whose ccn_id is
// the CCN's id).
constexpr std::string_view kCcnColumns =
    "c.id, c.account_id, c.region_id, c.name, c.description, c.cidr_block, c.is_default, "
    "c.interworking_status, c.create_ms, "
    "(SELECT count(*) FROM instances i WHERE i.account_id = c.account_id AND i.ccn_id = c.id)";

CcnRecord ReadCcn(const Statement& s) {
  CcnRecord c;
  c.id = s.ColumnText(0);
  c.account_id = s.ColumnText(1);
  c.region_id = s.ColumnText(2);
  c.name = s.ColumnText(3);
  c.description = s.ColumnText(4);
  c.cidr_block = s.ColumnText(5);
  c.is_default = s.ColumnBool(6);
  c.interworking_status = s.ColumnText(7);
  c.create_ms = s.ColumnInt64(8);
  c.instance_count = s.ColumnInt64(9);
  return c;
}

// The CCN (account, region, id); an empty region matches any region.
StoreResult<CcnRecord> FindCcn(Connection& conn, std::string_view account_id,
                               std::string_view region_id, std::string_view ccn_id) {
  static const std::string kSql = "SELECT " + std::string(kCcnColumns) +
                                  " FROM ccns c WHERE c.id = ?1 AND c.account_id = ?2 "
                                  "AND (?3 = '' OR c.region_id = ?3)";
  return GetRow(conn, kSql, "CCN not found", &ReadCcn, ccn_id, account_id, region_id);
}

// Sets the instance's ccn_id.
StoreResult<void> SetInstanceCcn(Connection& conn, std::string_view instance_id,
                                 std::string_view ccn_id) {
  ASSIGN_OR_RETURN(Statement stmt, conn.Prepare("UPDATE instances SET ccn_id = ?2 WHERE id = ?1"));
  BindTexts(stmt, instance_id, ccn_id);
  return stmt.Run();
}

// A value bound to a ? of SQL assembled at run time.
using Param = std::variant<std::string_view, int64_t>;

// Binds params to ?1, ?2, ...; returns the number bound.
int BindParams(Statement& stmt, const std::vector<Param>& params) {
  int index = 0;
  for (const Param& p : params) {
    ++index;
    if (const auto* text = std::get_if<std::string_view>(&p)) {
      stmt.BindText(index, *text);
    } else {
      stmt.BindInt64(index, std::get<int64_t>(p));
    }
  }
  return index;
}

// Appends " AND column IN (?, ?, ...)" for values (nothing when values is empty).
void AppendIn(std::string& where, std::vector<Param>& params, std::string_view column,
              const std::vector<std::string>& values) {
  if (values.empty()) {
    return;
  }
  where += " AND ";
  where += column;
  where += " IN (?";
  for (size_t i = 1; i < values.size(); ++i) {
    where += ", ?";
  }
  where += ")";
  params.insert(params.end(), values.begin(), values.end());
}

// True when the result is the given error code.
template <typename T>
bool IsError(const StoreResult<T>& result, StoreErrorCode code) {
  return !result.has_value() && result.error().code == code;
}

// Runs a query with text parameters and collects every row through read.
template <typename T, typename... Args>
StoreResult<std::vector<T>> ListRows(Connection& conn, std::string_view sql,
                                     T (*read)(const Statement&), const Args&... args) {
  ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(sql));
  BindTexts(stmt, args...);
  std::vector<T> rows;
  while (true) {
    ASSIGN_OR_RETURN(const bool row, stmt.Step());
    if (!row) {
      return rows;
    }
    rows.push_back(read(stmt));
  }
}

// Runs a DELETE/UPDATE with text parameters; kNotFound (with detail `what`) when no row matched.
template <typename... Args>
StoreResult<void> ChangeOne(Connection& conn, std::string_view sql, std::string_view what,
                            const Args&... args) {
  ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(sql));
  BindTexts(stmt, args...);
  RETURN_IF_ERROR(stmt.Run());
  if (conn.Changes() == 0) {
    return MakeUnexpected(NotFound(std::string(what) + " not found"));
  }
  return {};
}

}  // namespace

struct SqliteStore::Impl {
  Pool pool;
  std::mutex write_mu;  // one writer at a time in this process; no busy-waiting on the write lock
  int64_t schema_version = 0;

  // Runs f on a borrowed connection (autocommit: each statement is its own read transaction).
  template <typename F>
  auto Read(F&& f) {
    Pool::Lease lease = pool.Borrow();
    return f(*lease);
  }

  // Runs f in one BEGIN IMMEDIATE transaction, committed when f succeeds and rolled back otherwise.
  template <typename F>
  auto Write(F&& f) {
    using R = std::invoke_result_t<F&, Connection&>;
    std::lock_guard lock(write_mu);
    Pool::Lease lease = pool.Borrow();
    auto txn = Transaction::Begin(*lease, Transaction::Mode::kWrite);
    if (!txn) {
      return R(MakeUnexpected(std::move(txn).error()));
    }
    R result = f(*lease);
    if (!result.has_value()) {
      return result;  // txn rolls back as it goes out of scope
    }
    if (auto committed = txn->Commit(); !committed) {
      return R(MakeUnexpected(std::move(committed).error()));
    }
    return result;
  }
};

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<SqliteStore>, std::string> SqliteStore::Open(const std::string& path,
                                                                    int pool_size) {
  const bool memory = IsInMemory(path);
  const int connections = memory ? 1 : std::max(1, pool_size);
  ConnectionOptions options;
  options.require_wal = !memory;

  auto impl = std::make_unique<Impl>();
  for (int i = 0; i < connections; ++i) {
    ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Connection::Open(path, options));
    if (i == 0) {  // migrate before any other connection caches statements against the schema
      ASSIGN_OR_RETURN(impl->schema_version, sqlite::ApplyMigrations(*conn));
    }
    impl->pool.Add(std::move(conn));
  }
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(impl)));
}

int64_t SqliteStore::schema_version() const { return impl_->schema_version; }

// Accounts ----------------------------------------------------------------------------------------

StoreResult<void> SqliteStore::CreateAccount(const AccountRecord& account) {
  return impl_->Write([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(Statement stmt,
                     conn.Prepare("INSERT INTO accounts (id, name, is_operator, create_ms) "
                                  "VALUES (?1, ?2, ?3, ?4)"));
    stmt.BindText(1, account.id)
        .BindText(2, account.name)
        .BindBool(3, account.is_operator)
        .BindInt64(4, account.create_ms);
    return stmt.Run();
  });
}

StoreResult<AccountRecord> SqliteStore::GetAccount(std::string_view account_id) {
  return impl_->Read([&](Connection& conn) -> StoreResult<AccountRecord> {
    static const std::string kSql =
        "SELECT " + std::string(kAccountColumns) + " FROM accounts WHERE id = ?1";
    return GetRow(conn, kSql, "account not found", &ReadAccount, account_id);
  });
}

StoreResult<std::vector<AccountRecord>> SqliteStore::ListAccounts() {
  return impl_->Read([&](Connection& conn) {
    static const std::string kSql =
        "SELECT " + std::string(kAccountColumns) + " FROM accounts ORDER BY create_ms, id";
    return ListRows(conn, kSql, &ReadAccount);
  });
}

// Users -------------------------------------------------------------------------------------------

StoreResult<void> SqliteStore::CreateUser(const UserRecord& user) {
  return impl_->Write([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(
        Statement stmt,
        conn.Prepare("INSERT INTO users (account_id, name, display_name, is_root, create_ms) "
                     "VALUES (?1, ?2, ?3, ?4, ?5)"));
    stmt.BindText(1, user.account_id)
        .BindText(2, user.name)
        .BindText(3, user.display_name)
        .BindBool(4, user.is_root)
        .BindInt64(5, user.create_ms);
    return stmt.Run();
  });
}

StoreResult<UserRecord> SqliteStore::GetUser(std::string_view account_id, std::string_view name) {
  return impl_->Read([&](Connection& conn) -> StoreResult<UserRecord> {
    return GetRow(conn,
                  "SELECT account_id, name, display_name, is_root, create_ms "
                  "FROM users WHERE account_id = ?1 AND name = ?2",
                  "user not found", &ReadUser, account_id, name);
  });
}

StoreResult<std::vector<UserRecord>> SqliteStore::ListUsers(std::string_view account_id) {
  return impl_->Read([&](Connection& conn) {
    return ListRows(conn,
                    "SELECT account_id, name, display_name, is_root, create_ms FROM users "
                    "WHERE account_id = ?1 ORDER BY create_ms, name",
                    &ReadUser, account_id);
  });
}

StoreResult<void> SqliteStore::DeleteUser(std::string_view account_id, std::string_view name) {
  return impl_->Write([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(const bool has_keys,
                     RowExists(conn,
                               "SELECT 1 FROM access_keys WHERE account_id = ?1 AND user_name = ?2 "
                               "LIMIT 1",
                               account_id, name));
    if (has_keys) {
      return MakeUnexpected(Conflict("user still has AccessKeys"));
    }
    // Attachments go with the user (ON DELETE CASCADE).
    return ChangeOne(conn, "DELETE FROM users WHERE account_id = ?1 AND name = ?2", "user",
                     account_id, name);
  });
}

// AccessKeys --------------------------------------------------------------------------------------

StoreResult<void> SqliteStore::CreateAccessKey(const AccessKeyRecord& key) {
  return impl_->Write([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(const bool user_exists,
                     RowExists(conn, "SELECT 1 FROM users WHERE account_id = ?1 AND name = ?2",
                               key.account_id, key.user_name));
    if (!user_exists) {
      return MakeUnexpected(NotFound("user not found"));
    }
    ASSIGN_OR_RETURN(Statement stmt, conn.Prepare("INSERT INTO access_keys (id, account_id, "
                                                  "user_name, sealed_secret, enabled, create_ms) "
                                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    stmt.BindText(1, key.id)
        .BindText(2, key.account_id)
        .BindText(3, key.user_name)
        .BindBlob(4, key.sealed_secret)
        .BindBool(5, key.enabled)
        .BindInt64(6, key.create_ms);
    return stmt.Run();
  });
}

StoreResult<AccessKeyRecord> SqliteStore::GetAccessKey(std::string_view key_id) {
  return impl_->Read([&](Connection& conn) -> StoreResult<AccessKeyRecord> {
    static const std::string kSql =
        "SELECT " + std::string(kAccessKeyColumns) + " FROM access_keys WHERE id = ?1";
    return GetRow(conn, kSql, "AccessKey not found", &ReadAccessKey, key_id);
  });
}

StoreResult<std::vector<AccessKeyRecord>> SqliteStore::ListAccessKeys(std::string_view account_id,
                                                                      std::string_view user_name) {
  return impl_->Read([&](Connection& conn) {
    static const std::string kSql =
        "SELECT " + std::string(kAccessKeyColumns) +
        " FROM access_keys WHERE account_id = ?1 AND (?2 = '' OR user_name = ?2) "
        "ORDER BY create_ms, id";
    return ListRows(conn, kSql, &ReadAccessKey, account_id, user_name);
  });
}

StoreResult<void> SqliteStore::SetAccessKeyEnabled(std::string_view account_id,
                                                   std::string_view key_id, bool enabled) {
  return impl_->Write([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(
        Statement stmt,
        conn.Prepare("UPDATE access_keys SET enabled = ?3 WHERE account_id = ?1 AND id = ?2"));
    stmt.BindText(1, account_id).BindText(2, key_id).BindBool(3, enabled);
    RETURN_IF_ERROR(stmt.Run());
    if (conn.Changes() == 0) {
      return MakeUnexpected(NotFound("AccessKey not found"));
    }
    return {};
  });
}

StoreResult<void> SqliteStore::DeleteAccessKey(std::string_view account_id,
                                               std::string_view key_id) {
  return impl_->Write([&](Connection& conn) {
    return ChangeOne(conn, "DELETE FROM access_keys WHERE account_id = ?1 AND id = ?2", "AccessKey",
                     account_id, key_id);
  });
}

// Policies ----------------------------------------------------------------------------------------

StoreResult<void> SqliteStore::CreatePolicy(const PolicyRecord& policy) {
  return impl_->Write([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(
        Statement stmt,
        conn.Prepare("INSERT INTO policies (account_id, name, description, document, create_ms) "
                     "VALUES (?1, ?2, ?3, ?4, ?5)"));
    stmt.BindText(1, policy.account_id)
        .BindText(2, policy.name)
        .BindText(3, policy.description)
        .BindText(4, policy.document)
        .BindInt64(5, policy.create_ms);
    return stmt.Run();
  });
}

StoreResult<PolicyRecord> SqliteStore::GetPolicy(std::string_view account_id,
                                                 std::string_view name) {
  return impl_->Read([&](Connection& conn) -> StoreResult<PolicyRecord> {
    return GetRow(conn,
                  "SELECT account_id, name, description, document, create_ms "
                  "FROM policies WHERE account_id = ?1 AND name = ?2",
                  "policy not found", &ReadPolicy, account_id, name);
  });
}

StoreResult<std::vector<PolicyRecord>> SqliteStore::ListPolicies(std::string_view account_id) {
  return impl_->Read([&](Connection& conn) {
    return ListRows(conn,
                    "SELECT account_id, name, description, document, create_ms FROM policies "
                    "WHERE account_id = ?1 ORDER BY create_ms, name",
                    &ReadPolicy, account_id);
  });
}

StoreResult<void> SqliteStore::DeletePolicy(std::string_view account_id, std::string_view name) {
  return impl_->Write([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(const bool exists,
                     RowExists(conn, "SELECT 1 FROM policies WHERE account_id = ?1 AND name = ?2",
                               account_id, name));
    if (!exists) {
      return MakeUnexpected(NotFound("policy not found"));
    }
    ASSIGN_OR_RETURN(const bool attached,
                     RowExists(conn,
                               "SELECT 1 FROM policy_attachments "
                               "WHERE account_id = ?1 AND policy_name = ?2 LIMIT 1",
                               account_id, name));
    if (attached) {
      return MakeUnexpected(Conflict("policy is attached to a user"));
    }
    return ChangeOne(conn, "DELETE FROM policies WHERE account_id = ?1 AND name = ?2", "policy",
                     account_id, name);
  });
}

StoreResult<void> SqliteStore::AttachPolicy(std::string_view account_id,
                                            std::string_view policy_name,
                                            std::string_view user_name) {
  return impl_->Write([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(const bool policy_exists,
                     RowExists(conn, "SELECT 1 FROM policies WHERE account_id = ?1 AND name = ?2",
                               account_id, policy_name));
    if (!policy_exists) {
      return MakeUnexpected(NotFound("policy not found"));
    }
    ASSIGN_OR_RETURN(const bool user_exists,
                     RowExists(conn, "SELECT 1 FROM users WHERE account_id = ?1 AND name = ?2",
                               account_id, user_name));
    if (!user_exists) {
      return MakeUnexpected(NotFound("user not found"));
    }
    ASSIGN_OR_RETURN(Statement stmt,
                     conn.Prepare("INSERT INTO policy_attachments (account_id, policy_name, "
                                  "user_name) VALUES (?1, ?2, ?3)"));
    BindTexts(stmt, account_id, policy_name, user_name);
    return stmt.Run();  // a second attachment violates the primary key: kAlreadyExists
  });
}

StoreResult<void> SqliteStore::DetachPolicy(std::string_view account_id,
                                            std::string_view policy_name,
                                            std::string_view user_name) {
  return impl_->Write([&](Connection& conn) {
    return ChangeOne(conn,
                     "DELETE FROM policy_attachments "
                     "WHERE account_id = ?1 AND policy_name = ?2 AND user_name = ?3",
                     "policy attachment", account_id, policy_name, user_name);
  });
}

StoreResult<std::vector<PolicyRecord>> SqliteStore::ListPoliciesForUser(
    std::string_view account_id, std::string_view user_name) {
  return impl_->Read([&](Connection& conn) {
    return ListRows(conn,
                    "SELECT p.account_id, p.name, p.description, p.document, p.create_ms "
                    "FROM policy_attachments a JOIN policies p "
                    "ON p.account_id = a.account_id AND p.name = a.policy_name "
                    "WHERE a.account_id = ?1 AND a.user_name = ?2 ORDER BY p.create_ms, p.name",
                    &ReadPolicy, account_id, user_name);
  });
}

// Instances ---------------------------------------------------------------------------------------

StoreResult<void> SqliteStore::CreateInstance(const InstanceRecord& r) {
  return impl_->Write([&](Connection& conn) -> StoreResult<void> {
    static const std::string kSql =
        "INSERT INTO instances (" + std::string(kInstanceColumns) +
        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
        "?18, ?19, ?20, ?21, ?22, ?23, ?24)";
    ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(kSql));
    stmt.BindText(1, r.id)
        .BindText(2, r.account_id)
        .BindText(3, r.region_id)
        .BindText(4, r.name)
        .BindText(5, r.description)
        .BindText(6, r.status)
        .BindText(7, r.instance_type)
        .BindText(8, r.hardware_spec)
        .BindText(9, r.ha_type)
        .BindInt64(10, r.max_bandwidth)
        .BindText(11, r.cidr_block)
        .BindText(12, r.routing_strategy)
        .BindInt64(13, r.security_lock_threshold)
        .BindText(14, r.position)
        .BindBool(15, r.enable_software_connection_audit)
        .BindText(16, r.charge_type)
        .BindInt64(17, r.period_months)
        .BindText(18, r.order_id)
        .BindText(19, r.resource_group_id)
        .BindText(20, r.ccn_id)
        .BindInt64(21, r.user_count)
        .BindInt64(22, r.data_plan)
        .BindInt64(23, r.create_ms)
        .BindInt64(24, r.end_ms);
    return stmt.Run();
  });
}

StoreResult<InstanceRecord> SqliteStore::GetInstance(std::string_view account_id,
                                                     std::string_view region_id,
                                                     std::string_view instance_id) {
  return impl_->Read([&](Connection& conn) -> StoreResult<InstanceRecord> {
    // The instance and its serial numbers from one snapshot.
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(conn, Transaction::Mode::kRead));
    ASSIGN_OR_RETURN(InstanceRecord r, FindInstance(conn, account_id, region_id, instance_id));
    RETURN_IF_ERROR(txn.Commit());
    return r;
  });
}

StoreResult<InstancePage> SqliteStore::ListInstances(const InstanceFilter& filter) {
  // The WHERE clause is assembled from fixed column names and ? placeholders; every value is bound.
  std::string where = " WHERE account_id = ?";
  std::vector<Param> params = {std::string_view(filter.account_id)};
  auto equals = [&](std::string_view column, const std::string& value,
                    std::string_view collation = {}) {
    if (value.empty()) {
      return;
    }
    where += " AND ";
    where += column;
    where += " = ?";
    where += collation;
    params.emplace_back(std::string_view(value));
  };
  equals("region_id", filter.region_id);
  equals("name", filter.name);
  equals("status", filter.status, " COLLATE NOCASE");
  equals("instance_type", filter.instance_type);
  equals("hardware_spec", filter.hardware_spec);
  equals("ccn_id", filter.ccn_id);
  AppendIn(where, params, "id", filter.ids);
  if (!filter.serial_number.empty()) {
    where += " AND id IN (SELECT instance_id FROM device_bindings WHERE serial_number = ?)";
    params.emplace_back(std::string_view(filter.serial_number));
  }
  if (filter.without_ccn) {
    where += " AND ccn_id = ''";
  }
  if (filter.expired.has_value()) {
    where += *filter.expired ? " AND (end_ms > 0 AND end_ms <= ?)"
                             : " AND NOT (end_ms > 0 AND end_ms <= ?)";
    params.emplace_back(filter.now_ms);
  }
  const int64_t offset = std::max<int64_t>(0, filter.offset);
  const int64_t limit = std::max<int64_t>(0, filter.limit);

  return impl_->Read([&](Connection& conn) -> StoreResult<InstancePage> {
    // Count, page and serial numbers from one snapshot, so they agree.
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(conn, Transaction::Mode::kRead));
    InstancePage page;
    {
      ASSIGN_OR_RETURN(Statement count,
                       conn.PrepareUncached("SELECT count(*) FROM instances" + where));
      BindParams(count, params);
      ASSIGN_OR_RETURN(const bool row, count.Step());
      page.total = row ? count.ColumnInt64(0) : 0;
    }
    if (limit > 0 && offset < page.total) {
      ASSIGN_OR_RETURN(
          Statement rows,
          conn.PrepareUncached("SELECT " + std::string(kInstanceColumns) + " FROM instances" +
                               where + " ORDER BY create_ms, id LIMIT ? OFFSET ?"));
      const int last = BindParams(rows, params);
      rows.BindInt64(last + 1, limit).BindInt64(last + 2, offset);
      while (true) {
        ASSIGN_OR_RETURN(const bool row, rows.Step());
        if (!row) {
          break;
        }
        page.items.push_back(ReadInstance(rows));
      }
    }
    for (InstanceRecord& r : page.items) {
      ASSIGN_OR_RETURN(r.serial_numbers, BoundSerialNumbers(conn, r.id));
    }
    RETURN_IF_ERROR(txn.Commit());
    return page;
  });
}

StoreResult<InstanceRecord> SqliteStore::UpdateInstance(std::string_view account_id,
                                                        std::string_view region_id,
                                                        std::string_view instance_id,
                                                        const InstancePatch& patch) {
  return impl_->Write([&](Connection& conn) -> StoreResult<InstanceRecord> {
    ASSIGN_OR_RETURN(InstanceRecord r, FindInstance(conn, account_id, region_id, instance_id));
    if (patch.name) r.name = *patch.name;
    if (patch.description) r.description = *patch.description;
    if (patch.status) r.status = *patch.status;
    if (patch.cidr_block) r.cidr_block = *patch.cidr_block;
    if (patch.routing_strategy) r.routing_strategy = *patch.routing_strategy;
    if (patch.security_lock_threshold) r.security_lock_threshold = *patch.security_lock_threshold;
    if (patch.position) r.position = *patch.position;
    if (patch.enable_software_connection_audit) {
      r.enable_software_connection_audit = *patch.enable_software_connection_audit;
    }
    if (patch.ccn_id) r.ccn_id = *patch.ccn_id;
    if (patch.end_ms) r.end_ms = *patch.end_ms;
    if (patch.client_ips_within) {
      // Every client user keeps its ClientIp: the new block must still hold each one.
      ASSIGN_OR_RETURN(Statement users,
                       conn.Prepare("SELECT client_ip FROM client_users WHERE instance_id = ?1"));
      users.BindText(1, r.id);
      while (true) {
        ASSIGN_OR_RETURN(const bool row, users.Step());
        if (!row) break;
        if (!InClientIpRanges(*patch.client_ips_within, users.ColumnInt64(0))) {
          return MakeUnexpected(
              StoreError{StoreErrorCode::kConflict, "a client user's ClientIp is outside"});
        }
      }
    }

    ASSIGN_OR_RETURN(Statement stmt,
                     conn.Prepare("UPDATE instances SET name = ?2, description = ?3, status = ?4, "
                                  "cidr_block = ?5, routing_strategy = ?6, "
                                  "security_lock_threshold = ?7, position = ?8, "
                                  "enable_software_connection_audit = ?9, ccn_id = ?10, "
                                  "end_ms = ?11 WHERE id = ?1"));
    stmt.BindText(1, r.id)
        .BindText(2, r.name)
        .BindText(3, r.description)
        .BindText(4, r.status)
        .BindText(5, r.cidr_block)
        .BindText(6, r.routing_strategy)
        .BindInt64(7, r.security_lock_threshold)
        .BindText(8, r.position)
        .BindBool(9, r.enable_software_connection_audit)
        .BindText(10, r.ccn_id)
        .BindInt64(11, r.end_ms);
    RETURN_IF_ERROR(stmt.Run());
    return r;
  });
}

StoreResult<void> SqliteStore::DeleteInstance(std::string_view account_id,
                                              std::string_view region_id,
                                              std::string_view instance_id) {
  return impl_->Write([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(const bool exists,
                     RowExists(conn,
                               "SELECT 1 FROM instances WHERE id = ?1 AND account_id = ?2 "
                               "AND (?3 = '' OR region_id = ?3)",
                               instance_id, account_id, region_id));
    if (!exists) {
      return MakeUnexpected(NotFound("instance not found"));
    }
    // Release the devices: they stay in the inventory, unbound.
    {
      ASSIGN_OR_RETURN(Statement unbind,
                       conn.Prepare("DELETE FROM device_bindings WHERE instance_id = ?1"));
      unbind.BindText(1, instance_id);
      RETURN_IF_ERROR(unbind.Run());
    }
    return ChangeOne(conn, "DELETE FROM instances WHERE id = ?1", "instance", instance_id);
  });
}

// Devices -----------------------------------------------------------------------------------------

namespace {

// Inserts an unbound device (the binding fields of d are ignored).
StoreResult<void> InsertDevice(Connection& conn, const DeviceRecord& d) {
  ASSIGN_OR_RETURN(Statement stmt,
                   conn.Prepare("INSERT INTO devices (serial_number, hardware_model, "
                                "sealed_secret, retired, create_ms) VALUES (?1, ?2, ?3, ?4, ?5)"));
  stmt.BindText(1, d.serial_number)
      .BindText(2, d.hardware_model)
      .BindBlob(3, d.sealed_secret)
      .BindBool(4, d.retired)
      .BindInt64(5, d.create_ms);
  return stmt.Run();
}

}  // namespace

StoreResult<void> SqliteStore::RegisterDevice(const DeviceRecord& device) {
  return impl_->Write([&](Connection& conn) { return InsertDevice(conn, device); });
}

StoreResult<DeviceRecord> SqliteStore::GetDevice(std::string_view serial_number) {
  return impl_->Read([&](Connection& conn) -> StoreResult<DeviceRecord> {
    ASSIGN_OR_RETURN(std::optional<DeviceRecord> device, FindDevice(conn, serial_number));
    if (!device) {
      return MakeUnexpected(NotFound("device not found"));
    }
    return *std::move(device);
  });
}

StoreResult<std::vector<DeviceRecord>> SqliteStore::ListDevices(int64_t offset, int64_t limit) {
  return impl_->Read([&](Connection& conn) -> StoreResult<std::vector<DeviceRecord>> {
    static const std::string kSql = "SELECT " + std::string(kDeviceColumns) +
                                    std::string(kDeviceFrom) +
                                    " ORDER BY d.create_ms, d.serial_number LIMIT ?1 OFFSET ?2";
    ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(kSql));
    stmt.BindInt64(1, std::max<int64_t>(0, limit)).BindInt64(2, std::max<int64_t>(0, offset));
    std::vector<DeviceRecord> devices;
    while (true) {
      ASSIGN_OR_RETURN(const bool row, stmt.Step());
      if (!row) {
        return devices;
      }
      devices.push_back(ReadDevice(stmt));
    }
  });
}

StoreResult<int64_t> SqliteStore::CountDevices() {
  return impl_->Read([&](Connection& conn) -> StoreResult<int64_t> {
    ASSIGN_OR_RETURN(Statement stmt, conn.Prepare("SELECT count(*) FROM devices"));
    ASSIGN_OR_RETURN(const bool row, stmt.Step());
    return row ? stmt.ColumnInt64(0) : 0;
  });
}

StoreResult<void> SqliteStore::RetireDevice(std::string_view serial_number) {
  return impl_->Write([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(std::optional<DeviceRecord> device, FindDevice(conn, serial_number));
    if (!device) {
      return MakeUnexpected(NotFound("device not found"));
    }
    if (!device->instance_id.empty()) {
      return MakeUnexpected(Conflict("device is bound to an instance"));
    }
    ASSIGN_OR_RETURN(Statement stmt,
                     conn.Prepare("UPDATE devices SET retired = 1 WHERE serial_number = ?1"));
    stmt.BindText(1, serial_number);
    return stmt.Run();
  });
}

// Device channel ----------------------------------------------------------------------------------

namespace {

StoreResult<void> RequireDevice(Connection& conn, std::string_view serial_number) {
  ASSIGN_OR_RETURN(Statement stmt, conn.Prepare("SELECT 1 FROM devices WHERE serial_number = ?1"));
  stmt.BindText(1, serial_number);
  ASSIGN_OR_RETURN(const bool row, stmt.Step());
  if (!row) {
    return MakeUnexpected(NotFound("device not found"));
  }
  return {};
}

// Runs a one-row UPDATE of devices; kNotFound when no row changed.
StoreResult<void> UpdateOneDevice(Connection& conn, Statement& stmt) {
  RETURN_IF_ERROR(stmt.Run());
  if (conn.Changes() == 0) {
    return MakeUnexpected(NotFound("device not found"));
  }
  return {};
}

// Creates the (device, facet) row when absent.
StoreResult<void> EnsureFacetRow(Connection& conn, std::string_view serial_number,
                                 std::string_view facet, int64_t now_ms) {
  ASSIGN_OR_RETURN(Statement stmt,
                   conn.Prepare("INSERT INTO device_facets (serial_number, facet, "
                                "desired_generation, desired_value, applied_generation, "
                                "result_generation, last_result, last_detail, update_ms) "
                                "VALUES (?1, ?2, 0, '', 0, 0, '', '', ?3) "
                                "ON CONFLICT (serial_number, facet) DO NOTHING"));
  stmt.BindText(1, serial_number).BindText(2, facet).BindInt64(3, now_ms);
  return stmt.Run();
}

}  // namespace

StoreResult<void> SqliteStore::RecordDeviceConnected(std::string_view serial_number,
                                                     std::string_view firmware_version,
                                                     std::string_view dpi_version, int64_t boot_ms,
                                                     int64_t now_ms) {
  return impl_->Write([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(Statement stmt,
                     conn.Prepare("UPDATE devices SET firmware_version = ?2, dpi_version = ?3, "
                                  "boot_ms = ?4, last_connected_ms = ?5 WHERE serial_number = ?1"));
    stmt.BindText(1, serial_number)
        .BindText(2, firmware_version)
        .BindText(3, dpi_version)
        .BindInt64(4, boot_ms)
        .BindInt64(5, now_ms);
    return UpdateOneDevice(conn, stmt);
  });
}

StoreResult<void> SqliteStore::RecordDeviceOffline(std::string_view serial_number,
                                                   std::string_view reason, int64_t now_ms) {
  return impl_->Write([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(Statement stmt,
                     conn.Prepare("UPDATE devices SET last_offline_ms = ?2, offline_reason = ?3 "
                                  "WHERE serial_number = ?1"));
    stmt.BindText(1, serial_number).BindInt64(2, now_ms).BindText(3, reason);
    return UpdateOneDevice(conn, stmt);
  });
}

StoreResult<DesiredResult> SqliteStore::SetDesiredFacet(std::string_view serial_number,
                                                        std::string_view facet,
                                                        std::string_view value, int64_t now_ms,
                                                        bool require_synchronized) {
  return impl_->Write([&](Connection& conn) -> StoreResult<DesiredResult> {
    RETURN_IF_ERROR(RequireDevice(conn, serial_number));
    RETURN_IF_ERROR(EnsureFacetRow(conn, serial_number, facet, now_ms));
    // The write lock held since BEGIN IMMEDIATE makes the condition and the change one step.
    ASSIGN_OR_RETURN(
        Statement stmt,
        conn.Prepare("UPDATE device_facets SET desired_generation = "
                     "max(desired_generation, applied_generation, result_generation) + 1, "
                     "desired_value = ?3, update_ms = ?4 WHERE serial_number = ?1 AND facet = ?2 "
                     "AND (NOT ?5 OR applied_generation >= desired_generation) "
                     "RETURNING desired_generation"));
    stmt.BindText(1, serial_number)
        .BindText(2, facet)
        .BindText(3, value)
        .BindInt64(4, now_ms)
        .BindBool(5, require_synchronized);
    ASSIGN_OR_RETURN(const bool row, stmt.Step());
    if (!row) {
      return DesiredResult{DesiredOutcome::kUnsynchronized, 0};
    }
    const int64_t generation = stmt.ColumnInt64(0);
    ASSIGN_OR_RETURN(const bool more, stmt.Step());  // finish the statement
    (void)more;
    return DesiredResult{DesiredOutcome::kSet, generation};
  });
}

StoreResult<void> SqliteStore::RecordApplied(std::string_view serial_number, std::string_view facet,
                                             int64_t generation, std::string_view result,
                                             std::string_view detail, int64_t now_ms) {
  return impl_->Write([&](Connection& conn) -> StoreResult<void> {
    RETURN_IF_ERROR(RequireDevice(conn, serial_number));
    RETURN_IF_ERROR(EnsureFacetRow(conn, serial_number, facet, now_ms));
    ASSIGN_OR_RETURN(
        Statement stmt,
        conn.Prepare("UPDATE device_facets SET applied_generation = CASE WHEN ?4 = 'ok' "
                     "THEN max(applied_generation, ?3) ELSE applied_generation END, "
                     "result_generation = ?3, last_result = ?4, last_detail = ?5, update_ms = ?6 "
                     "WHERE serial_number = ?1 AND facet = ?2"));
    stmt.BindText(1, serial_number)
        .BindText(2, facet)
        .BindInt64(3, generation)
        .BindText(4, result)
        .BindText(5, detail)
        .BindInt64(6, now_ms);
    return stmt.Run();
  });
}

StoreResult<std::vector<DeviceFacetRecord>> SqliteStore::GetDeviceFacets(
    std::string_view serial_number) {
  return impl_->Read([&](Connection& conn) -> StoreResult<std::vector<DeviceFacetRecord>> {
    ASSIGN_OR_RETURN(
        Statement stmt,
        conn.Prepare("SELECT serial_number, facet, desired_generation, desired_value, "
                     "applied_generation, result_generation, last_result, last_detail, update_ms "
                     "FROM device_facets WHERE serial_number = ?1 ORDER BY facet"));
    stmt.BindText(1, serial_number);
    std::vector<DeviceFacetRecord> out;
    while (true) {
      ASSIGN_OR_RETURN(const bool row, stmt.Step());
      if (!row) {
        return out;
      }
      DeviceFacetRecord f;
      f.serial_number = stmt.ColumnText(0);
      f.facet = stmt.ColumnText(1);
      f.desired_generation = stmt.ColumnInt64(2);
      f.desired_value = stmt.ColumnText(3);
      f.applied_generation = stmt.ColumnInt64(4);
      f.result_generation = stmt.ColumnInt64(5);
      f.last_result = stmt.ColumnText(6);
      f.last_detail = stmt.ColumnText(7);
      f.update_ms = stmt.ColumnInt64(8);
      out.push_back(std::move(f));
    }
  });
}

// Serial-number binding ---------------------------------------------------------------------------

StoreResult<BindOutcome> SqliteStore::BindSerialNumber(const BindSerialNumberRequest& request) {
  return impl_->Write([&](Connection& conn) -> StoreResult<BindOutcome> {
    auto instance = FindInstance(conn, request.account_id, request.region_id, request.instance_id);
    if (IsError(instance, StoreErrorCode::kNotFound)) {
      return BindOutcome::kInstanceNotFound;
    }
    RETURN_IF_ERROR(instance);
    const bool full =
        static_cast<int64_t>(instance->serial_numbers.size()) >= int64_t{request.max_devices};
    ASSIGN_OR_RETURN(std::optional<DeviceRecord> device, FindDevice(conn, request.serial_number));
    if (!device) {
      if (!request.register_unknown) {
        return BindOutcome::kDeviceUnknown;
      }
      // A new device passes every check up to the count; it is created only if it gets bound.
      if (full) {
        return BindOutcome::kInstanceFull;
      }
      device.emplace();
      device->serial_number = request.serial_number;
      device->hardware_model = instance->hardware_spec;
      device->create_ms = request.now_ms;
      RETURN_IF_ERROR(InsertDevice(conn, *device));  // its secret is set below, once it is bound
    }
    if (device->retired) {
      return BindOutcome::kDeviceRetired;
    }
    if (device->hardware_model != instance->hardware_spec) {
      return BindOutcome::kModelMismatch;
    }
    if (!device->instance_id.empty()) {
      return device->instance_id == instance->id ? BindOutcome::kAlreadyBoundHere
                                                 : BindOutcome::kBoundElsewhere;
    }
    if (full) {
      return BindOutcome::kInstanceFull;
    }
    // The primary key on serial_number rejects a second binding of the device whatever happened
    // above; the write lock held since BEGIN IMMEDIATE makes the checks and this insert atomic.
    ASSIGN_OR_RETURN(Statement bind,
                     conn.Prepare("INSERT INTO device_bindings (serial_number, instance_id, "
                                  "bind_seq, bound_ms) VALUES (?1, ?2, "
                                  "(SELECT coalesce(max(bind_seq), 0) + 1 FROM device_bindings "
                                  "WHERE instance_id = ?2), ?3)"));
    bind.BindText(1, request.serial_number).BindText(2, instance->id).BindInt64(3, request.now_ms);
    RETURN_IF_ERROR(bind.Run());
    if (!request.sealed_secret.empty() &&
        (device->secret_generated || device->sealed_secret.empty())) {
      ASSIGN_OR_RETURN(Statement secret,
                       conn.Prepare("UPDATE devices SET sealed_secret = ?2, secret_generated = 1 "
                                    "WHERE serial_number = ?1"));
      secret.BindText(1, request.serial_number).BindBlob(2, request.sealed_secret);
      RETURN_IF_ERROR(secret.Run());
    }
    return BindOutcome::kBound;
  });
}

StoreResult<UnbindOutcome> SqliteStore::UnbindSerialNumber(std::string_view account_id,
                                                           std::string_view region_id,
                                                           std::string_view instance_id,
                                                           std::string_view serial_number) {
  return impl_->Write([&](Connection& conn) -> StoreResult<UnbindOutcome> {
    ASSIGN_OR_RETURN(const bool exists,
                     RowExists(conn,
                               "SELECT 1 FROM instances WHERE id = ?1 AND account_id = ?2 "
                               "AND (?3 = '' OR region_id = ?3)",
                               instance_id, account_id, region_id));
    if (!exists) {
      return UnbindOutcome::kInstanceNotFound;
    }
    ASSIGN_OR_RETURN(Statement stmt, conn.Prepare("DELETE FROM device_bindings "
                                                  "WHERE serial_number = ?1 AND instance_id = ?2"));
    BindTexts(stmt, serial_number, instance_id);
    RETURN_IF_ERROR(stmt.Run());
    return conn.Changes() == 0 ? UnbindOutcome::kNotBoundHere : UnbindOutcome::kUnbound;
  });
}

StoreResult<ActivateOutcome> SqliteStore::ActivateInstance(std::string_view account_id,
                                                           std::string_view region_id,
                                                           std::string_view instance_id) {
  return impl_->Write([&](Connection& conn) -> StoreResult<ActivateOutcome> {
    auto instance = FindInstance(conn, account_id, region_id, instance_id);
    if (IsError(instance, StoreErrorCode::kNotFound)) {
      return ActivateOutcome::kInstanceNotFound;
    }
    RETURN_IF_ERROR(instance);
    if (instance->status == "Active") {
      return ActivateOutcome::kAlreadyActive;
    }
    if (instance->serial_numbers.empty()) {
      return ActivateOutcome::kNoDevice;
    }
    ASSIGN_OR_RETURN(Statement stmt,
                     conn.Prepare("UPDATE instances SET status = 'Active' WHERE id = ?1"));
    stmt.BindText(1, instance->id);
    RETURN_IF_ERROR(stmt.Run());
    return ActivateOutcome::kActivated;
  });
}

// CCNs --------------------------------------------------------------------------------------------

StoreResult<void> SqliteStore::CreateCcn(const CcnRecord& ccn) {
  return impl_->Write([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(Statement stmt,
                     conn.Prepare("INSERT INTO ccns (id, account_id, region_id, name, "
                                  "description, cidr_block, is_default, interworking_status, "
                                  "create_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
    stmt.BindText(1, ccn.id)
        .BindText(2, ccn.account_id)
        .BindText(3, ccn.region_id)
        .BindText(4, ccn.name)
        .BindText(5, ccn.description)
        .BindText(6, ccn.cidr_block)
        .BindBool(7, ccn.is_default)
        .BindText(8, ccn.interworking_status)
        .BindInt64(9, ccn.create_ms);
    return stmt.Run();
  });
}

StoreResult<CcnRecord> SqliteStore::GetCcn(std::string_view account_id, std::string_view region_id,
                                           std::string_view ccn_id) {
  return impl_->Read(
      [&](Connection& conn) { return FindCcn(conn, account_id, region_id, ccn_id); });
}

StoreResult<CcnPage> SqliteStore::ListCcns(const CcnFilter& filter) {
  // Fixed column names and ? placeholders only; every value is bound.
  std::string where = " WHERE c.account_id = ?";
  std::vector<Param> params = {std::string_view(filter.account_id)};
  if (!filter.region_id.empty()) {
    where += " AND c.region_id = ?";
    params.emplace_back(std::string_view(filter.region_id));
  }
  if (!filter.name.empty()) {
    where += " AND c.name = ?";
    params.emplace_back(std::string_view(filter.name));
  }
  AppendIn(where, params, "c.id", filter.ids);
  const int64_t offset = std::max<int64_t>(0, filter.offset);
  const int64_t limit = std::max<int64_t>(0, filter.limit);

  return impl_->Read([&](Connection& conn) -> StoreResult<CcnPage> {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(conn, Transaction::Mode::kRead));
    CcnPage page;
    {
      ASSIGN_OR_RETURN(Statement count,
                       conn.PrepareUncached("SELECT count(*) FROM ccns c" + where));
      BindParams(count, params);
      ASSIGN_OR_RETURN(const bool row, count.Step());
      page.total = row ? count.ColumnInt64(0) : 0;
    }
    if (limit > 0 && offset < page.total) {
      ASSIGN_OR_RETURN(Statement rows, conn.PrepareUncached(
                                           "SELECT " + std::string(kCcnColumns) + " FROM ccns c" +
                                           where + " ORDER BY c.create_ms, c.id LIMIT ? OFFSET ?"));
      const int last = BindParams(rows, params);
      rows.BindInt64(last + 1, limit).BindInt64(last + 2, offset);
      while (true) {
        ASSIGN_OR_RETURN(const bool row, rows.Step());
        if (!row) {
          break;
        }
        page.items.push_back(ReadCcn(rows));
      }
    }
    RETURN_IF_ERROR(txn.Commit());
    return page;
  });
}

StoreResult<CcnRecord> SqliteStore::UpdateCcn(std::string_view account_id,
                                              std::string_view region_id, std::string_view ccn_id,
                                              const CcnPatch& patch) {
  return impl_->Write([&](Connection& conn) -> StoreResult<CcnRecord> {
    ASSIGN_OR_RETURN(CcnRecord c, FindCcn(conn, account_id, region_id, ccn_id));
    if (patch.name) c.name = *patch.name;
    if (patch.description) c.description = *patch.description;
    if (patch.cidr_block) c.cidr_block = *patch.cidr_block;
    if (patch.interworking_status) c.interworking_status = *patch.interworking_status;
    ASSIGN_OR_RETURN(Statement stmt,
                     conn.Prepare("UPDATE ccns SET name = ?2, description = ?3, cidr_block = ?4, "
                                  "interworking_status = ?5 WHERE id = ?1"));
    BindTexts(stmt, c.id, c.name, c.description, c.cidr_block, c.interworking_status);
    RETURN_IF_ERROR(stmt.Run());
    return c;
  });
}

StoreResult<void> SqliteStore::DeleteCcn(std::string_view account_id, std::string_view region_id,
                                         std::string_view ccn_id) {
  return impl_->Write([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(const CcnRecord c, FindCcn(conn, account_id, region_id, ccn_id));
    if (c.instance_count > 0) {
      return MakeUnexpected(Conflict("instances are bound to the CCN"));
    }
    return ChangeOne(conn, "DELETE FROM ccns WHERE id = ?1", "CCN", c.id);
  });
}

StoreResult<CcnBindOutcome> SqliteStore::BindInstanceToCcn(std::string_view account_id,
                                                           std::string_view region_id,
                                                           std::string_view instance_id,
                                                           std::string_view ccn_id) {
  return impl_->Write([&](Connection& conn) -> StoreResult<CcnBindOutcome> {
    auto instance = FindInstance(conn, account_id, region_id, instance_id);
    if (IsError(instance, StoreErrorCode::kNotFound)) {
      return CcnBindOutcome::kInstanceNotFound;
    }
    RETURN_IF_ERROR(instance);
    auto ccn = FindCcn(conn, account_id, instance->region_id, ccn_id);
    if (IsError(ccn, StoreErrorCode::kNotFound)) {
      return CcnBindOutcome::kCcnNotFound;
    }
    RETURN_IF_ERROR(ccn);
    if (instance->ccn_id == ccn->id) {
      return CcnBindOutcome::kAlreadyBound;
    }
    if (!instance->ccn_id.empty()) {
      return CcnBindOutcome::kBoundToOther;
    }
    RETURN_IF_ERROR(SetInstanceCcn(conn, instance->id, ccn->id));
    return CcnBindOutcome::kBound;
  });
}

StoreResult<CcnUnbindOutcome> SqliteStore::UnbindInstanceFromCcn(std::string_view account_id,
                                                                 std::string_view region_id,
                                                                 std::string_view instance_id,
                                                                 std::string_view ccn_id) {
  return impl_->Write([&](Connection& conn) -> StoreResult<CcnUnbindOutcome> {
    auto instance = FindInstance(conn, account_id, region_id, instance_id);
    if (IsError(instance, StoreErrorCode::kNotFound)) {
      return CcnUnbindOutcome::kInstanceNotFound;
    }
    RETURN_IF_ERROR(instance);
    auto ccn = FindCcn(conn, account_id, instance->region_id, ccn_id);
    if (IsError(ccn, StoreErrorCode::kNotFound)) {
      return CcnUnbindOutcome::kCcnNotFound;
    }
    RETURN_IF_ERROR(ccn);
    if (instance->ccn_id != ccn->id) {
      return CcnUnbindOutcome::kNotBound;
    }
    RETURN_IF_ERROR(SetInstanceCcn(conn, instance->id, ""));
    return CcnUnbindOutcome::kUnbound;
  });
}

// Settings ----------------------------------------------------------------------------------------

StoreResult<std::optional<std::string>> SqliteStore::GetSetting(std::string_view key) {
  return impl_->Read([&](Connection& conn) -> StoreResult<std::optional<std::string>> {
    ASSIGN_OR_RETURN(Statement stmt, conn.Prepare("SELECT value FROM settings WHERE key = ?1"));
    stmt.BindText(1, key);
    ASSIGN_OR_RETURN(const bool row, stmt.Step());
    if (!row) {
      return std::optional<std::string>();
    }
    return std::optional<std::string>(stmt.ColumnText(0));
  });
}

StoreResult<void> SqliteStore::PutSetting(std::string_view key, std::string_view value) {
  return impl_->Write([&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(Statement stmt,
                     conn.Prepare("INSERT INTO settings (key, value) VALUES (?1, ?2) "
                                  "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
    BindTexts(stmt, key, value);
    return stmt.Run();
  });
}

// Transactions for member definitions in other files
// -----------------------------------------------

StoreResult<void> SqliteStore::RunWrite(const std::function<StoreResult<void>(Connection&)>& f) {
  return impl_->Write(f);
}

StoreResult<void> SqliteStore::RunRead(const std::function<StoreResult<void>(Connection&)>& f) {
  return impl_->Read(f);
}

}  // namespace sag::store
