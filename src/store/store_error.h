// Names for store error codes, for logs.
#pragma once

#include <string_view>

#include "store/store.h"

namespace sag::store {

// "NotFound", "AlreadyExists", ...: the code's name for a log line.
std::string_view StoreErrorCodeName(StoreErrorCode code);

}  // namespace sag::store
