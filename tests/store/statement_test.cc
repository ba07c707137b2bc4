// The dialect: shared SQL rendered for SQLite and PostgreSQL (store/sql/statement.h), and the
// rows a connection hands back (store/sql/rows.h).

#include "store/sql/statement.h"

#include <gtest/gtest.h>

#include "store/sql/rows.h"

namespace sag::store::sql {
namespace {

TEST(StatementTest, PostgresReadsTheSharedFormAsWritten) {
  const std::string shared =
      "SELECT GREATEST(a, $1) FROM t WHERE id = $2 AND ($3 = '' OR r = $3) FOR UPDATE OF t";
  EXPECT_EQ(Render(Dialect::kPostgres, shared), shared);
}

TEST(StatementTest, SqliteNumbersPlaceholdersAndUsesScalarMax) {
  EXPECT_EQ(
      Render(Dialect::kSqlite, "UPDATE f SET g = GREATEST(g, a) + 1 WHERE s = $1 AND x = $12"),
      "UPDATE f SET g = max(g, a) + 1 WHERE s = ?1 AND x = ?12");
}

TEST(StatementTest, SqliteDropsATrailingRowLock) {
  EXPECT_EQ(Render(Dialect::kSqlite, "SELECT 1 FROM t WHERE id = $1 FOR UPDATE"),
            "SELECT 1 FROM t WHERE id = ?1");
  EXPECT_EQ(Render(Dialect::kSqlite, "SELECT 1 FROM t WHERE id = $1 FOR SHARE"),
            "SELECT 1 FROM t WHERE id = ?1");
  EXPECT_EQ(Render(Dialect::kSqlite, "SELECT 1 FROM t WHERE id = $1 FOR KEY SHARE"),
            "SELECT 1 FROM t WHERE id = ?1");
  EXPECT_EQ(Render(Dialect::kSqlite, "SELECT p.a FROM p LEFT JOIN n ON n.x = p.x FOR UPDATE OF p"),
            "SELECT p.a FROM p LEFT JOIN n ON n.x = p.x");
}

TEST(StatementTest, StringLiteralsAreLeftAlone) {
  EXPECT_EQ(Render(Dialect::kSqlite, "SELECT '$1 GREATEST(' || $1"), "SELECT '$1 GREATEST(' || ?1");
}

TEST(StatementTest, ALockBeforeTheEndIsAProgrammingError) {
  EXPECT_DEATH(Render(Dialect::kSqlite, "SELECT 1 FROM t FOR UPDATE LIMIT 1"),
               "a row lock must end the statement");
}

TEST(StatementTest, AStatementHoldsBothRenderings) {
  const Statement s("SELECT x FROM t WHERE id = $1 FOR SHARE");
  EXPECT_EQ(s.text(Dialect::kSqlite), "SELECT x FROM t WHERE id = ?1");
  EXPECT_EQ(s.text(Dialect::kPostgres), "SELECT x FROM t WHERE id = $1 FOR SHARE");
}

TEST(RowsTest, CellsConvertAsDocumented) {
  Rows rows;
  rows.set_columns(3);
  rows.AddInt(42);
  rows.AddBytes("text");
  rows.AddNull();
  rows.AddBytes("7");
  rows.AddBytes(std::string("a\0b", 3));
  rows.AddInt(0);
  ASSERT_EQ(rows.size(), 2);
  EXPECT_EQ(rows.Int(0, 0), 42);
  EXPECT_EQ(rows.Text(0, 0), "42");
  EXPECT_EQ(rows.Text(0, 1), "text");
  EXPECT_EQ(rows.Text(0, 2), "");  // NULL
  EXPECT_EQ(rows.Int(0, 2), 0);
  EXPECT_FALSE(rows.Bool(0, 2));
  EXPECT_EQ(rows.Int(1, 0), 7);                        // a number read from text
  EXPECT_EQ(rows.Text(1, 1), std::string("a\0b", 3));  // bytes round-trip
  EXPECT_FALSE(rows.Bool(1, 2));
  EXPECT_TRUE(rows.Bool(0, 0));
}

}  // namespace
}  // namespace sag::store::sql
