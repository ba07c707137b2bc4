// The account's configuration revision (store/config_facet_store.h): raised first by every
// transaction that changes what a configuration facet is computed from, read by the reads the
// facets are computed from.
#pragma once

#include <cstdint>
#include <string_view>

#include "store/sql/connection.h"
#include "store/store_result.h"

namespace sag::store::sql {

// Raises the account's revision by one (creating it at 1) and returns the new value. The row stays
// locked until the transaction ends: the account's configuration changes run one at a time.
StoreResult<int64_t> RaiseConfigRevision(Connection& conn, std::string_view account_id);

// The account's revision, 0 when it never changed.
StoreResult<int64_t> ReadConfigRevision(Connection& conn, std::string_view account_id);

}  // namespace sag::store::sql
