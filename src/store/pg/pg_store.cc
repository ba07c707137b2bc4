#include "store/pg/pg_store.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "store/connection_pool.h"
#include "store/pg/pg_migrations.h"
#include "store/pg/pg_notifier.h"
#include "store/pg/pg_util.h"

namespace sag::store {

namespace {

using pg::Connection;
using pg::Param;
using pg::Params;
using pg::Rows;

StoreError NotFound(std::string detail) {
  return StoreError{StoreErrorCode::kNotFound, std::move(detail)};
}

StoreError Conflict(std::string detail) {
  return StoreError{StoreErrorCode::kConflict, std::move(detail)};
}

using Pool = ConnectionPool<Connection>;

// How a method's transaction runs.
enum class Mode {
  kSingleRead,  // one read-only statement, autocommit (a statement is atomic on its own)
  kRead,        // several reads from one snapshot: REPEATABLE READ READ ONLY
  kWrite,       // READ COMMITTED; the method locks the rows its checks depend on. Writes always
                // run in BEGIN ... COMMIT, so a connection lost before COMMIT is known to have
                // changed nothing and the transaction can be rerun.
};

// True when the result is the given error code.
template <typename T>
bool IsError(const StoreResult<T>& result, StoreErrorCode code) {
  return !result.has_value() && result.error().code == code;
}

// Changes the code of an error result (e.g. a foreign-key failure that means "not found").
template <typename T>
StoreResult<T> Recode(StoreResult<T> result, const Connection& conn, std::string_view sqlstate,
                      StoreErrorCode code) {
  if (!result.has_value() && conn.last_error().sqlstate == sqlstate) {
    result.error().code = code;
  }
  return result;
}

// Row readers. Each matches the column list of the queries that use it.

constexpr std::string_view kAccountColumns = "id, name, is_operator, create_ms";

AccountRecord ReadAccount(const Rows& s, int row) {
  AccountRecord a;
  a.id = s.Text(row, 0);
  a.name = s.Text(row, 1);
  a.is_operator = s.Bool(row, 2);
  a.create_ms = s.Int(row, 3);
  return a;
}

constexpr std::string_view kUserColumns = "account_id, name, display_name, is_root, create_ms";

UserRecord ReadUser(const Rows& s, int row) {
  UserRecord u;
  u.account_id = s.Text(row, 0);
  u.name = s.Text(row, 1);
  u.display_name = s.Text(row, 2);
  u.is_root = s.Bool(row, 3);
  u.create_ms = s.Int(row, 4);
  return u;
}

constexpr std::string_view kAccessKeyColumns =
    "id, account_id, user_name, sealed_secret, enabled, create_ms";

AccessKeyRecord ReadAccessKey(const Rows& s, int row) {
  AccessKeyRecord k;
  k.id = s.Text(row, 0);
  k.account_id = s.Text(row, 1);
  k.user_name = s.Text(row, 2);
  k.sealed_secret = s.Bytea(row, 3);
  k.enabled = s.Bool(row, 4);
  k.create_ms = s.Int(row, 5);
  return k;
}

constexpr std::string_view kPolicyColumns = "account_id, name, description, document, create_ms";

PolicyRecord ReadPolicy(const Rows& s, int row) {
  PolicyRecord p;
  p.account_id = s.Text(row, 0);
  p.name = s.Text(row, 1);
  p.description = s.Text(row, 2);
  p.document = s.Text(row, 3);
  p.create_ms = s.Int(row, 4);
  return p;
}

constexpr std::string_view kInstanceColumns =
    "id, account_id, region_id, name, description, status, instance_type, hardware_spec, ha_type, "
    "max_bandwidth, cidr_block, routing_strategy, security_lock_threshold, position, "
    "enable_software_connection_audit, charge_type, period_months, order_id, resource_group_id, "
    "ccn_id, user_count, data_plan, create_ms, end_ms";

InstanceRecord ReadInstance(const Rows& s, int row) {
  InstanceRecord r;
  int i = 0;
  r.id = s.Text(row, i++);
  r.account_id = s.Text(row, i++);
  r.region_id = s.Text(row, i++);
  r.name = s.Text(row, i++);
  r.description = s.Text(row, i++);
  r.status = s.Text(row, i++);
  r.instance_type = s.Text(row, i++);
  r.hardware_spec = s.Text(row, i++);
  r.ha_type = s.Text(row, i++);
  r.max_bandwidth = s.Int(row, i++);
  r.cidr_block = s.Text(row, i++);
  r.routing_strategy = s.Text(row, i++);
  r.security_lock_threshold = s.Int(row, i++);
  r.position = s.Text(row, i++);
  r.enable_software_connection_audit = s.Bool(row, i++);
  r.charge_type = s.Text(row, i++);
  r.period_months = s.Int(row, i++);
  r.order_id = s.Text(row, i++);
  r.resource_group_id = s.Text(row, i++);
  r.ccn_id = s.Text(row, i++);
  r.user_count = s.Int(row, i++);
  r.data_plan = s.Int(row, i++);
  r.create_ms = s.Int(row, i++);
  r.end_ms = s.Int(row, i++);
  return r;
}

// Runs a query and collects every row through read.
template <typename T>
StoreResult<std::vector<T>> ListRows(Connection& conn, const std::string& sql, const Params& params,
                                     T (*read)(const Rows&, int)) {
  ASSIGN_OR_RETURN(Rows rows, conn.Query(sql, params));
  std::vector<T> out;
  out.reserve(static_cast<size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    out.push_back(read(rows, i));
  }
  return out;
}

// Runs a query that returns at most one row; kNotFound (detail `what`) when it returns none.
template <typename T>
StoreResult<T> GetOne(Connection& conn, const std::string& sql, const Params& params,
                      T (*read)(const Rows&, int), std::string_view what) {
  ASSIGN_OR_RETURN(Rows rows, conn.Query(sql, params));
  if (rows.empty()) {
    return MakeUnexpected(NotFound(std::string(what) + " not found"));
  }
  return read(rows, 0);
}

// Runs a DELETE/UPDATE; kNotFound (detail `what`) when no row matched.
StoreResult<void> ChangeOne(Connection& conn, const std::string& sql, const Params& params,
                            std::string_view what) {
  ASSIGN_OR_RETURN(Rows rows, conn.Query(sql, params));
  if (rows.affected() == 0) {
    return MakeUnexpected(NotFound(std::string(what) + " not found"));
  }
  return {};
}

// Runs a query and reports whether it returned a row.
StoreResult<bool> RowExists(Connection& conn, const std::string& sql, const Params& params) {
  ASSIGN_OR_RETURN(Rows rows, conn.Query(sql, params));
  return !rows.empty();
}

// Locks the instance (account, region, id) FOR UPDATE until the transaction ends; false when there
// is no such instance (an empty region matches any region). Reads after this see every change
// committed before the lock was granted.
StoreResult<bool> LockInstance(Connection& conn, std::string_view account_id,
                               std::string_view region_id, std::string_view instance_id) {
  return RowExists(conn,
                   "SELECT 1 FROM instances WHERE id = $1 AND account_id = $2 "
                   "AND ($3::text = '' OR region_id = $3::text) FOR UPDATE",
                   {instance_id, account_id, region_id});
}

// The serial numbers bound to the instance, in bind order.
StoreResult<std::vector<std::string>> BoundSerialNumbers(Connection& conn,
                                                         std::string_view instance_id) {
  ASSIGN_OR_RETURN(Rows rows, conn.Query("SELECT serial_number FROM device_bindings "
                                         "WHERE instance_id = $1 ORDER BY bind_seq",
                                         {instance_id}));
  std::vector<std::string> sns;
  sns.reserve(static_cast<size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    sns.push_back(rows.Text(i, 0));
  }
  return sns;
}

// The instance (account, region, id) with its serial numbers; an empty region matches any region.
// Callers that need the two reads consistent run this in a kRead or kWrite (after a lock)
// transaction.
StoreResult<InstanceRecord> FindInstance(Connection& conn, std::string_view account_id,
                                         std::string_view region_id, std::string_view instance_id) {
  static const std::string kSql = "SELECT " + std::string(kInstanceColumns) +
                                  " FROM instances WHERE id = $1 AND account_id = $2 "
                                  "AND ($3::text = '' OR region_id = $3::text)";
  ASSIGN_OR_RETURN(InstanceRecord r, GetOne(conn, kSql, {instance_id, account_id, region_id},
                                            &ReadInstance, "instance"));
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

DeviceRecord ReadDevice(const Rows& s, int row) {
  DeviceRecord d;
  d.serial_number = s.Text(row, 0);
  d.hardware_model = s.Text(row, 1);
  d.sealed_secret = s.Bytea(row, 2);
  d.retired = s.Bool(row, 3);
  d.create_ms = s.Int(row, 4);
  d.account_id = s.Text(row, 5);
  d.instance_id = s.Text(row, 6);
  d.bound_ms = s.Int(row, 7);
  d.firmware_version = s.Text(row, 8);
  d.dpi_version = s.Text(row, 9);
  d.boot_ms = s.Int(row, 10);
  d.last_connected_ms = s.Int(row, 11);
  d.last_offline_ms = s.Int(row, 12);
  d.offline_reason = s.Text(row, 13);
  d.secret_generated = s.Bool(row, 14);
  return d;
}

StoreResult<std::optional<DeviceRecord>> FindDevice(Connection& conn,
                                                    std::string_view serial_number) {
  static const std::string kSql = "SELECT " + std::string(kDeviceColumns) +
                                  std::string(kDeviceFrom) + " WHERE d.serial_number = $1";
  ASSIGN_OR_RETURN(Rows rows, conn.Query(kSql, {serial_number}));
  if (rows.empty()) {
    return std::optional<DeviceRecord>();
  }
  return std::optional<DeviceRecord>(ReadDevice(rows, 0));
}

// Inserts an unbound device (the binding fields of d are ignored).
StoreResult<void> InsertDevice(Connection& conn, const DeviceRecord& d) {
  RETURN_IF_ERROR(
      conn.Query("INSERT INTO devices (serial_number, hardware_model, sealed_secret, "
                 "retired, create_ms) VALUES ($1, $2, $3, $4, $5)",
                 {d.serial_number, d.hardware_model, Param::Bytea(d.sealed_secret),
                  Param::Bool(d.retired), d.create_ms}));
  return {};
}

// CCN columns, with the number of instances bound (instances of the CCN's account whose ccn_id is
// the CCN's id).
constexpr std::string_view kCcnColumns =
    "c.id, c.account_id, c.region_id, c.name, c.description, c.cidr_block, c.is_default, "
    "c.interworking_status, c.create_ms, "
    "(SELECT count(*) FROM instances i WHERE i.account_id = c.account_id AND i.ccn_id = c.id)";

CcnRecord ReadCcn(const Rows& s, int row) {
  CcnRecord c;
  c.id = s.Text(row, 0);
  c.account_id = s.Text(row, 1);
  c.region_id = s.Text(row, 2);
  c.name = s.Text(row, 3);
  c.description = s.Text(row, 4);
  c.cidr_block = s.Text(row, 5);
  c.is_default = s.Bool(row, 6);
  c.interworking_status = s.Text(row, 7);
  c.create_ms = s.Int(row, 8);
  c.instance_count = s.Int(row, 9);
  return c;
}

// The CCN (account, region, id); an empty region matches any region.
StoreResult<CcnRecord> FindCcn(Connection& conn, std::string_view account_id,
                               std::string_view region_id, std::string_view ccn_id) {
  static const std::string kSql = "SELECT " + std::string(kCcnColumns) +
                                  " FROM ccns c WHERE c.id = $1 AND c.account_id = $2 "
                                  "AND ($3::text = '' OR c.region_id = $3::text)";
  return GetOne(conn, kSql, {ccn_id, account_id, region_id}, &ReadCcn, "CCN");
}

// Locks the CCN (account, region, id) until the transaction ends, exclusively (FOR UPDATE) or
// shared (FOR SHARE: it must not be deleted meanwhile); false when there is no such CCN.
StoreResult<bool> LockCcn(Connection& conn, std::string_view account_id, std::string_view region_id,
                          std::string_view ccn_id, bool exclusive) {
  static const std::string kWhere =
      "SELECT 1 FROM ccns WHERE id = $1 AND account_id = $2 "
      "AND ($3::text = '' OR region_id = $3::text)";
  static const std::string kUpdate = kWhere + " FOR UPDATE";
  static const std::string kShare = kWhere + " FOR SHARE";
  return RowExists(conn, exclusive ? kUpdate : kShare, {ccn_id, account_id, region_id});
}

// Appends " AND column IN ($n, ...)" for values (nothing when values is empty).
void AppendIn(std::string& where, Params& params, std::string_view column,
              const std::vector<std::string>& values) {
  if (values.empty()) {
    return;
  }
  where += " AND ";
  where += column;
  where += " IN (";
  for (size_t i = 0; i < values.size(); ++i) {
    params.emplace_back(values[i]);
    where += (i == 0 ? "$" : ", $") + std::to_string(params.size());
  }
  where += ")";
}

// Appends " AND <condition with $n>" binding value to the next placeholder. condition holds "$?"
// where the placeholder goes.
void AppendCondition(std::string& where, Params& params, std::string_view condition, Param value) {
  params.push_back(std::move(value));
  std::string c(condition);
  const std::string placeholder = "$" + std::to_string(params.size());
  for (size_t at = c.find("$?"); at != std::string::npos; at = c.find("$?", at)) {
    c.replace(at, 2, placeholder);
  }
  where += " AND " + c;
}

constexpr int kMaxAttempts = 6;

// A short, growing pause before rerunning a transaction that lost a serialization race.
void Backoff(int attempt) {
  thread_local unsigned seed =
      static_cast<unsigned>(std::hash<std::thread::id>{}(std::this_thread::get_id()));
  seed = seed * 1103515245u + 12345u;
  const auto jitter = static_cast<int>((seed >> 16) % 5);
  std::this_thread::sleep_for(std::chrono::milliseconds(attempt * (1 + jitter)));
}

}  // namespace

struct PgStore::Impl {
  Pool pool;
  std::string conninfo;  // for connections of their own (WithClusterLock)
  int64_t schema_version = 0;

  // Runs f(conn) as one transaction of the given mode on a borrowed connection: committed when f
  // succeeds, rolled back otherwise. Reruns it on serialization failure or deadlock, and once when
  // the connection turns out to be lost before the transaction could commit.
  template <typename F>
  auto Run(Mode mode, F&& f) {
    using R = std::invoke_result_t<F&, Connection&>;
    bool reconnected = false;
    for (int attempt = 1;; ++attempt) {
      Pool::Lease lease = pool.Borrow();
      Connection& conn = *lease;
      if (!conn.ok()) {
        if (auto r = conn.Reset(); !r) {
          return R(MakeUnexpected(std::move(r).error()));
        }
      }
      conn.ClearLastError();
      StoreError error;
      bool at_commit = false;
      bool begun = true;
      if (mode != Mode::kSingleRead) {
        auto begin =
            conn.Exec(mode == Mode::kRead ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                                          : "BEGIN ISOLATION LEVEL READ COMMITTED");
        if (!begin) {
          error = std::move(begin).error();
          begun = false;
        }
      }
      if (begun) {
        R result = f(conn);
        if (result.has_value()) {
          if (mode == Mode::kSingleRead) {
            return result;
          }
          auto commit = conn.Exec("COMMIT");
          if (commit) {
            return result;
          }
          error = std::move(commit).error();
          at_commit = true;
        } else {
          error = std::move(result).error();
          if (mode != Mode::kSingleRead && conn.ok()) {
            const pg::LastError failure = conn.last_error();  // ROLLBACK must not hide it
            (void)conn.Exec("ROLLBACK");
            if (pg::IsRetryable(failure.sqlstate) && attempt < kMaxAttempts) {
              Backoff(attempt);
              continue;
            }
            return R(MakeUnexpected(std::move(error)));
          }
        }
      }
      const pg::LastError& failure = conn.last_error();
      if (pg::IsRetryable(failure.sqlstate) && attempt < kMaxAttempts) {
        Backoff(attempt);
        continue;
      }
      // A transaction cut off by a lost connection was rolled back by the server; run it once more
      // on a fresh connection. An interrupted COMMIT may have committed, so it is not rerun.
      if (failure.connection_lost && !at_commit && !reconnected) {
        reconnected = true;
        if (conn.Reset()) {
          continue;
        }
      }
      return R(MakeUnexpected(std::move(error)));
    }
  }
};

PgStore::PgStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

PgStore::~PgStore() = default;

Result<std::unique_ptr<PgStore>, std::string> PgStore::Open(const std::string& conninfo,
                                                            int pool_size) {
  const int connections = std::max(1, pool_size);
  auto impl = std::make_unique<Impl>();
  impl->conninfo = conninfo;
  for (int i = 0; i < connections; ++i) {
    ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Connection::Open(conninfo));
    if (i == 0) {  // migrate before any connection prepares statements against the schema
      ASSIGN_OR_RETURN(impl->schema_version, pg::ApplyMigrations(*conn));
    }
    impl->pool.Add(std::move(conn));
  }
  return std::unique_ptr<PgStore>(new PgStore(std::move(impl)));
}

int64_t PgStore::schema_version() const { return impl_->schema_version; }

// Accounts ----------------------------------------------------------------------------------------

StoreResult<void> PgStore::CreateAccount(const AccountRecord& account) {
  return impl_->Run(Mode::kWrite, [&](Connection& conn) -> StoreResult<void> {
    RETURN_IF_ERROR(conn.Query(
        "INSERT INTO accounts (id, name, is_operator, create_ms) VALUES ($1, $2, $3, $4)",
        {account.id, account.name, Param::Bool(account.is_operator), account.create_ms}));
    return {};
  });
}

StoreResult<AccountRecord> PgStore::GetAccount(std::string_view account_id) {
  return impl_->Run(Mode::kSingleRead, [&](Connection& conn) {
    static const std::string kSql =
        "SELECT " + std::string(kAccountColumns) + " FROM accounts WHERE id = $1";
    return GetOne(conn, kSql, {account_id}, &ReadAccount, "account");
  });
}

StoreResult<std::vector<AccountRecord>> PgStore::ListAccounts() {
  return impl_->Run(Mode::kSingleRead, [&](Connection& conn) {
    static const std::string kSql =
        "SELECT " + std::string(kAccountColumns) + " FROM accounts ORDER BY create_ms, id";
    return ListRows(conn, kSql, {}, &ReadAccount);
  });
}

// Users -------------------------------------------------------------------------------------------

StoreResult<void> PgStore::CreateUser(const UserRecord& user) {
  return impl_->Run(Mode::kWrite, [&](Connection& conn) -> StoreResult<void> {
    RETURN_IF_ERROR(
        conn.Query("INSERT INTO users (account_id, name, display_name, is_root, create_ms) "
                   "VALUES ($1, $2, $3, $4, $5)",
                   {user.account_id, user.name, user.display_name, Param::Bool(user.is_root),
                    user.create_ms}));
    return {};
  });
}

StoreResult<UserRecord> PgStore::GetUser(std::string_view account_id, std::string_view name) {
  return impl_->Run(Mode::kSingleRead, [&](Connection& conn) {
    static const std::string kSql =
        "SELECT " + std::string(kUserColumns) + " FROM users WHERE account_id = $1 AND name = $2";
    return GetOne(conn, kSql, {account_id, name}, &ReadUser, "user");
  });
}

StoreResult<std::vector<UserRecord>> PgStore::ListUsers(std::string_view account_id) {
  return impl_->Run(Mode::kSingleRead, [&](Connection& conn) {
    static const std::string kSql = "SELECT " + std::string(kUserColumns) +
                                    " FROM users WHERE account_id = $1 ORDER BY create_ms, name";
    return ListRows(conn, kSql, {account_id}, &ReadUser);
  });
}

StoreResult<void> PgStore::DeleteUser(std::string_view account_id, std::string_view name) {
  return impl_->Run(Mode::kWrite, [&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(const bool has_keys,
                     RowExists(conn,
                               "SELECT 1 FROM access_keys WHERE account_id = $1 AND user_name = $2 "
                               "LIMIT 1",
                               {account_id, name}));
    if (has_keys) {
      return MakeUnexpected(Conflict("user still has AccessKeys"));
    }
    // Attachments go with the user (ON DELETE CASCADE); a key created meanwhile makes the delete
    // fail on the foreign key (kConflict).
    return ChangeOne(conn, "DELETE FROM users WHERE account_id = $1 AND name = $2",
                     {account_id, name}, "user");
  });
}

// AccessKeys --------------------------------------------------------------------------------------

StoreResult<void> PgStore::CreateAccessKey(const AccessKeyRecord& key) {
  return impl_->Run(Mode::kWrite, [&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(const bool user_exists,
                     RowExists(conn, "SELECT 1 FROM users WHERE account_id = $1 AND name = $2",
                               {key.account_id, key.user_name}));
    if (!user_exists) {
      return MakeUnexpected(NotFound("user not found"));
    }
    // The user deleted meanwhile fails the foreign key: that is kNotFound too.
    auto inserted = conn.Query(
        "INSERT INTO access_keys (id, account_id, user_name, sealed_secret, enabled, create_ms) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        {key.id, key.account_id, key.user_name, Param::Bytea(key.sealed_secret),
         Param::Bool(key.enabled), key.create_ms});
    RETURN_IF_ERROR(Recode(std::move(inserted), conn, "23503", StoreErrorCode::kNotFound));
    return {};
  });
}

StoreResult<AccessKeyRecord> PgStore::GetAccessKey(std::string_view key_id) {
  return impl_->Run(Mode::kSingleRead, [&](Connection& conn) {
    static const std::string kSql =
        "SELECT " + std::string(kAccessKeyColumns) + " FROM access_keys WHERE id = $1";
    return GetOne(conn, kSql, {key_id}, &ReadAccessKey, "AccessKey");
  });
}

StoreResult<std::vector<AccessKeyRecord>> PgStore::ListAccessKeys(std::string_view account_id,
                                                                  std::string_view user_name) {
  return impl_->Run(Mode::kSingleRead, [&](Connection& conn) {
    static const std::string kSql =
        "SELECT " + std::string(kAccessKeyColumns) +
        " FROM access_keys WHERE account_id = $1 AND ($2::text = '' OR user_name = $2::text) "
        "ORDER BY create_ms, id";
    return ListRows(conn, kSql, {account_id, user_name}, &ReadAccessKey);
  });
}

StoreResult<void> PgStore::SetAccessKeyEnabled(std::string_view account_id, std::string_view key_id,
                                               bool enabled) {
  return impl_->Run(Mode::kWrite, [&](Connection& conn) {
    return ChangeOne(conn, "UPDATE access_keys SET enabled = $3 WHERE account_id = $1 AND id = $2",
                     {account_id, key_id, Param::Bool(enabled)}, "AccessKey");
  });
}

StoreResult<void> PgStore::DeleteAccessKey(std::string_view account_id, std::string_view key_id) {
  return impl_->Run(Mode::kWrite, [&](Connection& conn) {
    return ChangeOne(conn, "DELETE FROM access_keys WHERE account_id = $1 AND id = $2",
                     {account_id, key_id}, "AccessKey");
  });
}

// Policies ----------------------------------------------------------------------------------------

StoreResult<void> PgStore::CreatePolicy(const PolicyRecord& policy) {
  return impl_->Run(Mode::kWrite, [&](Connection& conn) -> StoreResult<void> {
    RETURN_IF_ERROR(conn.Query(
        "INSERT INTO policies (account_id, name, description, document, create_ms) "
        "VALUES ($1, $2, $3, $4, $5)",
        {policy.account_id, policy.name, policy.description, policy.document, policy.create_ms}));
    return {};
  });
}

StoreResult<PolicyRecord> PgStore::GetPolicy(std::string_view account_id, std::string_view name) {
  return impl_->Run(Mode::kSingleRead, [&](Connection& conn) {
    static const std::string kSql = "SELECT " + std::string(kPolicyColumns) +
                                    " FROM policies WHERE account_id = $1 AND name = $2";
    return GetOne(conn, kSql, {account_id, name}, &ReadPolicy, "policy");
  });
}

StoreResult<std::vector<PolicyRecord>> PgStore::ListPolicies(std::string_view account_id) {
  return impl_->Run(Mode::kSingleRead, [&](Connection& conn) {
    static const std::string kSql = "SELECT " + std::string(kPolicyColumns) +
                                    " FROM policies WHERE account_id = $1 ORDER BY create_ms, name";
    return ListRows(conn, kSql, {account_id}, &ReadPolicy);
  });
}

StoreResult<void> PgStore::DeletePolicy(std::string_view account_id, std::string_view name) {
  return impl_->Run(Mode::kWrite, [&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(const bool exists,
                     RowExists(conn, "SELECT 1 FROM policies WHERE account_id = $1 AND name = $2",
                               {account_id, name}));
    if (!exists) {
      return MakeUnexpected(NotFound("policy not found"));
    }
    ASSIGN_OR_RETURN(const bool attached,
                     RowExists(conn,
                               "SELECT 1 FROM policy_attachments "
                               "WHERE account_id = $1 AND policy_name = $2 LIMIT 1",
                               {account_id, name}));
    if (attached) {
      return MakeUnexpected(Conflict("policy is attached to a user"));
    }
    // An attachment made meanwhile fails the foreign key (kConflict).
    return ChangeOne(conn, "DELETE FROM policies WHERE account_id = $1 AND name = $2",
                     {account_id, name}, "policy");
  });
}

StoreResult<void> PgStore::AttachPolicy(std::string_view account_id, std::string_view policy_name,
                                        std::string_view user_name) {
  return impl_->Run(Mode::kWrite, [&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(const bool policy_exists,
                     RowExists(conn, "SELECT 1 FROM policies WHERE account_id = $1 AND name = $2",
                               {account_id, policy_name}));
    if (!policy_exists) {
      return MakeUnexpected(NotFound("policy not found"));
    }
    ASSIGN_OR_RETURN(const bool user_exists,
                     RowExists(conn, "SELECT 1 FROM users WHERE account_id = $1 AND name = $2",
                               {account_id, user_name}));
    if (!user_exists) {
      return MakeUnexpected(NotFound("user not found"));
    }
    // A second attachment violates the primary key (kAlreadyExists); a policy or user deleted
    // meanwhile fails a foreign key (kNotFound).
    auto inserted = conn.Query(
        "INSERT INTO policy_attachments (account_id, policy_name, user_name) VALUES ($1, $2, $3)",
        {account_id, policy_name, user_name});
    RETURN_IF_ERROR(Recode(std::move(inserted), conn, "23503", StoreErrorCode::kNotFound));
    return {};
  });
}

StoreResult<void> PgStore::DetachPolicy(std::string_view account_id, std::string_view policy_name,
                                        std::string_view user_name) {
  return impl_->Run(Mode::kWrite, [&](Connection& conn) {
    return ChangeOne(conn,
                     "DELETE FROM policy_attachments "
                     "WHERE account_id = $1 AND policy_name = $2 AND user_name = $3",
                     {account_id, policy_name, user_name}, "policy attachment");
  });
}

StoreResult<std::vector<PolicyRecord>> PgStore::ListPoliciesForUser(std::string_view account_id,
                                                                    std::string_view user_name) {
  return impl_->Run(Mode::kSingleRead, [&](Connection& conn) {
    return ListRows(conn,
                    "SELECT p.account_id, p.name, p.description, p.document, p.create_ms "
                    "FROM policy_attachments a JOIN policies p "
                    "ON p.account_id = a.account_id AND p.name = a.policy_name "
                    "WHERE a.account_id = $1 AND a.user_name = $2 ORDER BY p.create_ms, p.name",
                    {account_id, user_name}, &ReadPolicy);
  });
}

// Instances ---------------------------------------------------------------------------------------

StoreResult<void> PgStore::CreateInstance(const InstanceRecord& r) {
  return impl_->Run(Mode::kWrite, [&](Connection& conn) -> StoreResult<void> {
    static const std::string kSql =
        "INSERT INTO instances (" + std::string(kInstanceColumns) +
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, "
        "$18, $19, $20, $21, $22, $23, $24)";
    RETURN_IF_ERROR(conn.Query(kSql, {r.id,
                                      r.account_id,
                                      r.region_id,
                                      r.name,
                                      r.description,
                                      r.status,
                                      r.instance_type,
                                      r.hardware_spec,
                                      r.ha_type,
                                      r.max_bandwidth,
                                      r.cidr_block,
                                      r.routing_strategy,
                                      r.security_lock_threshold,
                                      r.position,
                                      Param::Bool(r.enable_software_connection_audit),
                                      r.charge_type,
                                      r.period_months,
                                      r.order_id,
                                      r.resource_group_id,
                                      r.ccn_id,
                                      r.user_count,
                                      r.data_plan,
                                      r.create_ms,
                                      r.end_ms}));
    return {};
  });
}

StoreResult<InstanceRecord> PgStore::GetInstance(std::string_view account_id,
                                                 std::string_view region_id,
                                                 std::string_view instance_id) {
  // The instance and its serial numbers from one snapshot.
  return impl_->Run(Mode::kRead, [&](Connection& conn) {
    return FindInstance(conn, account_id, region_id, instance_id);
  });
}

StoreResult<InstancePage> PgStore::ListInstances(const InstanceFilter& filter) {
  // The WHERE clause is assembled from fixed fragments and $n placeholders; every value is bound.
  std::string where = " WHERE account_id = $1";
  Params params = {filter.account_id};
  auto equals = [&](std::string_view condition, const std::string& value) {
    if (!value.empty()) {
      AppendCondition(where, params, condition, value);
    }
  };
  equals("region_id = $?", filter.region_id);
  equals("name = $?", filter.name);
  // ASCII case folding, like SQLite's NOCASE: lower() of a COLLATE "C" text folds only A-Z.
  equals("lower(status) = lower($?::text COLLATE \"C\")", filter.status);
  equals("instance_type = $?", filter.instance_type);
  equals("hardware_spec = $?", filter.hardware_spec);
  equals("ccn_id = $?", filter.ccn_id);
  AppendIn(where, params, "id", filter.ids);
  equals("id IN (SELECT instance_id FROM device_bindings WHERE serial_number = $?)",
         filter.serial_number);
  if (filter.without_ccn) {
    where += " AND ccn_id = ''";
  }
  if (filter.expired.has_value()) {
    AppendCondition(where, params,
                    *filter.expired ? "(end_ms > 0 AND end_ms <= $?::bigint)"
                                    : "NOT (end_ms > 0 AND end_ms <= $?::bigint)",
                    filter.now_ms);
  }
  const int64_t offset = std::max<int64_t>(0, filter.offset);
  const int64_t limit = std::max<int64_t>(0, filter.limit);

  // Count, page and serial numbers from one snapshot, so they agree.
  return impl_->Run(Mode::kRead, [&](Connection& conn) -> StoreResult<InstancePage> {
    InstancePage page;
    {
      ASSIGN_OR_RETURN(Rows count,
                       conn.QueryUncached("SELECT count(*) FROM instances" + where, params));
      page.total = count.empty() ? 0 : count.Int(0, 0);
    }
    if (limit > 0 && offset < page.total) {
      Params page_params = params;
      page_params.emplace_back(limit);
      page_params.emplace_back(offset);
      ASSIGN_OR_RETURN(
          Rows rows, conn.QueryUncached(
                         "SELECT " + std::string(kInstanceColumns) + " FROM instances" + where +
                             " ORDER BY create_ms, id LIMIT $" + std::to_string(params.size() + 1) +
                             " OFFSET $" + std::to_string(params.size() + 2),
                         page_params));
      for (int i = 0; i < rows.size(); ++i) {
        page.items.push_back(ReadInstance(rows, i));
      }
    }
    for (InstanceRecord& r : page.items) {
      ASSIGN_OR_RETURN(r.serial_numbers, BoundSerialNumbers(conn, r.id));
    }
    return page;
  });
}

StoreResult<InstanceRecord> PgStore::UpdateInstance(std::string_view account_id,
                                                    std::string_view region_id,
                                                    std::string_view instance_id,
                                                    const InstancePatch& patch) {
  return impl_->Run(Mode::kWrite, [&](Connection& conn) -> StoreResult<InstanceRecord> {
    ASSIGN_OR_RETURN(const bool found, LockInstance(conn, account_id, region_id, instance_id));
    if (!found) {
      return MakeUnexpected(NotFound("instance not found"));
    }
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
      // Every client user keeps its ClientIp: the new block must still hold each one (the
      // instance row is locked, so no user can be created meanwhile).
      ASSIGN_OR_RETURN(Rows users, conn.Query("SELECT client_ip FROM client_users "
                                              "WHERE instance_id = $1",
                                              {r.id}));
      for (int i = 0; i < users.size(); ++i) {
        if (!InClientIpRanges(*patch.client_ips_within, users.Int(i, 0))) {
          return MakeUnexpected(
              StoreError{StoreErrorCode::kConflict, "a client user's ClientIp is outside"});
        }
      }
    }
    RETURN_IF_ERROR(conn.Query(
        "UPDATE instances SET name = $2, description = $3, status = $4, cidr_block = $5, "
        "routing_strategy = $6, security_lock_threshold = $7, position = $8, "
        "enable_software_connection_audit = $9, ccn_id = $10, end_ms = $11 WHERE id = $1",
        {r.id, r.name, r.description, r.status, r.cidr_block, r.routing_strategy,
         r.security_lock_threshold, r.position, Param::Bool(r.enable_software_connection_audit),
         r.ccn_id, r.end_ms}));
    return r;
  });
}

StoreResult<void> PgStore::DeleteInstance(std::string_view account_id, std::string_view region_id,
                                          std::string_view instance_id) {
  return impl_->Run(Mode::kWrite, [&](Connection& conn) -> StoreResult<void> {
    ASSIGN_OR_RETURN(const bool found, LockInstance(conn, account_id, region_id, instance_id));
    if (!found) {
      return MakeUnexpected(NotFound("instance not found"));
    }
    // Release the devices: they stay in the inventory, unbound.
    RETURN_IF_ERROR(
        conn.Query("DELETE FROM device_bindings WHERE instance_id = $1", {instance_id}));
    return ChangeOne(conn, "DELETE FROM instances WHERE id = $1", {instance_id}, "instance");
  });
}

// Devices -----------------------------------------------------------------------------------------

StoreResult<void> PgStore::RegisterDevice(const DeviceRecord& device) {
  return impl_->Run(Mode::kWrite, [&](Connection& conn) { return InsertDevice(conn, device); });
}

StoreResult<DeviceRecord> PgStore::GetDevice(std::string_view serial_number) {
  return impl_->Run(Mode::kSingleRead, [&](Connection& conn) -> StoreResult<DeviceRecord> {
    ASSIGN_OR_RETURN(std::optional<DeviceRecord> device, FindDevice(conn, serial_number));
    if (!device) {
      return MakeUnexpected(NotFound("device not found"));
    }
    return *std::move(device);
  });
}

StoreResult<std::vector<DeviceRecord>> PgStore::ListDevices(int64_t offset, int64_t limit) {
  return impl_->Run(Mode::kSingleRead, [&](Connection& conn) {
    static const std::string kSql = "SELECT " + std::string(kDeviceColumns) +
                                    std::string(kDeviceFrom) +
                                    " ORDER BY d.create_ms, d.serial_number LIMIT $1 OFFSET $2";
    return ListRows(conn, kSql, {std::max<int64_t>(0, limit), std::max<int64_t>(0, offset)},
                    &ReadDevice);
  });
}

StoreResult<int64_t> PgStore::CountDevices() {
  return impl_->Run(Mode::kSingleRead, [&](Connection& conn) -> StoreResult<int64_t> {
    ASSIGN_OR_RETURN(Rows rows, conn.Query("SELECT count(*) FROM devices"));
    return rows.empty() ? int64_t{0} : rows.Int(0, 0);
  });
}

StoreResult<void> PgStore::RetireDevice(std::string_view serial_number) {
  return impl_->Run(Mode::kWrite, [&](Connection& conn) -> StoreResult<void> {
    // The exclusive lock waits for binders (which share-lock the device), and makes binders that
    // come later see the device retired.
    ASSIGN_OR_RETURN(const bool found,
                     RowExists(conn, "SELECT 1 FROM devices WHERE serial_number = $1 FOR UPDATE",
                               {serial_number}));
    if (!found) {
      return MakeUnexpected(NotFound("device not found"));
    }
    ASSIGN_OR_RETURN(
        const bool bound,
        RowExists(conn, "SELECT 1 FROM device_bindings WHERE serial_number = $1", {serial_number}));
    if (bound) {
      return MakeUnexpected(Conflict("device is bound to an instance"));
    }
    RETURN_IF_ERROR(
        conn.Query("UPDATE devices SET retired = TRUE WHERE serial_number = $1", {serial_number}));
    return {};
  });
}

// Device channel ----------------------------------------------------------------------------------

namespace {

constexpr std::string_view kFacetColumns =
    "serial_number, facet, desired_generation, desired_value, applied_generation, "
    "result_generation, last_result, last_detail, update_ms";

DeviceFacetRecord ReadFacet(const Rows& s, int row) {
  DeviceFacetRecord f;
  f.serial_number = s.Text(row, 0);
  f.facet = s.Text(row, 1);
  f.desired_generation = s.Int(row, 2);
  f.desired_value = s.Text(row, 3);
  f.applied_generation = s.Int(row, 4);
  f.result_generation = s.Int(row, 5);
  f.last_result = s.Text(row, 6);
  f.last_detail = s.Text(row, 7);
  f.update_ms = s.Int(row, 8);
  return f;
}

// Key-share-locks the device until the transaction ends (it cannot be deleted or re-keyed, while
// its other columns stay writable); kNotFound when it is missing.
StoreResult<void> RequireDevice(Connection& conn, std::string_view serial_number) {
  ASSIGN_OR_RETURN(const bool found,
                   RowExists(conn, "SELECT 1 FROM devices WHERE serial_number = $1 FOR KEY SHARE",
                             {serial_number}));
  if (!found) {
    return MakeUnexpected(NotFound("device not found"));
  }
  return {};
}

}  // namespace

StoreResult<void> PgStore::RecordDeviceConnected(std::string_view serial_number,
                                                 std::string_view firmware_version,
                                                 std::string_view dpi_version, int64_t boot_ms,
                                                 int64_t now_ms) {
  return impl_->Run(Mode::kWrite, [&](Connection& conn) {
    return ChangeOne(conn,
                     "UPDATE devices SET firmware_version = $2, dpi_version = $3, boot_ms = $4, "
                     "last_connected_ms = $5 WHERE serial_number = $1",
                     {serial_number, firmware_version, dpi_version, boot_ms, now_ms}, "device");
  });
}

StoreResult<void> PgStore::RecordDeviceOffline(std::string_view serial_number,
                                               std::string_view reason, int64_t now_ms) {
  return impl_->Run(Mode::kWrite, [&](Connection& conn) {
    return ChangeOne(conn,
                     "UPDATE devices SET last_offline_ms = $2, offline_reason = $3 "
                     "WHERE serial_number = $1",
                     {serial_number, now_ms, reason}, "device");
  });
}

StoreResult<DesiredResult> PgStore::SetDesiredFacet(std::string_view serial_number,
                                                    std::string_view facet, std::string_view value,
                                                    int64_t now_ms, bool require_synchronized) {
  return impl_->Run(Mode::kWrite, [&](Connection& conn) -> StoreResult<DesiredResult> {
    RETURN_IF_ERROR(RequireDevice(conn, serial_number));
    // A new row starts at generation 1 (a facet without a row is synchronized); an existing one
    // moves to max(desired, applied, result) + 1 under its row lock, with the condition checked
    // under that lock too, so concurrent callers each get a distinct generation and of
    // require_synchronized callers only one gets past an unconfirmed change.
    ASSIGN_OR_RETURN(
        Rows rows,
        conn.Query("INSERT INTO device_facets (serial_number, facet, desired_generation, "
                   "desired_value, applied_generation, result_generation, last_result, "
                   "last_detail, update_ms) VALUES ($1, $2, 1, $3, 0, 0, '', '', $4) "
                   "ON CONFLICT (serial_number, facet) DO UPDATE SET desired_generation = "
                   "GREATEST(device_facets.desired_generation, "
                   "device_facets.applied_generation, device_facets.result_generation) + 1, "
                   "desired_value = EXCLUDED.desired_value, update_ms = EXCLUDED.update_ms "
                   "WHERE NOT $5 OR device_facets.applied_generation >= "
                   "device_facets.desired_generation "
                   "RETURNING desired_generation",
                   {serial_number, facet, value, now_ms, Param::Bool(require_synchronized)}));
    if (rows.empty()) {
      return DesiredResult{DesiredOutcome::kUnsynchronized, 0};
    }
    return DesiredResult{DesiredOutcome::kSet, rows.Int(0, 0)};
  });
}

StoreResult<void> PgStore::RecordApplied(std::string_view serial_number, std::string_view facet,
                                         int64_t generation, std::string_view result,
                                         std::string_view detail, int64_t now_ms) {
  return impl_->Run(Mode::kWrite, [&](Connection& conn) -> StoreResult<void> {
    RETURN_IF_ERROR(RequireDevice(conn, serial_number));
    // "ok" raises applied_generation (never lowers it); every result replaces the last report.
    RETURN_IF_ERROR(conn.Query(
        "INSERT INTO device_facets (serial_number, facet, desired_generation, desired_value, "
        "applied_generation, result_generation, last_result, last_detail, update_ms) "
        "VALUES ($1, $2, 0, '', CASE WHEN $4::text = 'ok' THEN GREATEST($3::bigint, 0) ELSE 0 "
        "END, $3::bigint, $4::text, $5, $6) "
        "ON CONFLICT (serial_number, facet) DO UPDATE SET applied_generation = "
        "CASE WHEN EXCLUDED.last_result = 'ok' THEN GREATEST(device_facets.applied_generation, "
        "EXCLUDED.result_generation) ELSE device_facets.applied_generation END, "
        "result_generation = EXCLUDED.result_generation, last_result = EXCLUDED.last_result, "
        "last_detail = EXCLUDED.last_detail, update_ms = EXCLUDED.update_ms",
        {serial_number, facet, generation, result, detail, now_ms}));
    return {};
  });
}

StoreResult<std::vector<DeviceFacetRecord>> PgStore::GetDeviceFacets(
    std::string_view serial_number) {
  return impl_->Run(Mode::kSingleRead, [&](Connection& conn) {
    static const std::string kSql = "SELECT " + std::string(kFacetColumns) +
                                    " FROM device_facets WHERE serial_number = $1 ORDER BY facet";
    return ListRows(conn, kSql, {serial_number}, &ReadFacet);
  });
}

// Serial-number binding ---------------------------------------------------------------------------

StoreResult<BindOutcome> PgStore::BindSerialNumber(const BindSerialNumberRequest& request) {
  return impl_->Run(Mode::kWrite, [&](Connection& conn) -> StoreResult<BindOutcome> {
    // The instance lock serializes every bind, unbind and activation of this instance on every
    // node: the count below stays true until commit.
    ASSIGN_OR_RETURN(
        const bool instance_found,
        LockInstance(conn, request.account_id, request.region_id, request.instance_id));
    if (!instance_found) {
      return BindOutcome::kInstanceNotFound;
    }
    ASSIGN_OR_RETURN(
        const InstanceRecord instance,
        FindInstance(conn, request.account_id, request.region_id, request.instance_id));
    const bool full =
        static_cast<int64_t>(instance.serial_numbers.size()) >= int64_t{request.max_devices};

    // The device row is locked so that RetireDevice cannot interleave, and binders of the same
    // device on other instances queue behind this one (a bind may change the device's secret, so
    // a shared lock would deadlock them); the binding's primary key backs the check up.
    static const std::string kLockDevice =
        "SELECT 1 FROM devices WHERE serial_number = $1 FOR UPDATE";
    ASSIGN_OR_RETURN(bool device_found, RowExists(conn, kLockDevice, {request.serial_number}));
    if (!device_found) {
      if (!request.register_unknown) {
        return BindOutcome::kDeviceUnknown;
      }
      // A new device passes every check up to the count; it is created only if it gets bound
      // (everything but kBound leaves this transaction without effect).
      if (full) {
        return BindOutcome::kInstanceFull;
      }
      // A concurrent creator wins the insert; then the device is read like any other below.
      ASSIGN_OR_RETURN(Rows created,
                       conn.Query("INSERT INTO devices (serial_number, hardware_model, "
                                  "sealed_secret, retired, create_ms) "
                                  "VALUES ($1, $2, ''::bytea, FALSE, $3) "
                                  "ON CONFLICT (serial_number) DO NOTHING",
                                  {request.serial_number, instance.hardware_spec, request.now_ms}));
      if (created.affected() == 0) {
        ASSIGN_OR_RETURN(device_found, RowExists(conn, kLockDevice, {request.serial_number}));
        if (!device_found) {  // created and deleted meanwhile: let the caller try again
          return MakeUnexpected(
              StoreError{StoreErrorCode::kUnavailable, "device vanished while being bound"});
        }
      }
    }
    ASSIGN_OR_RETURN(const std::optional<DeviceRecord> device,
                     FindDevice(conn, request.serial_number));
    if (!device) {
      return MakeUnexpected(StoreError{StoreErrorCode::kCorrupt, "locked device not readable"});
    }
    if (device->retired) {
      return BindOutcome::kDeviceRetired;
    }
    if (device->hardware_model != instance.hardware_spec) {
      return BindOutcome::kModelMismatch;
    }
    if (!device->instance_id.empty()) {
      return device->instance_id == instance.id ? BindOutcome::kAlreadyBoundHere
                                                : BindOutcome::kBoundElsewhere;
    }
    if (full) {
      return BindOutcome::kInstanceFull;
    }
    // The primary key on serial_number admits one binding of the device: a concurrent binder to
    // another instance that got there first makes this insert fail with unique_violation.
    auto bound = conn.Query(
        "INSERT INTO device_bindings (serial_number, instance_id, bind_seq, bound_ms) "
        "VALUES ($1, $2, (SELECT coalesce(max(bind_seq), 0) + 1 FROM device_bindings "
        "WHERE instance_id = $2), $3)",
        {request.serial_number, instance.id, request.now_ms});
    if (!bound) {
      if (conn.last_error().sqlstate == "23505" &&
          conn.last_error().constraint == "device_bindings_pkey") {
        return BindOutcome::kBoundElsewhere;  // the aborted transaction rolls back on COMMIT
      }
      return MakeUnexpected(std::move(bound).error());
    }
    if (!request.sealed_secret.empty() &&
        (device->secret_generated || device->sealed_secret.empty())) {
      RETURN_IF_ERROR(conn.Query(
          "UPDATE devices SET sealed_secret = $2, secret_generated = TRUE WHERE serial_number = $1",
          {request.serial_number, Param::Bytea(request.sealed_secret)}));
    }
    return BindOutcome::kBound;
  });
}

StoreResult<UnbindOutcome> PgStore::UnbindSerialNumber(std::string_view account_id,
                                                       std::string_view region_id,
                                                       std::string_view instance_id,
                                                       std::string_view serial_number) {
  return impl_->Run(Mode::kWrite, [&](Connection& conn) -> StoreResult<UnbindOutcome> {
    // Locked like a bind, so that ActivateInstance's "a device is bound" holds until it commits.
    ASSIGN_OR_RETURN(const bool found, LockInstance(conn, account_id, region_id, instance_id));
    if (!found) {
      return UnbindOutcome::kInstanceNotFound;
    }
    ASSIGN_OR_RETURN(Rows deleted, conn.Query("DELETE FROM device_bindings "
                                              "WHERE serial_number = $1 AND instance_id = $2",
                                              {serial_number, instance_id}));
    return deleted.affected() == 0 ? UnbindOutcome::kNotBoundHere : UnbindOutcome::kUnbound;
  });
}

StoreResult<ActivateOutcome> PgStore::ActivateInstance(std::string_view account_id,
                                                       std::string_view region_id,
                                                       std::string_view instance_id) {
  return impl_->Run(Mode::kWrite, [&](Connection& conn) -> StoreResult<ActivateOutcome> {
    ASSIGN_OR_RETURN(const bool found, LockInstance(conn, account_id, region_id, instance_id));
    if (!found) {
      return ActivateOutcome::kInstanceNotFound;
    }
    ASSIGN_OR_RETURN(const InstanceRecord instance,
                     FindInstance(conn, account_id, region_id, instance_id));
    if (instance.status == "Active") {
      return ActivateOutcome::kAlreadyActive;
    }
    if (instance.serial_numbers.empty()) {
      return ActivateOutcome::kNoDevice;
    }
    RETURN_IF_ERROR(
        conn.Query("UPDATE instances SET status = 'Active' WHERE id = $1", {instance.id}));
    return ActivateOutcome::kActivated;
  });
}

// CCNs --------------------------------------------------------------------------------------------

StoreResult<void> PgStore::CreateCcn(const CcnRecord& ccn) {
  return impl_->Run(Mode::kWrite, [&](Connection& conn) -> StoreResult<void> {
    RETURN_IF_ERROR(conn.Query(
        "INSERT INTO ccns (id, account_id, region_id, name, description, cidr_block, is_default, "
        "interworking_status, create_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        {ccn.id, ccn.account_id, ccn.region_id, ccn.name, ccn.description, ccn.cidr_block,
         Param::Bool(ccn.is_default), ccn.interworking_status, ccn.create_ms}));
    return {};
  });
}

StoreResult<CcnRecord> PgStore::GetCcn(std::string_view account_id, std::string_view region_id,
                                       std::string_view ccn_id) {
  return impl_->Run(Mode::kSingleRead,
                    [&](Connection& conn) { return FindCcn(conn, account_id, region_id, ccn_id); });
}

StoreResult<CcnPage> PgStore::ListCcns(const CcnFilter& filter) {
  // Fixed fragments and $n placeholders only; every value is bound.
  std::string where = " WHERE c.account_id = $1";
  Params params = {filter.account_id};
  if (!filter.region_id.empty()) {
    AppendCondition(where, params, "c.region_id = $?", filter.region_id);
  }
  if (!filter.name.empty()) {
    AppendCondition(where, params, "c.name = $?", filter.name);
  }
  AppendIn(where, params, "c.id", filter.ids);
  const int64_t offset = std::max<int64_t>(0, filter.offset);
  const int64_t limit = std::max<int64_t>(0, filter.limit);

  return impl_->Run(Mode::kRead, [&](Connection& conn) -> StoreResult<CcnPage> {
    CcnPage page;
    {
      ASSIGN_OR_RETURN(Rows count,
                       conn.QueryUncached("SELECT count(*) FROM ccns c" + where, params));
      page.total = count.empty() ? 0 : count.Int(0, 0);
    }
    if (limit > 0 && offset < page.total) {
      Params page_params = params;
      page_params.emplace_back(limit);
      page_params.emplace_back(offset);
      ASSIGN_OR_RETURN(Rows rows,
                       conn.QueryUncached("SELECT " + std::string(kCcnColumns) + " FROM ccns c" +
                                              where + " ORDER BY c.create_ms, c.id LIMIT $" +
                                              std::to_string(params.size() + 1) + " OFFSET $" +
                                              std::to_string(params.size() + 2),
                                          page_params));
      for (int i = 0; i < rows.size(); ++i) {
        page.items.push_back(ReadCcn(rows, i));
      }
    }
    return page;
  });
}

StoreResult<CcnRecord> PgStore::UpdateCcn(std::string_view account_id, std::string_view region_id,
                                          std::string_view ccn_id, const CcnPatch& patch) {
  return impl_->Run(Mode::kWrite, [&](Connection& conn) -> StoreResult<CcnRecord> {
    ASSIGN_OR_RETURN(const bool found,
                     LockCcn(conn, account_id, region_id, ccn_id, /*exclusive=*/true));
    if (!found) {
      return MakeUnexpected(NotFound("CCN not found"));
    }
    ASSIGN_OR_RETURN(CcnRecord c, FindCcn(conn, account_id, region_id, ccn_id));
    if (patch.name) c.name = *patch.name;
    if (patch.description) c.description = *patch.description;
    if (patch.cidr_block) c.cidr_block = *patch.cidr_block;
    if (patch.interworking_status) c.interworking_status = *patch.interworking_status;
    RETURN_IF_ERROR(
        conn.Query("UPDATE ccns SET name = $2, description = $3, cidr_block = $4, "
                   "interworking_status = $5 WHERE id = $1",
                   {c.id, c.name, c.description, c.cidr_block, c.interworking_status}));
    return c;
  });
}

StoreResult<void> PgStore::DeleteCcn(std::string_view account_id, std::string_view region_id,
                                     std::string_view ccn_id) {
  return impl_->Run(Mode::kWrite, [&](Connection& conn) -> StoreResult<void> {
    // The exclusive lock waits for binders (which share-lock the CCN); the count read after it sees
    // every bind committed before.
    ASSIGN_OR_RETURN(const bool found,
                     LockCcn(conn, account_id, region_id, ccn_id, /*exclusive=*/true));
    if (!found) {
      return MakeUnexpected(NotFound("CCN not found"));
    }
    ASSIGN_OR_RETURN(const CcnRecord c, FindCcn(conn, account_id, region_id, ccn_id));
    if (c.instance_count > 0) {
      return MakeUnexpected(Conflict("instances are bound to the CCN"));
    }
    return ChangeOne(conn, "DELETE FROM ccns WHERE id = $1", {c.id}, "CCN");
  });
}

StoreResult<CcnBindOutcome> PgStore::BindInstanceToCcn(std::string_view account_id,
                                                       std::string_view region_id,
                                                       std::string_view instance_id,
                                                       std::string_view ccn_id) {
  return impl_->Run(Mode::kWrite, [&](Connection& conn) -> StoreResult<CcnBindOutcome> {
    ASSIGN_OR_RETURN(const bool found, LockInstance(conn, account_id, region_id, instance_id));
    if (!found) {
      return CcnBindOutcome::kInstanceNotFound;
    }
    ASSIGN_OR_RETURN(const InstanceRecord instance,
                     FindInstance(conn, account_id, region_id, instance_id));
    // Shared: DeleteCcn cannot remove the CCN until this bind has committed.
    ASSIGN_OR_RETURN(const bool ccn_found,
                     LockCcn(conn, account_id, instance.region_id, ccn_id, /*exclusive=*/false));
    if (!ccn_found) {
      return CcnBindOutcome::kCcnNotFound;
    }
    if (instance.ccn_id == ccn_id) {
      return CcnBindOutcome::kAlreadyBound;
    }
    if (!instance.ccn_id.empty()) {
      return CcnBindOutcome::kBoundToOther;
    }
    ASSIGN_OR_RETURN(Rows updated,
                     conn.Query("UPDATE instances SET ccn_id = $2 WHERE id = $1 AND ccn_id = ''",
                                {instance.id, ccn_id}));
    if (updated.affected() != 1) {  // cannot happen under the lock; never report a bind not made
      return MakeUnexpected(
          StoreError{StoreErrorCode::kUnavailable, "instance changed while being bound"});
    }
    return CcnBindOutcome::kBound;
  });
}

StoreResult<CcnUnbindOutcome> PgStore::UnbindInstanceFromCcn(std::string_view account_id,
                                                             std::string_view region_id,
                                                             std::string_view instance_id,
                                                             std::string_view ccn_id) {
  return impl_->Run(Mode::kWrite, [&](Connection& conn) -> StoreResult<CcnUnbindOutcome> {
    ASSIGN_OR_RETURN(const bool found, LockInstance(conn, account_id, region_id, instance_id));
    if (!found) {
      return CcnUnbindOutcome::kInstanceNotFound;
    }
    ASSIGN_OR_RETURN(const InstanceRecord instance,
                     FindInstance(conn, account_id, region_id, instance_id));
    ASSIGN_OR_RETURN(const bool ccn_found,
                     LockCcn(conn, account_id, instance.region_id, ccn_id, /*exclusive=*/false));
    if (!ccn_found) {
      return CcnUnbindOutcome::kCcnNotFound;
    }
    if (instance.ccn_id != ccn_id) {
      return CcnUnbindOutcome::kNotBound;
    }
    RETURN_IF_ERROR(conn.Query("UPDATE instances SET ccn_id = '' WHERE id = $1 AND ccn_id = $2",
                               {instance.id, ccn_id}));
    return CcnUnbindOutcome::kUnbound;
  });
}

// Settings ----------------------------------------------------------------------------------------

StoreResult<std::optional<std::string>> PgStore::GetSetting(std::string_view key) {
  return impl_->Run(
      Mode::kSingleRead, [&](Connection& conn) -> StoreResult<std::optional<std::string>> {
        ASSIGN_OR_RETURN(Rows rows, conn.Query("SELECT value FROM settings WHERE key = $1", {key}));
        if (rows.empty()) {
          return std::optional<std::string>();
        }
        return std::optional<std::string>(rows.Text(0, 0));
      });
}

StoreResult<void> PgStore::PutSetting(std::string_view key, std::string_view value) {
  return impl_->Run(Mode::kWrite, [&](Connection& conn) -> StoreResult<void> {
    RETURN_IF_ERROR(
        conn.Query("INSERT INTO settings (key, value) VALUES ($1, $2) "
                   "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                   {key, value}));
    // Every node (this one too) hears of the change when it commits, and re-reads the setting.
    RETURN_IF_ERROR(
        conn.Query("SELECT pg_notify($1, json_build_object('t', 'setting', 'key', $2::text)::text)",
                   {pg::kClusterChannel, key}));
    return {};
  });
}

// Transactions for member definitions in other files
// -----------------------------------------------

StoreResult<void> PgStore::RunWrite(const std::function<StoreResult<void>(Connection&)>& f) {
  return impl_->Run(Mode::kWrite, f);
}

StoreResult<void> PgStore::RunRead(const std::function<StoreResult<void>(Connection&)>& f) {
  return impl_->Run(Mode::kRead, f);
}

StoreResult<void> PgStore::RunSingle(const std::function<StoreResult<void>(Connection&)>& f) {
  return impl_->Run(Mode::kSingleRead, f);
}

StoreResult<void> PgStore::RunSession(const std::function<StoreResult<void>(Connection&)>& f) {
  auto conn = Connection::Open(impl_->conninfo);
  if (!conn) {
    return MakeUnexpected(StoreError{StoreErrorCode::kUnavailable, std::move(conn).error()});
  }
  return f(**conn);
}

}  // namespace sag::store
