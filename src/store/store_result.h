// How store calls report failure: StoreError and StoreResult<T>, shared by every store interface.
#pragma once

#include <string>

#include "common/result.h"

namespace sag::store {

// Why a store call failed. Each operation maps these to its own documented API code.
enum class StoreErrorCode {
  kNotFound,       // the addressed record does not exist (or belongs to another account)
  kAlreadyExists,  // a unique key is taken
  kConflict,       // the change would break an invariant (e.g. record still referenced)
  kUnavailable,    // the database could not be reached or is busy beyond the timeout
  kCorrupt,        // stored data could not be read back
};

// A failed store call: the code, and detail for the log (never for a client).
struct StoreError {
  StoreErrorCode code = StoreErrorCode::kUnavailable;
  std::string detail;
};

template <typename T>
using StoreResult = Result<T, StoreError>;

}  // namespace sag::store
