// Mapping store failures to wire errors where an operation has no more specific code.
#pragma once

#include "common/api_error.h"
#include "store/store.h"

namespace sag::ops {

// InternalError (detail kept for the log) or ServiceUnavailable when the database was busy or
// unreachable.
ApiError StoreFailure(const store::StoreError& error);

// For operator-API entities: kNotFound -> EntityNotExist(entity), kAlreadyExists ->
// EntityAlreadyExists(entity), kConflict -> ResourceInOperating, otherwise StoreFailure.
ApiError EntityError(const store::StoreError& error, const char* entity);

}  // namespace sag::ops
