// Pagination as smartag pages: PageNumber (1-based, default 1) and PageSize (default and
// maximum per operation). Out-of-range values are InvalidParameter, never silently clamped.
#pragma once

#include <cstdint>
#include <string_view>

#include <boost/json.hpp>

#include "common/api_error.h"
#include "common/result.h"
#include "ops/params.h"

namespace sag::ops {

// A requested page.
struct Page {
  int64_t number = 1;
  int64_t size = 10;
  int64_t offset() const { return (number - 1) * size; }
};

// Reads PageNumber (or number_param) and PageSize from params.
Result<Page, ApiError> ReadPage(const Params& params, int64_t default_size, int64_t max_size,
                                std::string_view number_param = "PageNumber");

// Adds PageNumber, PageSize and TotalCount to body.
void AddPageFields(boost::json::object& body, const Page& page, int64_t total);

}  // namespace sag::ops
