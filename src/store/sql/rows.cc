#include "store/sql/rows.h"

#include <charconv>

namespace sag::store::sql {

std::string_view Rows::View(int row, int col) const {
  const Cell& c = At(row, col);
  if (c.kind != Cell::kBytes) return {};
  return std::string_view(bytes_).substr(c.offset, c.length);
}

std::string Rows::Text(int row, int col) const {
  const Cell& c = At(row, col);
  if (c.kind == Cell::kInt) return std::to_string(c.number);
  return std::string(View(row, col));
}

int64_t Rows::Int(int row, int col) const {
  const Cell& c = At(row, col);
  if (c.kind == Cell::kInt) return c.number;
  if (c.kind == Cell::kNull) return 0;
  const std::string_view text = View(row, col);
  if (text == "t") return 1;  // a boolean read as text
  int64_t n = 0;
  std::from_chars(text.data(), text.data() + text.size(), n);
  return n;
}

void Rows::AddBytes(std::string_view bytes) {
  Cell c{.kind = Cell::kBytes, .offset = bytes_.size(), .length = bytes.size()};
  bytes_.append(bytes);
  Add(c);
}

void Rows::Add(const Cell& cell) {
  if (columns_ > 0 && cells_.size() % static_cast<size_t>(columns_) == 0) ++rows_;
  cells_.push_back(cell);
}

}  // namespace sag::store::sql
