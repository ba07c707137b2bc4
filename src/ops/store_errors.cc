#include "ops/store_errors.h"

namespace sag::ops {

ApiError StoreFailure(const store::StoreError& error) {
  if (error.code == store::StoreErrorCode::kUnavailable) {
    return ApiError(ApiErrorId::kServiceUnavailable, {}, error.detail);
  }
  return ApiError::Internal(error.detail);
}

ApiError EntityError(const store::StoreError& error, const char* entity) {
  switch (error.code) {
    case store::StoreErrorCode::kNotFound:
      return ApiError(ApiErrorId::kEntityNotExist, {entity});
    case store::StoreErrorCode::kAlreadyExists:
      return ApiError(ApiErrorId::kEntityAlreadyExists, {entity});
    case store::StoreErrorCode::kConflict:
      return ApiError(ApiErrorId::kResourceInOperating, {}, error.detail);
    default:
      return StoreFailure(error);
  }
}

}  // namespace sag::ops
