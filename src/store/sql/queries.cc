#include "store/sql/queries.h"

namespace sag::store::sql {

void Where::And(std::string_view condition, Value value) {
  const std::string placeholder = Next(value);
  std::string c(condition);
  for (size_t at = c.find("$?"); at != std::string::npos; at = c.find("$?", at)) {
    c.replace(at, 2, placeholder);
  }
  And(c);
}

void Where::And(std::string_view condition) {
  text_ += text_.empty() ? " WHERE " : " AND ";
  text_ += condition;
}

void Where::AndIn(std::string_view column, const std::vector<std::string>& values) {
  if (values.empty()) return;
  std::string in = std::string(column) + " IN (";
  for (size_t i = 0; i < values.size(); ++i) in += (i == 0 ? "" : ", ") + Next(values[i]);
  And(in + ")");
}

std::string Where::Next(Value value) {
  values_.push_back(value);
  return "$" + std::to_string(values_.size());
}

}  // namespace sag::store::sql
