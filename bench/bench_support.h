// Helpers shared by the store benchmarks: a scratch directory for the run and statements on a
// PostgreSQL server's own database. Header-only: the build compiles each *_bench.cc alone.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

#include <libpq-fe.h>

namespace sag::bench {

// A directory for this run (its name starts with prefix), removed at exit.
inline const std::filesystem::path& ScratchDir(const char* prefix) {
  struct Dir {
    explicit Dir(const char* prefix) {
      std::string templ =
          (std::filesystem::temp_directory_path() / (std::string(prefix) + ".XXXXXX")).string();
      if (mkdtemp(templ.data()) == nullptr) {
        std::perror("mkdtemp");
        std::abort();
      }
      path = templ;
    }
    ~Dir() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
    std::filesystem::path path;
  };
  static const Dir dir(prefix);
  return dir.path;
}

// Runs one statement on the server's own database (dsn); aborts on failure.
inline void PgAdmin(const std::string& dsn, const std::string& sql) {
  PGconn* conn = PQconnectdb(dsn.c_str());
  PGresult* res = PQexec(conn, sql.c_str());
  if (PQresultStatus(res) != PGRES_COMMAND_OK) {
    std::fprintf(stderr, "%s: %s\n", sql.c_str(), PQerrorMessage(conn));
    std::abort();
  }
  PQclear(res);
  PQfinish(conn);
}

}  // namespace sag::bench
