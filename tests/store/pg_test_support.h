// PostgreSQL for the store tests: when SAG_TEST_PG_DSN names a server (see
// scripts/pg-test-server.sh), each test gets a database of its own, created empty on that server
// and dropped when the next one is made or the process exits. Header-only.
#pragma once

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>

#include "store/pg/pg_util.h"

namespace sag::store::testing {

// The server's conninfo from SAG_TEST_PG_DSN; nullopt when unset or empty.
inline std::optional<std::string> PgTestDsn() {
  const char* dsn = std::getenv("SAG_TEST_PG_DSN");
  if (dsn == nullptr || *dsn == '\0') {
    return std::nullopt;
  }
  return std::string(dsn);
}

// Creates and drops scratch databases on the test server.
class PgTestDatabases {
 public:
  explicit PgTestDatabases(std::string dsn) : dsn_(std::move(dsn)) {}
  PgTestDatabases(const PgTestDatabases&) = delete;
  PgTestDatabases& operator=(const PgTestDatabases&) = delete;
  ~PgTestDatabases() { DropCurrent(); }

  // Drops the previous scratch database, creates a new empty one and returns its conninfo; empty
  // (with the reason on stderr) when the server cannot be used.
  std::string Fresh() {
    DropCurrent();
    static std::atomic<int> next{0};
    const std::string name = "sag_test_" + std::to_string(getpid()) + "_" + std::to_string(next++);
    if (!Admin("CREATE DATABASE " + name + " TEMPLATE template0 ENCODING 'UTF8'")) {
      return {};
    }
    current_ = name;
    auto conninfo = pg::WithDatabase(dsn_, name);
    if (!conninfo) {
      std::fprintf(stderr, "SAG_TEST_PG_DSN: %s\n", conninfo.error().c_str());
      return {};
    }
    return *conninfo;
  }

  // The conninfo of the current scratch database ("" before the first Fresh()).
  std::string Current() const {
    if (current_.empty()) {
      return {};
    }
    auto conninfo = pg::WithDatabase(dsn_, current_);
    return conninfo ? *conninfo : std::string();
  }

 private:
  // Runs one statement on the DSN's own database; false (reason on stderr) on failure.
  bool Admin(const std::string& sql) {
    auto conn = pg::Connection::Open(dsn_);
    if (!conn) {
      std::fprintf(stderr, "SAG_TEST_PG_DSN: %s\n", conn.error().c_str());
      return false;
    }
    if (auto r = (*conn)->Exec(sql); !r) {
      std::fprintf(stderr, "SAG_TEST_PG_DSN: %s\n", r.error().detail.c_str());
      return false;
    }
    return true;
  }

  void DropCurrent() {
    if (!current_.empty() && owner_ == getpid()) {  // a forked child leaves its parent's alone
      Admin("DROP DATABASE IF EXISTS " + current_ + " WITH (FORCE)");
    }
    current_.clear();
  }

  std::string dsn_;
  std::string current_;
  pid_t owner_ = getpid();
};

}  // namespace sag::store::testing
