#include "common/api_error.h"

namespace sag {

const std::vector<ApiErrorSpec>& AllErrorSpecs() {
  static const std::vector<ApiErrorSpec> kSpecs = {
#define API_ERROR(id, status, code, message) {ApiErrorId::k##id, status, code, message},
#include "common/errors.def"
#undef API_ERROR
  };
  return kSpecs;
}

const ApiErrorSpec& GetErrorSpec(ApiErrorId id) { return AllErrorSpecs()[static_cast<size_t>(id)]; }

std::string ApiError::message() const {
  if (injected_status_ != 0) return args_.empty() ? std::string() : args_[0];
  std::string_view t = GetErrorSpec(id_).message_template;
  std::string out;
  out.reserve(t.size());
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '{' && i + 2 < t.size() && t[i + 2] == '}' && t[i + 1] >= '0' && t[i + 1] <= '9') {
      size_t n = static_cast<size_t>(t[i + 1] - '0');
      if (n < args_.size()) out += args_[n];
      i += 2;
    } else {
      out += t[i];
    }
  }
  return out;
}

}  // namespace sag
