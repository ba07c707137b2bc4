// The audit event of a change a device reported applied (docs/operator-api.md "Audit trail").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/store.h"

namespace sag::device {

// The event for a device's applied report: the device's account and instance (read from the
// store; an unbound device's ARN names no instance), its session id as RequestId, its address,
// the result (ok | failed | reverted) and "<facet> generation <n>" with the device's detail text
// (at most 200 bytes of it) as detail. Blocks on the store.
store::AuditEventRecord AppliedAuditEvent(store::Store& store, std::string_view serial_number,
                                          std::string_view facet, int64_t generation,
                                          std::string_view result, std::string_view detail,
                                          std::string_view session_id,
                                          std::string_view remote_address);

}  // namespace sag::device
