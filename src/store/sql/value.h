// A value bound to a $N placeholder of a sql::Statement: text, a 64-bit integer, a boolean or
// bytes (BLOB / bytea). Values are views: what they point to must outlive the call they are
// passed to.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sag::store::sql {

class Value {
 public:
  enum class Kind { kText, kInt, kBool, kBytes };

  Value(std::string_view text) : kind_(Kind::kText), text_(text) {}    // NOLINT: implicit
  Value(const std::string& text) : kind_(Kind::kText), text_(text) {}  // NOLINT: implicit
  Value(const char* text) : kind_(Kind::kText), text_(text) {}         // NOLINT: implicit
  Value(int64_t number) : kind_(Kind::kInt), number_(number) {}        // NOLINT: implicit
  Value(bool) = delete;  // say Value::Bool(b): a bool would otherwise pass as an integer
  static Value Bool(bool value) {
    Value v(int64_t{value ? 1 : 0});
    v.kind_ = Kind::kBool;
    return v;
  }
  // Raw bytes for a BLOB / bytea column (any bytes round-trip).
  static Value Bytes(std::string_view bytes) {
    Value v(bytes);
    v.kind_ = Kind::kBytes;
    return v;
  }

  Kind kind() const { return kind_; }
  // The text or bytes (kText, kBytes).
  std::string_view text() const { return text_; }
  // The integer, or 0/1 for a boolean (kInt, kBool).
  int64_t number() const { return number_; }

 private:
  Kind kind_;
  std::string_view text_;
  int64_t number_ = 0;
};

}  // namespace sag::store::sql
