// What the shared store runs its SQL on: one connection interface that every backend implements
// (a statement with bound values in, its rows out, failures classified), and the transactions a
// store method runs in. A Connection is used by one thread at a time: the one running the
// transaction it was lent for.
#pragma once

#include <initializer_list>
#include <span>
#include <string_view>

#include "store/sql/rows.h"
#include "store/sql/statement.h"
#include "store/sql/value.h"
#include "store/store_result.h"

namespace sag::store::sql {

// Why the last statement on a connection failed, as far as the store reacts to it.
enum class Failure {
  kNone,
  kUniqueViolation,      // a PRIMARY KEY or UNIQUE constraint (StoreErrorCode::kAlreadyExists)
  kForeignKeyViolation,  // a FOREIGN KEY constraint (kConflict)
  kOtherConstraint,      // CHECK, NOT NULL (kConflict)
  kRetryable,            // serialization failure or deadlock: the whole transaction may be rerun
  kBusy,                 // the database stayed locked beyond the busy timeout (kUnavailable)
  kConnectionLost,       // the connection broke; its transaction was rolled back (kUnavailable)
  kCorrupt,              // the database file is damaged or not a database (kCorrupt)
  kOther,                // anything else (kUnavailable)
};

class Connection {
 public:
  virtual ~Connection() = default;

  virtual Dialect dialect() const = 0;
  // Runs statement with values bound to $1, $2, ..., prepared once per connection and reused.
  virtual StoreResult<Rows> Run(const Statement& statement, std::span<const Value> values) = 0;
  // Runs SQL assembled at run time (shared form, see statement.h), prepared for this call only.
  virtual StoreResult<Rows> RunOnce(std::string_view shared_sql, std::span<const Value> values) = 0;
  // Executes static SQL text without values or results (BEGIN, COMMIT, DDL); it may hold several
  // statements.
  virtual StoreResult<void> Exec(std::string_view script) = 0;
  // The classification of the last failed call (kNone after a success).
  virtual Failure last_failure() const = 0;

  StoreResult<Rows> Run(const Statement& statement, std::initializer_list<Value> values = {}) {
    return Run(statement, std::span<const Value>(values.begin(), values.size()));
  }
};

// The transaction a store method runs in. Every store method is one of these.
enum class Txn {
  kReadOne,  // a single read statement (atomic on its own; no BEGIN/COMMIT)
  kRead,     // several reads from one consistent snapshot
  kWrite,    // a write transaction: committed when the method succeeds, rolled back otherwise.
             // SQLite runs writers one at a time (BEGIN IMMEDIATE); PostgreSQL runs them at READ
             // COMMITTED, so a method that decides on rows it read locks them (FOR UPDATE / SHARE)
  kWriteUnsynced,  // kWrite whose commit does not wait for the disk: it survives a crash of this
                   // process at once, and a power loss (SQLite) or a crash of the database server
                   // (PostgreSQL) from the next synchronous commit on
};

}  // namespace sag::store::sql
