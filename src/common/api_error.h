// ApiError: one row of the wire error table (errors.def) plus its arguments. Operations and the
// gateway return it; only api/response renders it to bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sag {

// One enumerator per row of errors.def.
enum class ApiErrorId {
#define API_ERROR(id, status, code, message) k##id,
#include "common/errors.def"
#undef API_ERROR
};

// The static facts of one row.
struct ApiErrorSpec {
  ApiErrorId id;
  int http_status;
  std::string_view code;
  std::string_view message_template;
};

// The row for id.
const ApiErrorSpec& GetErrorSpec(ApiErrorId id);
// All rows, in table order.
const std::vector<ApiErrorSpec>& AllErrorSpecs();

// An error answer: the table row, the arguments for its message, detail for the log only (never
// rendered to a client), and for throttling how long the client should wait before retrying.
class ApiError {
 public:
  ApiError() = default;
  explicit ApiError(ApiErrorId id, std::vector<std::string> args = {},
                    std::string internal_detail = {})
      : id_(id), args_(std::move(args)), internal_detail_(std::move(internal_detail)) {}

  ApiErrorId id() const { return id_; }
  int http_status() const { return GetErrorSpec(id_).http_status; }
  std::string_view code() const { return GetErrorSpec(id_).code; }
  // The message template with {0}, {1}... replaced by the arguments.
  std::string message() const;
  const std::string& internal_detail() const { return internal_detail_; }
  // Milliseconds the client should wait before retrying (the x-acs-retry-after header); 0: none.
  int64_t retry_after_ms() const { return retry_after_ms_; }

  // Shorthands for the rows that take an argument.
  static ApiError MissingParameter(std::string name) {
    return ApiError(ApiErrorId::kMissingParameter, {std::move(name)});
  }
  static ApiError InvalidParameter(std::string name) {
    return ApiError(ApiErrorId::kInvalidParameter, {std::move(name)});
  }
  static ApiError Internal(std::string detail) {
    return ApiError(ApiErrorId::kInternalError, {}, std::move(detail));
  }
  // Throttling.User, retryable after retry_after_ms (at least 1).
  static ApiError Throttled(int64_t retry_after_ms) {
    ApiError e(ApiErrorId::kThrottlingUser);
    e.retry_after_ms_ = retry_after_ms < 1 ? 1 : retry_after_ms;
    return e;
  }

 private:
  ApiErrorId id_ = ApiErrorId::kInternalError;
  std::vector<std::string> args_;
  std::string internal_detail_;
  int64_t retry_after_ms_ = 0;
};

}  // namespace sag
