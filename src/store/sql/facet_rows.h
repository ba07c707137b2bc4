// Rows of device_facets as the store methods that change facets read and write them: always
// under the row's lock, so generations only move forward whatever the number of callers.
#pragma once

#include <cstdint>
#include <string_view>

#include "store/sql/connection.h"
#include "store/sql/rows.h"
#include "store/store.h"

namespace sag::store::sql {

// The columns of DeviceFacetRecord, in the order ReadFacet reads them.
inline constexpr std::string_view kFacetColumns =
    "serial_number, facet, desired_generation, desired_value, applied_generation, "
    "result_generation, last_result, last_detail, update_ms";

DeviceFacetRecord ReadFacet(const Rows& rows, int row);

// Key-share-locks the device until the transaction ends (it cannot be deleted or re-keyed, while
// its other columns stay writable); kNotFound when it is missing.
StoreResult<void> RequireDevice(Connection& conn, std::string_view serial_number);

// The (device, facet) row, created empty when absent, locked until the transaction ends;
// kNotFound when the device is missing.
StoreResult<DeviceFacetRecord> LockFacet(Connection& conn, std::string_view serial_number,
                                         std::string_view facet, int64_t now_ms);

// Writes every field of the facet row back.
StoreResult<void> WriteFacet(Connection& conn, const DeviceFacetRecord& facet);

}  // namespace sag::store::sql
