// Result<T, E>: a value or an error, with the member names of std::expected so that a later move to
// C++23 is a search-and-replace. RETURN_IF_ERROR / ASSIGN_OR_RETURN propagate errors.
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace sag {

// Wraps an error value so that Result's constructors can tell it from a value.
template <typename E>
struct Unexpected {
  E error;
};

template <typename E>
Unexpected<std::decay_t<E>> MakeUnexpected(E&& e) {
  return {std::forward<E>(e)};
}

// Holds either a T or an E. Accessing the wrong alternative is a programming error (asserts).
template <typename T, typename E>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  template <typename U>
  Result(Unexpected<U> e) : v_(std::in_place_index<1>, std::move(e.error)) {}  // NOLINT

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    assert(has_value());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(has_value());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(has_value());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  E& error() & {
    assert(!has_value());
    return std::get<1>(v_);
  }
  const E& error() const& {
    assert(!has_value());
    return std::get<1>(v_);
  }
  E&& error() && {
    assert(!has_value());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, E> v_;
};

// Result<void, E>: success carries no value.
template <typename E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  template <typename U>
  Result(Unexpected<U> e) : error_(std::move(e.error)), ok_(false) {}  // NOLINT

  bool has_value() const { return ok_; }
  explicit operator bool() const { return ok_; }
  void value() const { assert(ok_); }
  E& error() & {
    assert(!ok_);
    return error_;
  }
  const E& error() const& {
    assert(!ok_);
    return error_;
  }
  E&& error() && {
    assert(!ok_);
    return std::move(error_);
  }

 private:
  E error_{};
  bool ok_ = true;
};

}  // namespace sag

#define SAG_CONCAT_INNER(a, b) a##b
#define SAG_CONCAT(a, b) SAG_CONCAT_INNER(a, b)

// Evaluates expr (a Result); on error returns the error from the enclosing function.
#define RETURN_IF_ERROR(expr)                                       \
  do {                                                              \
    auto&& sag_result_ = (expr);                                    \
    if (!sag_result_.has_value()) {                                 \
      return ::sag::MakeUnexpected(std::move(sag_result_).error()); \
    }                                                               \
  } while (false)

// Declares/assigns lhs from the value of expr (a Result); on error returns the error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(SAG_CONCAT(sag_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)             \
  auto tmp = (expr);                                      \
  if (!tmp.has_value()) {                                 \
    return ::sag::MakeUnexpected(std::move(tmp).error()); \
  }                                                       \
  lhs = std::move(tmp).value()
