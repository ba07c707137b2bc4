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
  int http_status() const {
    return injected_status_ != 0 ? injected_status_ : GetErrorSpec(id_).http_status;
  }
  std::string_view code() const {
    return injected_status_ != 0 ? std::string_view(injected_code_) : GetErrorSpec(id_).code;
  }
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
  // An answer that is no row of the table: the status, Code and Message a fault rule chose
  // (ops/fault_rules.h), with x-acs-retry-after when retry_after_ms > 0. Its id() is
  // kInternalError; detail is for the log only.
  static ApiError Injected(int http_status, std::string code, std::string message,
                           int64_t retry_after_ms, std::string detail) {
    ApiError e(ApiErrorId::kInternalError, {std::move(message)}, std::move(detail));
    e.injected_status_ = http_status;
    e.injected_code_ = std::move(code);
    e.retry_after_ms_ = retry_after_ms < 0 ? 0 : retry_after_ms;
    return e;
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
  int injected_status_ = 0;  // non-zero for Injected: then args_[0] is the message
  std::string injected_code_;
};

}  // namespace sag
