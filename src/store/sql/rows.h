// The rows a statement returned, read in full by the connection that ran it (so a SQLite statement
// holds no lock once Run returns), and how many rows it changed. Cells are integers, text/bytes or
// NULL; each accessor converts: NULL reads as 0 / "" / false, as every column is NOT NULL and
// absent values are '' or 0 in the records.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sag::store::sql {

class Rows {
 public:
  int size() const { return rows_; }
  bool empty() const { return rows_ == 0; }
  // Rows changed by an INSERT/UPDATE/DELETE (including those it RETURNed).
  int64_t affected() const { return affected_; }

  // The text or bytes of a cell; an integer cell in decimal.
  std::string Text(int row, int col) const;
  // The bytes of a text or BLOB/bytea cell ("" for others), valid while these Rows live.
  std::string_view View(int row, int col) const;
  int64_t Int(int row, int col) const;
  bool Bool(int row, int col) const { return Int(row, col) != 0; }

  // For connections filling the rows: a row is columns() cells added in order.
  void set_columns(int columns) { columns_ = columns; }
  // Makes room for cells more cells holding bytes more bytes in all (one allocation each).
  void Reserve(size_t cells, size_t bytes) {
    cells_.reserve(cells_.size() + cells);
    bytes_.reserve(bytes_.size() + bytes);
  }
  void set_affected(int64_t affected) { affected_ = affected; }
  void AddNull() { Add(Cell{}); }
  void AddInt(int64_t value) { Add(Cell{.kind = Cell::kInt, .number = value}); }
  void AddBytes(std::string_view bytes);

 private:
  struct Cell {
    enum Kind : uint8_t { kNull, kInt, kBytes } kind = kNull;
    int64_t number = 0;  // kInt
    size_t offset = 0;   // kBytes: where in bytes_
    size_t length = 0;
  };
  void Add(const Cell& cell);
  const Cell& At(int row, int col) const {
    return cells_[static_cast<size_t>(row) * static_cast<size_t>(columns_) +
                  static_cast<size_t>(col)];
  }

  int columns_ = 0;
  int rows_ = 0;
  int64_t affected_ = 0;
  std::vector<Cell> cells_;
  std::string bytes_;  // every kBytes cell's bytes, back to back
};

}  // namespace sag::store::sql
