#include "store/store_error.h"

namespace sag::store {

std::string_view StoreErrorCodeName(StoreErrorCode code) {
  switch (code) {
    case StoreErrorCode::kNotFound:
      return "NotFound";
    case StoreErrorCode::kAlreadyExists:
      return "AlreadyExists";
    case StoreErrorCode::kConflict:
      return "Conflict";
    case StoreErrorCode::kUnavailable:
      return "Unavailable";
    case StoreErrorCode::kCorrupt:
      return "Corrupt";
  }
  return "Unknown";
}

}  // namespace sag::store
