#include "store/sql/statement.h"

#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace sag::store::sql {

namespace {

constexpr std::array<std::string_view, 3> kRowLocks = {" FOR UPDATE", " FOR SHARE",
                                                       " FOR KEY SHARE"};

// Shared SQL without its trailing row-lock clause. A lock clause anywhere but at the end is a
// programming error (SQLite could not drop it), reported at once.
std::string_view WithoutRowLock(std::string_view sql) {
  for (std::string_view lock : kRowLocks) {
    const size_t at = sql.find(lock);
    if (at == std::string_view::npos) continue;
    std::string_view rest = sql.substr(at + lock.size());
    if (rest.starts_with(" OF ")) {
      rest.remove_prefix(4);
      while (!rest.empty() &&
             (std::isalnum(static_cast<unsigned char>(rest.front())) != 0 || rest.front() == '_')) {
        rest.remove_prefix(1);
      }
    }
    if (!rest.empty()) {
      std::fprintf(stderr, "sql::Render: a row lock must end the statement: %.*s\n",
                   static_cast<int>(sql.size()), sql.data());
      std::abort();
    }
    return sql.substr(0, at);
  }
  return sql;
}

}  // namespace

std::string Render(Dialect dialect, std::string_view shared_sql) {
  if (dialect == Dialect::kPostgres) return std::string(shared_sql);
  const std::string_view sql = WithoutRowLock(shared_sql);
  std::string out;
  out.reserve(sql.size());
  bool in_literal = false;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'') in_literal = !in_literal;
    if (!in_literal && c == '$' && i + 1 < sql.size() &&
        std::isdigit(static_cast<unsigned char>(sql[i + 1])) != 0) {
      out += '?';  // ?N binds parameter N, like $N
      continue;
    }
    if (!in_literal && sql.substr(i).starts_with("GREATEST(")) {
      out += "max(";  // SQLite's scalar max() of several arguments
      i += std::string_view("GREATEST(").size() - 1;
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace sag::store::sql
