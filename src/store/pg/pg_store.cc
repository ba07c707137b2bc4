#include "store/pg/pg_store.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>

#include "store/connection_pool.h"
#include "store/pg/pg_notifier.h"
#include "store/pg/pg_util.h"
#include "store/sql/queries.h"

namespace sag::store {

namespace {

using pg::Connection;
using Pool = ConnectionPool<Connection>;

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

  // Runs f(conn) as one transaction of kind txn on a borrowed connection: committed when f
  // succeeds, rolled back otherwise. Reruns it on serialization failure or deadlock, and once when
  // the connection turns out to be lost before the transaction could commit. Writes always run in
  // BEGIN ... COMMIT, so a connection lost before COMMIT is known to have changed nothing.
  StoreResult<void> Run(sql::Txn txn, const Work& f) {
    using R = StoreResult<void>;
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
      if (txn != sql::Txn::kReadOne) {
        auto begin = conn.Exec(
            txn == sql::Txn::kRead ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
            : txn == sql::Txn::kWriteUnsynced
                ? "BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL synchronous_commit TO off"
                : "BEGIN ISOLATION LEVEL READ COMMITTED");
        if (!begin) {
          error = std::move(begin).error();
          begun = false;
        }
      }
      if (begun) {
        R result = f(conn);
        if (result.has_value()) {
          if (txn == sql::Txn::kReadOne) {
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
          if (txn != sql::Txn::kReadOne && conn.ok()) {
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
      ASSIGN_OR_RETURN(impl->schema_version, sql::ApplyMigrations(*conn, pg::Migrations()));
    }
    impl->pool.Add(std::move(conn));
  }
  return std::unique_ptr<PgStore>(new PgStore(std::move(impl)));
}

int64_t PgStore::schema_version() const { return impl_->schema_version; }

Store::PoolStats PgStore::pool_stats() const {
  return PoolStats{.waits = impl_->pool.waits(), .wait_ns = impl_->pool.wait_ns()};
}

StoreResult<void> PgStore::RunTransaction(sql::Txn txn, const Work& work) {
  return impl_->Run(txn, work);
}

StoreResult<void> PgStore::AnnounceSettingChanged(sql::Connection& conn, std::string_view key) {
  // Every node (this one too) hears of the change when it commits, and re-reads the setting.
  static const sql::Statement kNotify(
      "SELECT pg_notify($1, json_build_object('t', 'setting', 'key', $2)::text)");
  return sql::Exec(conn, kNotify, {pg::kClusterChannel, key});
}

StoreResult<bool> PgStore::RememberNonce(std::string_view access_key_id, std::string_view nonce,
                                         int64_t now_ms, int64_t expires_ms) {
  return Transact(sql::Txn::kReadOne, [&](sql::Connection& conn) -> StoreResult<bool> {
    static const sql::Statement kRemember(
        "INSERT INTO nonces (access_key_id, nonce, expires_ms) SELECT $1, $2, $3 FROM "
        "(SELECT set_config('synchronous_commit', 'off', true)) s "
        "ON CONFLICT (access_key_id, nonce) DO UPDATE SET expires_ms = EXCLUDED.expires_ms "
        "WHERE nonces.expires_ms <= $4 RETURNING 1");
    ASSIGN_OR_RETURN(sql::Rows rows,
                     conn.Run(kRemember, {access_key_id, nonce, expires_ms, now_ms}));
    return !rows.empty();
  });
}

StoreResult<void> PgStore::WithClusterLock(int64_t key,
                                           const std::function<StoreResult<void>()>& f) {
  auto opened = Connection::Open(impl_->conninfo);
  if (!opened) {
    return MakeUnexpected(StoreError{StoreErrorCode::kUnavailable, std::move(opened).error()});
  }
  Connection& conn = **opened;
  const sql::Value values[] = {key};
  RETURN_IF_ERROR(conn.RunOnce("SELECT pg_advisory_lock($1)", values));
  StoreResult<void> result = f();
  (void)conn.RunOnce("SELECT pg_advisory_unlock($1)", values);
  return result;
}

}  // namespace sag::store
