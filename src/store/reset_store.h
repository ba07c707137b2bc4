// The store part of the operator API's ResetState (docs/operator-api.md "Reset"): removing the
// data of accounts in one transaction, generically over the schema (store/reset_plan.h decides,
// from the database's own catalog, what each table holds).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/store_result.h"

namespace sag::store {

// What a reset removed.
struct ResetOutcome {
  // The devices that were bound to a removed instance (now unbound), in serial-number order: the
  // caller ends their sessions.
  std::vector<std::string> unbound_serial_numbers;
  int64_t accounts_removed = 0;  // account rows deleted (never the operator's)
};

class ResetStore {
 public:
  virtual ~ResetStore() = default;
  // Removes an account's data: an account other than the operator's goes with everything it has
  // (its row, users, AccessKeys, policies, instances, CCNs, client users and sessions, upgrades,
  // bindings, device facets of its bound devices...); the operator account keeps its identity
  // (the account row, users, AccessKeys, policies and attachments) and loses everything else.
  // account_id "" does this for every account. The device inventory, the software catalogue,
  // settings, nonces and cluster state are not account data and stay. One transaction: all or
  // nothing. kNotFound when account_id names no account; kConflict (detail names the tables)
  // when a table of the schema is neither account data nor declared otherwise (reset_plan.h).
  virtual StoreResult<ResetOutcome> ResetAccounts(std::string_view account_id) = 0;
};

}  // namespace sag::store
