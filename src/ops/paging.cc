#include "ops/paging.h"

#include <limits>

namespace sag::ops {

Result<Page, ApiError> ReadPage(const Params& params, int64_t default_size, int64_t max_size,
                                std::string_view number_param) {
  Page page;
  ASSIGN_OR_RETURN(page.number,
                   params.GetInt(number_param, 1, 1, std::numeric_limits<int32_t>::max()));
  ASSIGN_OR_RETURN(page.size, params.GetInt("PageSize", default_size, 1, max_size));
  return page;
}

void AddPageFields(boost::json::object& body, const Page& page, int64_t total) {
  body["PageNumber"] = page.number;
  body["PageSize"] = page.size;
  body["TotalCount"] = total;
}

}  // namespace sag::ops
